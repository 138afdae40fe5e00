// The house rules of ARCHITECTURE.md, checked on every run: imports point down the layers only,
// protocol code never imports the web framework, there are no import cycles, every export is
// used by another file of src/ (no code that only tests reach), and no file is over 400 lines.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { unusedExports } from "./unused-exports.ts";

const SRC = join(import.meta.dir, "..", "src");

/** Which layers each layer may import from (besides itself). Top of the list = top of the stack. */
const MAY_IMPORT: Record<string, string[]> = {
  cli: ["app", "http", "oauth", "bridge", "store", "config", "demo", "firewall", "log", "version", "common"],
  app: ["http", "oauth", "bridge", "store", "config", "log", "version", "common"],
  http: ["oauth", "bridge", "store", "config", "log", "version", "common"],
  oauth: ["store", "config", "log", "common"],
  bridge: ["config", "log", "common"],
  store: ["config", "log", "common"],
  demo: ["config", "common"],
  firewall: ["config", "common"],
  config: ["common"],
  log: ["config", "common"],
  version: ["common"],
  common: [],
};
const FRAMEWORK_FREE = ["oauth", "bridge", "store", "config", "demo", "firewall", "log", "common"];

/** Past this a file has more than one job: split it. */
const MAX_LINES = 400;

/**
 * Exports that no other file of src/ imports, each with the reason it stays exported. Everything
 * else that only tests import is dead code: remove it, or test it through what src/ uses.
 */
const UNUSED_EXPORTS_ALLOWED: Record<string, string> = {
  // Seams for unit tests of live code: each is used in its own file, and a table of cases
  // against it says more than the same cases driven through the endpoint that calls it.
  "config/load.ts: parseConfig": "the config's golden and unit tests parse TOML text without a file on disk",
  "store/migrations.ts: MIGRATIONS": "the migration test builds a database at an older schema version from the first steps",
  "oauth/resource.ts: normalizeResource": "the RFC 8707 / MCP canonical-URI table checks the canonical form itself",
  "oauth/redirect-uris.ts: redirectUriMatches": "exact matching and the loopback port exception, case by case",
  "oauth/errors.ts: sanitizeDescription": "RFC 6749 §5.2's character set for error_description, case by case",
  "oauth/errors.ts: ServerError": "the taxonomy test lists every error class with its code and status",
  // Types a test needs to build an argument for an exported function.
  "cli/prompt.ts: RawInput": "the prompt test's fake terminal implements it",
  "app.ts: StartOptions": "the test helper that starts the appliance passes them through",
};

function layerOf(file: string): string {
  const rel = relative(SRC, file);
  const first = rel.split("/")[0]!;
  return first.endsWith(".ts") ? first.slice(0, -3) : first;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:^|;)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]!);
}

const files = sourceFiles(SRC);
const graph = new Map(
  files.map((file) => [
    file,
    importsOf(file)
      .filter((spec) => spec.startsWith("."))
      .map((spec) => resolve(dirname(file), spec))
      .filter((target) => target.startsWith(SRC)),
  ]),
);

let scanned: string[] | undefined;
/** The unused-export scan of src/, run once for the tests that need it (it parses every file). */
const unusedInSrc = () => {
  scanned ??= unusedExports(SRC, files);
  return scanned;
};

