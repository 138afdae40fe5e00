// The 2026-era fixture test/fixtures/modern-server.mjs (v2 SDK) as a native 2026-07-28 server:
// its factory served over Streamable HTTP by the SDK's own createMcpHandler (no appliance in
// between), measured with the newest conformance suite's 2026-07-28 requirement set. Every scored
// scenario must pass with no excuse, so the fixture can stand in for a conformant 2026 child
// when the bridge serves one.

import { afterAll, beforeAll, describe, test } from "bun:test";
import { createMcpHandler, hostHeaderValidationResponse, localhostAllowedHostnames } from "@modelcontextprotocol/server";
import { createModernServer } from "../fixtures/modern-server.mjs";
import { type NextRun, requirementSet, runConformanceNext } from "./next-runner.ts";
import { judge } from "./next-verdict.ts";

const RUN_TIMEOUT_MS = 240_000;

let server: ReturnType<typeof Bun.serve> | undefined;
let handler: ReturnType<typeof createMcpHandler> | undefined;
let run: NextRun | Error | undefined;

beforeAll(
  async () => {
    handler = createMcpHandler(createModernServer);
    const mcp = handler;
    // DNS rebinding protection is the HTTP host's part (streamable-http §Security Warning).
    server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (request) => hostHeaderValidationResponse(request, localhostAllowedHostnames()) ?? mcp.fetch(request),
    });
    run = await runConformanceNext(`http://127.0.0.1:${server.port}/mcp`, "2026-07-28", RUN_TIMEOUT_MS).catch((err: unknown) =>
      err instanceof Error ? err : new Error(String(err)),
    );
  },
  { timeout: RUN_TIMEOUT_MS + 30_000 },
);

afterAll(async () => {
  await handler?.close();
  server?.stop(true);
});

describe("modern-server.mjs over the v2 SDK's HTTP handler, conformance-next --requirements 2026-07-28", () => {
  for (const scenario of requirementSet("2026-07-28").scored) {
    test(scenario, () => {
      if (!run) throw new Error("the conformance suite did not run");
      if (run instanceof Error) throw run;
      if (run.problems.length > 0) throw new Error(run.problems.join("\n"));
      const outcome = run.scenarios.find((s) => s.name === scenario);
      if (!outcome) throw new Error(`no outcome for ${scenario}`);
      const { failures } = judge(outcome, []);
      if (failures.length > 0) throw new Error(`${scenario}:\n${failures.join("\n")}`);
    });
  }
});
