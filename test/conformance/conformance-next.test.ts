// The newest MCP conformance suite (conformance-next, 0.2.0-alpha.12), server mode, through the
// appliance bridging the 2025-era stdio fixture test/fixtures/conformance-server.mjs: each
// revision's requirement set (--requirements 2025-11-25 and 2026-07-28, each at its own wire) with
// the child shared by all requesters and with a child per session. The four runs go in parallel,
// one appliance each; every scored scenario is then a test of its own, failing on any FAILURE
// check that is not excused below. Scenarios the requirement set runs without scoring are
// reported in the run's summary line and never fail.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { StdioServerConfig } from "../../src/config/types.ts";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { type NextRun, type Revision, requirementSet, runConformanceNext } from "./next-runner.ts";
import { type Excuse, judge, tally } from "./next-verdict.ts";

/** Budget of one CLI run (each takes seconds). */
const RUN_TIMEOUT_MS = 240_000;

/**
 * Checks the 2025-era fixture cannot pass through the appliance, because they need what only a
 * native 2026-07-28 server chooses. The appliance relays a child's elicitation/create,
 * sampling/createMessage and roots/list as MRTR inputRequests under keys it chooses itself, and
 * passes a requestState of its own (basic/patterns/mrtr.mdx); a 2025 child has no way to name
 * either. Every other check of these scenarios still counts, and an excuse that stops matching
 * (the check passes, or fails for another reason) fails the scenario, so the list stays honest.
 *
 * Not listed, because the suite reads the keys it is given (Object.keys(inputRequests)[0]) or
 * checks only that the result is complete: -basic-sampling, -basic-list-roots, -request-state
 * (its "state-ok" text is asked for in the description, not checked), -multi-round,
 * -non-tool-request, -tampered-state, -capability-check. Nor -multiple-input-requests: the
 * fixture's tool sends its three requests at once (Promise.all), so one round can carry all
 * three if the appliance gathers what the child sends together. The two that send "user_name"
 * unprompted (-ignore-extra-params, -missing-input-response) only ever WARN.
 */
const EXCUSED: Excuse[] = [
  {
    scenario: "input-required-result-basic-elicitation",
    check: "sep-2322-elicitation-incomplete",
    message: /inputRequests missing expected key "user_name"/,
    why:
      'the check wants the inputRequests key "user_name", a name the server picks; the appliance picks the key ' +
      "for the child's elicitation/create. Its follow-up check sep-2322-elicitation-complete runs only after it.",
  },
];

interface Combo {
  revision: Revision;
  sharing: StdioServerConfig["sharing"];
  /** The 2025-era fixture (v1 SDK), relayed; or the 2026-era one (v2 SDK serveStdio), served natively. */
  child: "2025" | "2026";
}
const COMBOS: Combo[] = (["2025", "2026"] as const).flatMap((child) =>
  (["2025-11-25", "2026-07-28"] as const).flatMap((revision) =>
    (["shared", "session"] as const).map((sharing) => ({ revision, sharing, child })),
  ),
);

const FIXTURE = { "2025": "conformance-server.mjs", "2026": "modern-server.mjs" } as const;

const appliances: TestAppliance[] = [];
const runs = new Map<Combo, NextRun | Error>();

async function runCombo(combo: Combo): Promise<NextRun> {
  // Only server-session-lifecycle ends its 2025 session (DELETE): the others stay open until the end.
  const app = await startTestAppliance([
    stdioServer("conformance", FIXTURE[combo.child], { maxSessions: 64, sharing: combo.sharing, protocol: combo.child }),
  ]);
  appliances.push(app);
  return runConformanceNext(app.mcpUrl("conformance").href, combo.revision, RUN_TIMEOUT_MS);
}

beforeAll(
  async () => {
    await Promise.all(
      COMBOS.map((combo) =>
        runCombo(combo).then(
          (run) => runs.set(combo, run),
          (err: unknown) => runs.set(combo, err instanceof Error ? err : new Error(String(err))),
        ),
      ),
    );
  },
  { timeout: RUN_TIMEOUT_MS + 30_000 },
);

afterAll(async () => {
  await Promise.all(appliances.map((app) => app.stop()));
});

function runOf(combo: Combo): NextRun {
  const run = runs.get(combo);
  if (run === undefined) throw new Error("the conformance suite did not run");
  if (run instanceof Error) throw run;
  return run;
}

for (const combo of COMBOS) {
  describe(`conformance-next --requirements ${combo.revision}, ${combo.child}-era child, sharing = "${combo.sharing}"`, () => {
    test("the run as a whole (summary, time and not-scored scenarios on stdout)", () => {
      const run = runOf(combo);
      const unscored = run.scenarios.filter((s) => s.notScoredReason !== undefined);
      const failingUnscored = unscored.filter((s) => judge(s, EXCUSED).failures.length > 0);
      console.log(
        `conformance-next ${combo.revision} (${combo.child}-era child, ${combo.sharing}): ${run.durationMs} ms; not scored, failing ` +
          `${failingUnscored.length}/${unscored.length}: ${failingUnscored.map((s) => `${tally(s)} (${s.notScoredReason})`).join("; ") || "none"}`,
      );
      expect(run.problems).toEqual([]);
    });

    for (const scenario of requirementSet(combo.revision).scored) {
      test(scenario, () => {
        const outcome = runOf(combo).scenarios.find((s) => s.name === scenario);
        if (!outcome) throw new Error(`no outcome for ${scenario}`);
        // Only the relayed 2025-era child is excused: a 2026 child picks its own keys.
        const verdict = judge(outcome, combo.revision === "2026-07-28" && combo.child === "2025" ? EXCUSED : []);
        const report = [...verdict.failures, ...verdict.stale.map((s) => `stale excuse: ${s}`)];
        if (report.length > 0)
          throw new Error(`${scenario} (${combo.revision}, ${combo.child}-era child, ${combo.sharing}):\n${report.join("\n")}`);
      });
    }
  });
}
