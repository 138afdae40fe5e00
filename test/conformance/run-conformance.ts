// Runs the MCP conformance suite (`@modelcontextprotocol/conformance`, server mode) against a
// Streamable HTTP endpoint and returns per-scenario results.
//
// The CLI runs under Bun (cli.ts). Equivalent command line:
//
//   bun node_modules/@modelcontextprotocol/conformance/dist/index.js server \
//     --url http://127.0.0.1:PORT/conformance/mcp --suite active --spec-version 2025-11-25 -o DIR
//
// Results are read from DIR/server-<scenario>-<timestamp>/checks.json (one per scenario; an array
// of checks with status SUCCESS | FAILURE | WARNING | INFO). The CLI's own exit code only says
// whether any FAILURE check occurred; its stdout names each scenario it runs.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { announcedScenarios, conformanceCli, runCli, tail } from "./cli.ts";
import { describeCheck, readResults } from "./results.ts";

export const CONFORMANCE_SPEC_VERSION = "2025-11-25";

/**
 * Server scenarios the suite requires for spec version 2025-11-25.
 *
 * Source: @modelcontextprotocol/conformance 0.1.16, dist/index.js: the server scenario registry
 * minus the "pending" scenarios (that is, the "active" suite), keeping those whose specVersions
 * include "2025-11-25". This is exactly what
 * `conformance server --suite active --spec-version 2025-11-25` runs ("Running active suite
 * (30 scenarios)") and what the suite's `tier-check` counts. Note that
 * `conformance list --server --spec-version 2025-11-25` also lists the pending ones.
 *
 * runConformance compares this list with the scenarios the CLI actually runs: a scenario the CLI
 * runs that is missing here (a suite update added one), or one listed here that it no longer runs,
 * is reported as a failure so the list gets reviewed.
 */
export const REQUIRED_SCENARIOS_2025_11_25 = [
  "server-initialize",
  "logging-set-level",
  "ping",
  "completion-complete",
  "tools-list",
  "tools-call-simple-text",
  "tools-call-image",
  "tools-call-audio",
  "tools-call-embedded-resource",
  "tools-call-mixed-content",
  "tools-call-with-logging",
  "tools-call-error",
  "tools-call-with-progress",
  "tools-call-sampling",
  "tools-call-elicitation",
  "elicitation-sep1034-defaults",
  "server-sse-multiple-streams",
  "elicitation-sep1330-enums",
  "resources-list",
  "resources-read-text",
  "resources-read-binary",
  "resources-templates-read",
  "resources-subscribe",
  "resources-unsubscribe",
  "prompts-list",
  "prompts-get-simple",
  "prompts-get-with-args",
  "prompts-get-embedded-resource",
  "prompts-get-with-image",
  "dns-rebinding-protection",
] as const;

export interface ConformanceResult {
  /** Scenarios with at least one SUCCESS check and no FAILURE check. */
  passed: string[];
  /** Failed scenarios, plus pseudo-entries for suite-level problems (unknown/missing scenarios, timeout, CLI error). */
  failed: { name: string; details: string }[];
  /** Passed scenarios that also produced WARNING checks (SHOULD-level findings). */
  warnings: { name: string; details: string }[];
  /** The CLI's combined stdout and stderr, ANSI colours removed. */
  output: string;
}

export interface ConformanceOptions {
  /** Budget for the CLI run; default 5 minutes. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
const CLI = conformanceCli("@modelcontextprotocol/conformance");

/**
 * Runs the conformance suite's server scenarios against `url` (the MCP endpoint, e.g.
 * http://127.0.0.1:PORT/conformance/mcp). Without `opts.scenarios` it runs the suite's active
 * scenarios for 2025-11-25 in one CLI run and cross-checks them with REQUIRED_SCENARIOS_2025_11_25.
 */
export async function runConformance(url: string, opts: ConformanceOptions = {}): Promise<ConformanceResult> {
  const budget = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const outDir = mkdtempSync(path.join(tmpdir(), "mcp-conformance-"));
  /** Scenario -> reasons it failed; insertion order = report order. */
  const problems = new Map<string, string[]>();
  const problem = (name: string, why: string) => problems.set(name, [...(problems.get(name) ?? []), why]);
  const warnings: ConformanceResult["warnings"] = [];
  const passed: string[] = [];
  let output = "";
  /** Scenarios whose results are evaluated. */
  let scenarios: string[];
  let timedOut = false;

  try {
    const required: string[] = [...REQUIRED_SCENARIOS_2025_11_25];
    const run = await runCli(
      CLI,
      ["server", "--url", url, "--suite", "active", "--spec-version", CONFORMANCE_SPEC_VERSION, "-o", outDir],
      budget,
    );
    output = run.output;
    timedOut = run.timedOut;
    const announced = announcedScenarios(run.output);
    if (announced.length === 0) {
      problem(
        "(suite)",
        `the conformance CLI ran no scenario (exit code ${run.code}${run.timedOut ? ", timed out" : ""}):\n${tail(run.output)}`,
      );
    }
    for (const name of announced) {
      if (!required.includes(name)) {
        problem(
          name,
          `the conformance CLI requires "${name}" for ${CONFORMANCE_SPEC_VERSION} but REQUIRED_SCENARIOS_2025_11_25 ` +
            "(test/conformance/run-conformance.ts) lacks it: the suite was updated; review the scenario, extend the " +
            "fixture if needed and add it to the list",
        );
      }
    }
    scenarios = [...required];
    if (announced.length > 0 && !run.timedOut) {
      for (const name of required) {
        if (!announced.includes(name)) {
          problem(
            name,
            `the conformance CLI no longer runs "${name}" for ${CONFORMANCE_SPEC_VERSION} (renamed, removed or made pending?): ` +
              "update REQUIRED_SCENARIOS_2025_11_25",
          );
          scenarios = scenarios.filter((s) => s !== name);
        }
      }
    }
    // Scenarios the CLI ran beyond our list still get their results evaluated.
    for (const name of announced) if (!scenarios.includes(name)) scenarios.push(name);
    if (run.code !== 0 && run.code !== 1 && !run.timedOut) {
      problem("(suite)", `the conformance CLI exited with code ${run.code}:\n${tail(run.output)}`);
    }

    const results = readResults(outDir);
    for (const name of scenarios) {
      const checks = results.get(name);
      if (checks === undefined) {
        problem(
          name,
          timedOut
            ? `not completed: the conformance run exceeded its ${budget} ms budget`
            : "no results were written for this scenario (did the CLI crash, or is the scenario name unknown?)",
        );
        continue;
      }
      if (checks instanceof Error) {
        problem(name, timedOut ? `${checks.message}: the conformance run exceeded its ${budget} ms budget` : checks.message);
        continue;
      }
      const failures = checks.filter((c) => c.status === "FAILURE");
      const successes = checks.filter((c) => c.status === "SUCCESS");
      const warns = checks.filter((c) => c.status === "WARNING");
      if (failures.length > 0) {
        problem(name, failures.map(describeCheck).join("\n"));
      } else if (successes.length === 0) {
        const shown = checks.filter((c) => c.status !== "INFO");
        problem(name, `no check succeeded:\n${(shown.length > 0 ? shown : checks).map(describeCheck).join("\n")}`);
      } else if (!problems.has(name)) {
        passed.push(name);
        if (warns.length > 0) warnings.push({ name, details: warns.map(describeCheck).join("\n") });
      }
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }

  const failed = [...problems].map(([name, reasons]) => ({ name, details: reasons.join("\n") }));
  return { passed, failed, warnings, output };
}