describe("architecture", () => {
  test("there are source files to check", () => {
    expect(files.length).toBeGreaterThan(20);
  });

  test("imports point down the layers only", () => {
    const violations: string[] = [];
    for (const [file, targets] of graph) {
      const from = layerOf(file);
      const allowed = MAY_IMPORT[from];
      if (!allowed) {
        violations.push(`${relative(SRC, file)}: layer "${from}" is not in the architecture table`);
        continue;
      }
      for (const target of targets) {
        const to = layerOf(target);
        if (to !== from && !allowed.includes(to)) violations.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
      }
    }
    expect(violations).toEqual([]);
  });

  test("protocol, store and config code never imports the web framework", () => {
    const offenders = files.filter(
      (file) =>
        FRAMEWORK_FREE.includes(layerOf(file)) && importsOf(file).some((spec) => spec === "elysia" || spec.startsWith("@elysiajs/")),
    );
    expect(offenders.map((f) => relative(SRC, f))).toEqual([]);
  });

  test("no import cycles", () => {
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(" → "));
        return;
      }
      state.set(file, "visiting");
      for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, "done");
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  test("every export is imported by another file of src/", () => {
    const unused = unusedInSrc().filter((entry) => !(entry in UNUSED_EXPORTS_ALLOWED));
    expect(unused).toEqual([]);
  });

  test("every entry of the allow-list is still an export that src/ does not import", () => {
    const unused = new Set(unusedInSrc());
    expect(Object.keys(UNUSED_EXPORTS_ALLOWED).filter((entry) => !unused.has(entry))).toEqual([]);
  });

  test(`no file of src/ is over ${MAX_LINES} lines`, () => {
    const lines = (file: string) => readFileSync(file, "utf8").split("\n").length - 1;
    const long = sourceFiles(SRC)
      .filter((file) => lines(file) > MAX_LINES)
      .map((file) => `${relative(SRC, file)}: ${lines(file)} lines`);
    expect(long).toEqual([]);
  });
});

describe("the unused-export scan", () => {
  const fixture: Record<string, string> = {
    "used.ts": [
      "export function usedFunction() {}",
      "export async function unusedAsync() {}",
      "export const usedConst = 1, unusedConst = 2;",
      "export class UsedClass {}",
      "export abstract class UnusedAbstract {}",
      "export interface UsedInterface {}",
      "export type UnusedType = string;",
      "export enum UsedEnum { A }",
      "const local = 1;",
      "function other() {}",
      "export { local as renamedLocal, other };",
      "export default function () {}",
    ].join("\n"),
    "barrel.ts": [
      'export { usedFunction, unusedAsync } from "./used.ts";',
      'export * from "./star.ts";',
      'export type * from "./types.ts";',
    ].join("\n"),
    "star.ts": "export const viaStar = 1;\nexport const notViaStar = 2;",
    "types.ts": "export interface ViaTypeStar {}\nexport interface NotViaTypeStar {}",
    "space.ts": "export const a = 1;\nexport const b = 2;",
    "lazy.ts": "export const lazyUsed = 1;\nexport const lazyUnused = 2;",
    "lazy-all.ts": "export const whole = 1;",
    "main.ts": [
      "// a comment naming unusedConst does not use it",
      'import { usedFunction, viaStar, type ViaTypeStar } from "./barrel.ts";',
      'import type { UsedInterface } from "./used.ts";',
      'import { usedConst, UsedClass as Renamed, UsedEnum, renamedLocal } from "./used";',
      'import defaultThing from "./used.ts";',
      'import * as space from "./space.ts";',
      "const text = \"import { UnusedType } from './used.ts'\";",
      'export async function run() { const { lazyUsed } = await import("./lazy.ts"); const all = await import("./lazy-all.ts"); }',
    ].join("\n"),
  };

  test("lists exactly the exports no other file imports, whatever the form of export and import", () => {
    const dir = mkdtempSync(join(tmpdir(), "unused-exports-"));
    try {
      for (const [name, text] of Object.entries(fixture)) writeFileSync(join(dir, name), text);
      const found = unusedExports(
        dir,
        Object.keys(fixture).map((name) => join(dir, name)),
      );
      expect(found.sort()).toEqual(
        [
          "used.ts: unusedConst",
          "used.ts: UnusedAbstract",
          "used.ts: UnusedType",
          "used.ts: other",
          "barrel.ts: unusedAsync",
          "star.ts: notViaStar",
          "types.ts: NotViaTypeStar",
          "lazy.ts: lazyUnused",
          "main.ts: run",
        ].sort(),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
