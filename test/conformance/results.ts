// The result files a conformance CLI writes in server mode: DIR/server-<scenario>-<timestamp>/
// checks.json, one per scenario, an array of checks with status SUCCESS | FAILURE | WARNING |
// SKIPPED | INFO (the same layout in 0.1.16 and 0.2.0-alpha.12).

import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export interface Check {
  id?: string;
  name?: string;
  description?: string;
  status?: string;
  errorMessage?: string;
  details?: unknown;
}

const RESULT_DIR = /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;

/** checks.json of every scenario found in dir, by scenario name (the latest run wins). */
export function readResults(dir: string): Map<string, Check[] | Error> {
  const results = new Map<string, Check[] | Error>();
  if (!existsSync(dir)) return results;
  for (const entry of readdirSync(dir).sort()) {
    const name = RESULT_DIR.exec(entry)?.[1];
    if (!name) continue;
    const file = path.join(dir, entry, "checks.json");
    if (!existsSync(file)) {
      // The CLI creates the directory before running the scenario and writes checks.json after.
      results.set(name, new Error("the scenario started but never finished (no checks.json written)"));
      continue;
    }
    try {
      const checks: unknown = JSON.parse(readFileSync(file, "utf8"));
      results.set(name, Array.isArray(checks) ? (checks as Check[]) : new Error("checks.json is not an array"));
    } catch (err) {
      results.set(name, new Error(`unreadable checks.json: ${err instanceof Error ? err.message : String(err)}`));
    }
  }
  return results;
}

/** One line per check: status, id, message; a FAILURE's details (cut at 600 characters). */
export function describeCheck(c: Check): string {
  let line = `[${c.status}] ${c.id ?? c.name ?? "?"}: ${c.errorMessage ?? c.description ?? ""}`;
  const message = (c.details as { message?: unknown } | undefined)?.message;
  if (typeof message === "string" && c.status !== "FAILURE") line += ` (${message})`;
  if (c.details !== undefined && c.status === "FAILURE") {
    const details = JSON.stringify(c.details);
    line += ` ${details.length > 600 ? `${details.slice(0, 600)}...` : details}`;
  }
  return line;
}
