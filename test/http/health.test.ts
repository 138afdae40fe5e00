// /healthz's two views (issue 13: it was public and named servers, paths, session counts and
// upstream origins): the bare status for everyone, the detail only for a loopback peer that no
// proxy forwarded. A request through a proxy (any forwarding header) is somebody else's.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { VERSION } from "../../src/version.ts";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";

let appliance: TestAppliance;

beforeAll(async () => {
  appliance = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs", { sharing: "shared" })]);
});
afterAll(async () => {
  await appliance?.stop();
});

async function health(headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(new URL("/healthz", appliance.url), { headers });
  expect(response.headers.get("cache-control")).toBe("no-store");
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("/healthz", () => {
  test("from this machine: the detail (version, servers with path, sessions and children)", async () => {
    const { status, body } = await health();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: "ok",
      version: VERSION,
      servers: { vault: { kind: "stdio", path: "/vault/mcp", sessions: 0, sharing: "shared", status: "ok", children: expect.any(Array) } },
    });
  });

  for (const header of ["x-forwarded-for", "forwarded", "x-real-ip"]) {
    test(`through a proxy (${header}): the bare status, nothing else`, async () => {
      const value = header === "forwarded" ? "for=203.0.113.7" : "203.0.113.7";
      expect(await health({ [header]: value })).toEqual({ status: 200, body: { status: "ok" } });
    });
  }
});
