// TOML text -> a plain document, with syntax errors that name the file and the line.

import { ConfigError } from "./errors.ts";
import { formatKeyPath } from "./keypath.ts";

type Document = Record<string, unknown>;

export function parseToml(text: string, file: string): Document {
  let failure: string;
  try {
    return Bun.TOML.parse(text) as Document;
  } catch (error) {
    failure = messageOf(error);
  }
  const line = locateFailure(text, failure);
  const where = line === undefined ? "" : `line ${line}: `;
  throw new ConfigError([`${file}: ${where}invalid TOML: ${failure.replace(/^TOML Parse error: /, "")}`]);
}

function tomlFailure(text: string): string | undefined {
  try {
    Bun.TOML.parse(text);
    return undefined;
  } catch (error) {
    return messageOf(error);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Bun's TOML error carries no position in the TOML text (its line/column point into our own
// code), so the line is found by re-parsing: the parser stops at the first error, hence every
// prefix that ends at or after the offending line fails with the same message, and the line
// just before them does not. Files are small; past this many lines we don't try.
const MAX_LINES_TO_LOCATE = 5000;

function locateFailure(text: string, failure: string): number | undefined {
  const lines = text.split("\n");
  if (lines.length > MAX_LINES_TO_LOCATE) return undefined;
  let count = lines.length - 1;
  // Each prefix ends with a newline, as the lines inside the file do: at the very end of the
  // text some errors are reported differently.
  while (count > 0 && tomlFailure(`${lines.slice(0, count).join("\n")}\n`) === failure) count--;
  return count + 1;
}

// Bun.TOML.parse makes own properties even for these names; valibot (rightly) skips them when it
// copies objects, which would make such a table vanish without a word. No key of the format uses
// them, so they are refused wherever they appear.
const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Problems (without the file name) for keys that cannot be used safely as object keys. */
export function unsafeKeyProblems(value: unknown, path: (string | number)[] = []): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => unsafeKeyProblems(item, [...path, index]));
  if (value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return [];
  return Object.keys(value).flatMap((key) => {
    const here = [...path, key];
    if (UNSAFE_KEYS.has(key)) return [`${formatKeyPath(here)}: this key name cannot be used`];
    return unsafeKeyProblems((value as Document)[key], here);
  });
}
