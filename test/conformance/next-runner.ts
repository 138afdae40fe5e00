// Runs the newest conformance suite (conformance-next: @modelcontextprotocol/conformance
// 0.2.0-alpha.12) in server mode against a Streamable HTTP endpoint, for one spec revision's
// requirement set:
//
//   bun node_modules/conformance-next/dist/index.js server --url URL --requirements REVISION -o DIR
//
// `--requirements` runs exactly what requirements/REVISION.yaml names, each scenario at that
// revision's wire (2025-11-25: the initialize handshake; 2026-07-28: stateless, per-request
// _meta): its `server` list is scored, its `not_scored` entries with `leg: server` run for
// visibility only (reason: extension | added-after-release | pending). The CLI prints them apart
// ("Not scored for REVISION: ...") and its exit code counts the scored ones only. Here both come
// from the YAML file itself, and every scenario's checks from DIR/server-<scenario>-<ts>/checks.json.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { announcedScenarios, conformanceCli, conformancePackageDir, runCli, tail } from "./cli.ts";
import { type Check, readResults } from "./results.ts";

const NEXT_PACKAGE = "conformance-next";
export type Revision = "2025-11-25" | "2026-07-28";

export interface RequirementSet {
  /** Server scenarios the revision requires (scored). */
  scored: string[];
  /** Server scenarios run without being scored, with the reason the YAML gives. */
  notScored: { scenario: string; reason: string }[];
}

export interface ScenarioOutcome {
  name: string;
  /** undefined when it is run but not scored. */
  notScoredReason?: string;
  /** Its checks, or why there are none (never run, never finished, unreadable). */
  checks: Check[] | Error;
}

export interface NextRun {
  revision: Revision;
  scenarios: ScenarioOutcome[];
  /** Problems of the run as a whole: the CLI did not start, exited oddly, timed out. */
  problems: string[];
  output: string;
  durationMs: number;
}

interface RequirementsYaml {
  server?: unknown;
  not_scored?: { scenario?: unknown; leg?: unknown; reason?: unknown }[];
}

/** requirements/REVISION.yaml of the installed suite, server leg. */
export function requirementSet(revision: Revision): RequirementSet {
  const file = path.join(conformancePackageDir(NEXT_PACKAGE), "requirements", `${revision}.yaml`);
  const yaml = Bun.YAML.parse(readFileSync(file, "utf8")) as RequirementsYaml;
  const scored = Array.isArray(yaml.server) ? yaml.server.filter((s): s is string => typeof s === "string") : [];
  const notScored = (yaml.not_scored ?? [])
    .filter((e) => e.leg === "server" && typeof e.scenario === "string")
    .map((e) => ({ scenario: String(e.scenario), reason: String(e.reason) }));
  if (scored.length === 0) throw new Error(`${file}: no server scenarios`);
  return { scored, notScored };
}

/** Every scenario of `revision`'s requirement set against `url`, in one CLI run. */
export async function runConformanceNext(url: string, revision: Revision, timeoutMs: number): Promise<NextRun> {
  const set = requirementSet(revision);
  const outDir = mkdtempSync(path.join(tmpdir(), `mcp-conformance-next-${revision}-`));
  try {
    const args = ["server", "--url", url, "--requirements", revision, "-o", outDir];
    const run = await runCli(conformanceCli(NEXT_PACKAGE), args, timeoutMs);
    const problems: string[] = [];
    if (run.timedOut) problems.push(`the conformance CLI exceeded its ${timeoutMs} ms budget:\n${tail(run.output)}`);
    else if (run.code !== 0 && run.code !== 1) problems.push(`the conformance CLI exited with code ${run.code}:\n${tail(run.output)}`);
    const announced = announcedScenarios(run.output);
    if (announced.length === 0) problems.push(`the conformance CLI ran no scenario:\n${tail(run.output)}`);
    const known = new Set([...set.scored, ...set.notScored.map((e) => e.scenario)]);
    for (const name of announced) {
      if (!known.has(name)) problems.push(`the CLI ran "${name}", which requirements/${revision}.yaml does not name`);
    }
    const results = readResults(outDir);
    const outcome = (name: string, notScoredReason?: string): ScenarioOutcome => ({
      name,
      ...(notScoredReason === undefined ? {} : { notScoredReason }),
      checks:
        results.get(name) ??
        new Error(run.timedOut ? "not completed: the run timed out" : "no results were written (never run, or the CLI crashed)"),
    });
    const scenarios = [...set.scored.map((name) => outcome(name)), ...set.notScored.map((e) => outcome(e.scenario, e.reason))];
    return { revision, scenarios, problems, output: run.output, durationMs: run.durationMs };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
