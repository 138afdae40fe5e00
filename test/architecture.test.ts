// The house rules of ARCHITECTURE.md, checked on every run: imports point down the layers only,
// protocol code never imports the web framework, and there are no import cycles.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

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
});
