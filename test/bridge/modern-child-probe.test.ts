// The era probe at spawn with the real appliance and real children (channel/era-probe.ts):
// protocol = "auto" on a 2025 child (the v1 SDK fixture answers server/discover with an error)
// falls back to initialize and serves as before, with the appliance's own MRTR relay, on one
// running child. protocol = "2026" on the same child never falls
// back: the child is a failure, /healthz says so, and the request is refused.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { eventually, startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { connectV2, textOf } from "./v2-client-helpers.ts";

interface Health {
  servers: Record<string, { children: { state: string; pid?: number; last_failure?: string }[] }>;
}

async function health(base: string): Promise<Health> {
  return (await (await fetch(new URL("/healthz", base))).json()) as Health;
}

describe("the era probe with real children", () => {
  let app: TestAppliance;
  // auth = "none": the Authorization header the helper sends is not looked at.
  const token = "unused";

  beforeAll(async () => {
    app = await startTestAppliance([
      stdioServer("learnt", "client-test-server.mjs", { sharing: "shared", protocol: "auto" }),
      stdioServer("insisted", "client-test-server.mjs", { sharing: "shared", protocol: "2026", restartBackoffMs: 60_000 }),
    ]);
  });
  afterAll(async () => {
    await app?.stop();
  });

  test("auto on a 2025 child: it is opened with initialize and serves both eras", async () => {
    for (const mode of ["pin", "legacy"] as const) {
      const c = await connectV2(app.mcpUrl("learnt"), mode, token);
      try {
        expect(textOf(await c.client.callTool({ name: "test_simple_text", arguments: {} }))).toBe(
          "This is a simple text response for testing.",
        );
        expect(textOf(await c.client.callTool({ name: "test_elicitation", arguments: { message: `probe ${mode}` } }))).toBe(
          'User response: action=accept, content={"username":"ada","email":"ada@example.com"}',
        );
        expect(c.errors).toEqual([]);
      } finally {
        await c.close();
      }
    }
    const [child] = (await health(app.url)).servers.learnt!.children;
    expect(child).toMatchObject({ state: "running" });
    expect(existsSync(`/proc/${child!.pid}`)).toBe(true);
  });

  test('"2026" on a 2025 child: no fallback; the child failed and the request is refused', async () => {
    const c = connectV2(app.mcpUrl("insisted"), "pin", token);
    const outcome = await c.then(
      async (conn) => {
        const called = await conn.client.callTool({ name: "test_simple_text", arguments: {} }).then(
          () => "answered",
          (error: Error) => error.message,
        );
        await conn.close();
        return called;
      },
      (error: Error) => error.message,
    );
    expect(outcome).not.toBe("answered");
    await eventually(async () => {
      const [child] = (await health(app.url)).servers.insisted!.children;
      return child?.state === "backing-off" || child?.state === "failed";
    }, "/healthz shows the child as failed");
  });
});
