// Fetch Metadata on the MCP paths (issue 13: with auth = "none" a cross-site page could start
// server processes with <img> or no-cors requests, which carry no Origin). Without Origin, a
// request that says Sec-Fetch-Site: cross-site or same-site is refused with 403 and a JSON-RPC
// error, on Streamable HTTP and on both legacy paths, whatever `auth` is; SDKs and curl send no
// Sec-Fetch-* and pass, as do same-origin requests and ones the person typed ("none").
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { ACCEPT_BOTH, initializeRequest } from "../helpers/mcp-raw.ts";
import { ownerPasswordHash } from "../helpers/oauth.ts";

let open: TestAppliance;
let guarded: TestAppliance;

beforeAll(async () => {
  open = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], { allowedOrigins: ["https://app.example"] });
  guarded = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
    auth: "oauth",
    oauthOverrides: { ownerPasswordHash: await ownerPasswordHash() },
  });
});
afterAll(async () => {
  await open?.stop();
  await guarded?.stop();
});

function initialize(appliance: TestAppliance, headers: Record<string, string>): Promise<Response> {
  return fetch(appliance.mcpUrl("vault"), {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT_BOTH, ...headers },
    body: JSON.stringify(initializeRequest()),
  });
}

/** The legacy HTTP+SSE stream (GET) and message endpoint (POST) of "vault". */
function legacy(appliance: TestAppliance, method: "GET" | "POST", headers: Record<string, string>): Promise<Response> {
  const path = method === "GET" ? "/vault/sse" : "/vault/sse/message?sessionId=nope";
  return fetch(new URL(path, appliance.url), {
    method,
    headers: { accept: "text/event-stream", "content-type": "application/json", ...headers },
    ...(method === "POST" ? { body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }) } : {}),
  });
}

async function expectRefusal(response: Response): Promise<void> {
  const text = await response.text();
  if (response.status !== 403) throw new Error(`expected 403, got ${response.status}: ${text}`);
  expect(response.headers.get("content-type")).toStartWith("application/json");
  expect(JSON.parse(text)).toEqual({
    jsonrpc: "2.0",
    id: null,
    error: { code: -32000, message: "requests from another site are not allowed" },
  });
}

async function sessions(): Promise<number> {
  const health = (await (await fetch(new URL("/healthz", open.url))).json()) as { servers: { vault: { sessions: number } } };
  return health.servers.vault.sessions;
}

describe("Fetch Metadata on the MCP paths", () => {
  for (const site of ["cross-site", "same-site"]) {
    test(`Sec-Fetch-Site: ${site} without Origin is refused on every MCP path, and opens no session`, async () => {
      const before = await sessions();
      await expectRefusal(await initialize(open, { "sec-fetch-site": site, "sec-fetch-mode": "no-cors" }));
      await expectRefusal(await legacy(open, "GET", { "sec-fetch-site": site, "sec-fetch-mode": "no-cors", "sec-fetch-dest": "image" }));
      await expectRefusal(await legacy(open, "POST", { "sec-fetch-site": site, "sec-fetch-mode": "no-cors" }));
      // A link followed from another site is refused too.
      await expectRefusal(
        await legacy(open, "GET", { "sec-fetch-site": site, "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" }),
      );
      expect(await sessions()).toBe(before);
    });
  }

  test("with auth = oauth the refusal comes before the bearer check (403, not 401)", async () => {
    await expectRefusal(await initialize(guarded, { "sec-fetch-site": "cross-site" }));
    await expectRefusal(await legacy(guarded, "GET", { "sec-fetch-site": "cross-site" }));
    const withoutHeader = await initialize(guarded, {});
    await withoutHeader.arrayBuffer();
    expect(withoutHeader.status).toBe(401);
  });

  test("no Sec-Fetch-* (SDKs, curl), same-origin and none pass", async () => {
    const cases: Record<string, string>[] = [
      {},
      { "sec-fetch-site": "same-origin" },
      { "sec-fetch-site": "none", "sec-fetch-mode": "navigate" },
    ];
    for (const headers of cases) {
      const response = await initialize(open, headers);
      await response.arrayBuffer();
      expect(response.status).toBe(200);
    }
  });

  test("with an Origin, the Origin decides: an allowed one passes even cross-site, another is refused", async () => {
    const allowed = await initialize(open, { origin: "https://app.example", "sec-fetch-site": "cross-site", "sec-fetch-mode": "cors" });
    await allowed.arrayBuffer();
    expect(allowed.status).toBe(200);
    const other = await initialize(open, { origin: "https://attacker.example", "sec-fetch-site": "cross-site" });
    await other.arrayBuffer();
    expect(other.status).toBe(403);
  });

  test("other paths are not concerned: a cross-site /healthz is answered as before", async () => {
    const health = await fetch(new URL("/healthz", open.url), { headers: { "sec-fetch-site": "cross-site" } });
    await health.arrayBuffer();
    expect(health.status).toBe(200);
  });
});
