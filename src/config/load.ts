// The configuration loader shared by `run` and `validate`: file -> TOML -> validated AppConfig,
// or a ConfigError listing every problem found.

import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import * as v from "valibot";
import { ConfigError, describeReadError } from "./errors.ts";
import { describeIssue } from "./issues.ts";
import { configSchema } from "./schema.ts";
import type { Env } from "./secrets.ts";
import { parseToml, unsafeKeyProblems } from "./toml.ts";
import type { AppConfig } from "./types.ts";

export { ConfigError } from "./errors.ts";

/** Reads and validates the file at `path`; `env` (default: process.env) resolves "env:NAME" secrets. */
export async function loadConfigFile(path: string, env: Env = process.env): Promise<AppConfig> {
  const file = resolve(path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new ConfigError([`${file}: cannot read the configuration file (${describeReadError(error)})`]);
  }
  let text: string;
  try {
    // TOML files must be UTF-8 (TOML 1.0 §Spec); a replacement character would hide the damage.
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError([`${file}: cannot read the configuration file (it is not valid UTF-8)`]);
  }
  return parseConfig(text, file, env);
}

/** Validates configuration `text`; `file` names it in errors and becomes AppConfig.file (made absolute). */
export async function parseConfig(text: string, file: string, env: Env = process.env): Promise<AppConfig> {
  const path = resolve(file);
  const document = parseToml(text, path);
  const result = v.safeParse(configSchema(env), document);
  const problems = [...unsafeKeyProblems(document), ...(result.issues ?? []).map(describeIssue)];
  if (!result.success || problems.length > 0) throw new ConfigError(problems.map((problem) => `${path}: ${problem}`));
  return { file: path, ...result.output };
}
