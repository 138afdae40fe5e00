// The MCP conformance suite (server mode, spec 2025-11-25) against the appliance bridging the stdio
// fixture test/fixtures/conformance-server.mjs. The suite runs once in beforeAll; each required
// scenario then gets its own test, so a failure names the scenario and carries the suite's findings.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { type ConformanceResult, REQUIRED_SCENARIOS_2025_11_25, runConformance } from "./run-conformance.ts";

/** Budget for the whole suite (it normally takes a few seconds). */
const SUITE_TIMEOUT_MS = 240_000;

let app: TestAppliance | undefined;
let result: ConformanceResult | undefined;
let setupError: unknown;

function suiteResult(): ConformanceResult {
  if (setupError !== undefined) throw setupError;
  if (!result) throw new Error("the conformance suite did not run");
  return result;
}

describe("MCP conformance suite (server, 2025-11-25) through the bridge", () => {
  beforeAll(
    async () => {
      try {
        // The suite never sends DELETE: every scenario's session stays open until the end.
        app = await startTestAppliance([stdioServer("conformance", "conformance-server.mjs", { maxSessions: 64 })]);
        result = await runConformance(app.mcpUrl("conformance").href, { timeoutMs: SUITE_TIMEOUT_MS });
      } catch (err) {
        setupError = err;
      }
    },
    { timeout: SUITE_TIMEOUT_MS + 30_000 },
  );

  afterAll(async () => {
    await app?.stop();
  });

  test("the suite ran and produced results", () => {
    const r = suiteResult();
    expect(r.passed.length + r.failed.length).toBeGreaterThan(0);
    expect(r.passed.length).toBeGreaterThan(0);
  });

  // Failures not tied to a required scenario: suite-level errors, scenarios a newer suite requires
  // that REQUIRED_SCENARIOS_2025_11_25 lacks, listed ones the suite no longer runs.
  test("no failure outside the required scenarios", () => {
    const r = suiteResult();
    const required: readonly string[] = REQUIRED_SCENARIOS_2025_11_25;
    const other = r.failed.filter((f) => !required.includes(f.name));
    expect(other.map((f) => `${f.name}: ${f.details}`)).toEqual([]);
  });

  for (const scenario of REQUIRED_SCENARIOS_2025_11_25) {
    test(scenario, () => {
      const r = suiteResult();
      const failure = r.failed.find((f) => f.name === scenario);
      if (failure) throw new Error(`conformance scenario ${scenario} failed:\n${failure.details}`);
      expect(r.passed).toContain(scenario);
    });
  }
});
