// Judges one scenario of a conformance-next run: which FAILURE checks count, given a list of
// excused checks (each named by scenario, check id and the error message it is excused for).

import type { ScenarioOutcome } from "./next-runner.ts";
import { type Check, describeCheck } from "./results.ts";

/**
 * A check the fixture cannot pass through the appliance, and why. `message` must match the
 * check's errorMessage: the check is excused for that reason only, not for any failure.
 */
export interface Excuse {
  scenario: string;
  check: string;
  message: RegExp;
  why: string;
}

export interface Verdict {
  /** Failed checks that count, one line each (empty: the scenario passed). */
  failures: string[];
  /** Excused checks that failed as expected. */
  excused: string[];
  /** Excuses that no longer apply: the check passed, or failed for another reason. */
  stale: string[];
}

const isExcused = (c: Check, excuses: Excuse[]) => excuses.some((e) => e.check === c.id && e.message.test(c.errorMessage ?? ""));

export function judge(outcome: ScenarioOutcome, allExcuses: readonly Excuse[]): Verdict {
  const excuses = allExcuses.filter((e) => e.scenario === outcome.name);
  if (outcome.checks instanceof Error) return { failures: [outcome.checks.message], excused: [], stale: [] };
  const checks = outcome.checks;
  if (checks.length === 0) return { failures: ["the scenario produced no checks"], excused: [], stale: [] };
  const failed = checks.filter((c) => c.status === "FAILURE");
  const failures = failed.filter((c) => !isExcused(c, excuses)).map(describeCheck);
  const excused = failed.filter((c) => isExcused(c, excuses)).map(describeCheck);
  const stale = excuses
    .filter((e) => !failed.some((c) => c.id === e.check && e.message.test(c.errorMessage ?? "")))
    .map((e) => {
      const ran = checks.filter((c) => c.id === e.check);
      const how = ran.length === 0 ? "it did not run" : ran.some((c) => c.status === "FAILURE") ? "it failed otherwise" : "it passed";
      return `${e.check} is excused for ${e.message}, but ${how}`;
    });
  return { failures, excused, stale };
}

/** A one-line account of a scenario for the summary: checks by status. */
export function tally(outcome: ScenarioOutcome): string {
  if (outcome.checks instanceof Error) return `${outcome.name}: ${outcome.checks.message}`;
  const count = (status: string) => (outcome.checks as Check[]).filter((c) => c.status === status).length;
  return `${outcome.name}: ${count("SUCCESS")} ok, ${count("FAILURE")} failed, ${count("WARNING")} warnings`;
}
