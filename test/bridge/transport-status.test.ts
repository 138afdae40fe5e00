// Status codes and error bodies of the Streamable HTTP transport, with hand-written requests
// where the SDK client would never send the bad input (MCP 2025-11-25 transports).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually, FIXTURES, startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { alive } from "../helpers/machine.ts";
import { initializeRequest, RawLegacyClient } from "../helpers/mcp-raw.ts";
import { rawExchange } from "../helpers/raw-http.ts";

let appliance: TestAppliance;
type Json = { result: { content: [{ text: string }] } };
const ACCEPT_BOTH = "application/json, text/event-stream";

beforeAll(async () => {
  appliance = await startTestAppliance([
    // --noisy-stderr: a log line for each request the child receives, to wait on.
    stdioServer("fx", "behaviour-server.mjs", {
      args: [`${FIXTURES}/behaviour-server.mjs`, "--noisy-stderr"],
      maxMessageBytes: 64 * 1024,
      requestTimeoutMs: 1500,
    }),
    stdioServer("capped", "behaviour-server.mjs", { maxSessions: 1, idleTimeoutMs: 1500 }),
  ]);
});
afterAll(async () => {
  await appliance.stop();
});

function post(body: string, headers: Record<string, string> = {}, server = "fx") {
  return fetch(appliance.mcpUrl(server), {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT_BOTH, ...headers },
    body,
  });
}

const initialize = (id: number | string = 1) => JSON.stringify(initializeRequest({ id, client: "raw" }));

async function openSession(server = "fx"): Promise<string> {
  const response = await post(initialize(), {}, server);
  expect(response.status).toBe(200);
  await response.text();
  const id = response.headers.get("mcp-session-id")!;
  const initialized = await post(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }), { "mcp-session-id": id }, server);
  expect(initialized.status).toBe(202);
  expect(await initialized.text()).toBe("");
  return id;
}

async function rpcError(response: Response): Promise<{ code: number; message: string }> {
  expect(response.headers.get("content-type")).toContain("application/json");
  const body = (await response.json()) as { jsonrpc: string; error: { code: number; message: string } };
  expect(body.jsonrpc).toBe("2.0");
  return body.error;
}

function sessionHeaders(id: string) {
  return { "mcp-session-id": id, "mcp-protocol-version": "2025-11-25" };
}

describe("Streamable HTTP status codes", () => {
  test("wrong Accept → 406", async () => {
    const response = await post(initialize(), { accept: "application/json" });
    expect(response.status).toBe(406);
    expect((await rpcError(response)).code).toBe(-32600);
  });

  test("wrong Content-Type → 415", async () => {
    const response = await post(initialize(), { "content-type": "text/plain" });
    expect(response.status).toBe(415);
    await rpcError(response);
  });

  test("malformed JSON → 400 with JSON-RPC -32700", async () => {
    const response = await post("{not json", { "mcp-session-id": await openSession() });
    expect(response.status).toBe(400);
    expect((await rpcError(response)).code).toBe(-32700);
  });

  test("a JSON value that is not a JSON-RPC message → 400 -32600", async () => {
    const id = await openSession();
    for (const body of ["42", "[]", '{"jsonrpc":"1.0","method":"x"}', '{"jsonrpc":"2.0","id":null,"method":"x"}']) {
      const response = await post(body, { "mcp-session-id": id });
      expect(response.status).toBe(400);
      expect((await rpcError(response)).code).toBe(-32600);
    }
  });

  test("missing session id → 400, unknown session id → 404", async () => {
    const ping = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping" });
    expect((await post(ping)).status).toBe(400);
    expect((await post(ping, { "mcp-session-id": "no-such-session" })).status).toBe(404);
  });

  test("an unsupported MCP-Protocol-Version → 400; a missing one is accepted", async () => {
    const id = await openSession();
    const ping = JSON.stringify({ jsonrpc: "2.0", id: 3, method: "ping" });
    expect((await post(ping, { "mcp-session-id": id, "mcp-protocol-version": "1999-01-01" })).status).toBe(400);
    const ok = await post(ping, { "mcp-session-id": id });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { result: unknown }).result).toEqual({});
  });

  test("batches are refused after 2025-03-26", async () => {
    const id = await openSession();
    const batch = JSON.stringify([{ jsonrpc: "2.0", id: 4, method: "ping" }]);
    expect((await post(batch, sessionHeaders(id))).status).toBe(400);
  });

  test("batches work when 2025-03-26 is in use, answered as one JSON array", async () => {
    const id = await openSession();
    const batch = JSON.stringify([
      { jsonrpc: "2.0", id: 5, method: "ping" },
      { jsonrpc: "2.0", id: 6, method: "tools/call", params: { name: "echo", arguments: { text: "b" } } },
    ]);
    const response = await post(batch, { "mcp-session-id": id, "mcp-protocol-version": "2025-03-26" });
    expect(response.status).toBe(200);
    const answers = (await response.json()) as { id: number }[];
    expect(answers.map((a) => a.id).sort()).toEqual([5, 6]);
  });

  test("GET without text/event-stream → 406; other methods → 405", async () => {
    const id = await openSession();
    const get = await fetch(appliance.mcpUrl("fx"), { headers: { accept: "application/json", ...sessionHeaders(id) } });
    expect(get.status).toBe(406);
    const put = await fetch(appliance.mcpUrl("fx"), { method: "PUT", headers: sessionHeaders(id) });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toContain("POST");
  });

  test("a foreign Origin → 403; a loopback Origin gets CORS headers", async () => {
    const foreign = await post(initialize(), { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    const preflight = await fetch(appliance.mcpUrl("fx"), {
      method: "OPTIONS",
      headers: { origin: "http://localhost:6274", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("mcp-session-id");
    const local = await post(initialize(), { origin: "http://localhost:6274" });
    expect(local.status).toBe(200);
    expect(local.headers.get("access-control-allow-origin")).toBe("http://localhost:6274");
    expect(local.headers.get("access-control-expose-headers")).toContain("mcp-session-id");
    await fetch(appliance.mcpUrl("fx"), { method: "DELETE", headers: { "mcp-session-id": local.headers.get("mcp-session-id")! } });
  });

  test("a Host that is not served → refused (DNS rebinding)", async () => {
    // fetch() will not forge Host; a raw socket does.
    const url = appliance.mcpUrl("fx");
    const reply = await rawExchange(Number(url.port), `GET /healthz HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n`);
    expect(reply.status).toBe(421);
    const good = await rawExchange(Number(url.port), `GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    expect(good.status).toBe(200);
  });

  test("an oversized message → 413 with a JSON-RPC error, and the session survives", async () => {
    const id = await openSession();
    const big = JSON.stringify({
      jsonrpc: "2.0",
      id: 7,
      method: "tools/call",
      params: { name: "echo", arguments: { text: "x".repeat(70 * 1024) } },
    });
    const response = await post(big, sessionHeaders(id));
    expect(response.status).toBe(413);
    await rpcError(response);
    const after = await post(JSON.stringify({ jsonrpc: "2.0", id: 8, method: "ping" }), sessionHeaders(id));
    expect(after.status).toBe(200);
  });

  test("an oversized response from the child → JSON-RPC error for that request, and the session survives", async () => {
    const id = await openSession();
    const response = await post(
      JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "big", arguments: { bytes: 100 * 1024 } } }),
      sessionHeaders(id),
    );
    const body = await response.text();
    expect(body).toContain("max_message_size");
    expect(body).toContain('"id":9');
    const after = await post(
      JSON.stringify({ jsonrpc: "2.0", id: 10, method: "tools/call", params: { name: "big", arguments: { bytes: 1000 } } }),
      sessionHeaders(id),
    );
    expect(((await after.json()) as Json).result.content[0].text).toHaveLength(1000);
  });

  test("a request the child never answers times out with a JSON-RPC error; the session stays usable", async () => {
    const id = await openSession();
    const response = await post(
      JSON.stringify({ jsonrpc: "2.0", id: 11, method: "tools/call", params: { name: "hang", arguments: {} } }),
      sessionHeaders(id),
    );
    const body = await response.text();
    expect(body).toContain("request_timeout");
    expect(body).toContain("-32001");
    const after = await post(JSON.stringify({ jsonrpc: "2.0", id: 12, method: "ping" }), sessionHeaders(id));
    expect(after.status).toBe(200);
    // The child was told to stop working on the timed-out request.
    const cancellations = await post(
      JSON.stringify({ jsonrpc: "2.0", id: 13, method: "tools/call", params: { name: "cancellations", arguments: {} } }),
      sessionHeaders(id),
    );
    expect(await cancellations.text()).toContain("11");
  });

  test("legacy SSE: a request the child never answers gets a JSON-RPC error on the stream after request_timeout; a late answer is not sent twice", async () => {
    const client = new RawLegacyClient(new URL("/fx/sse", appliance.url));
    await client.open();
    const timedOut = await client.call("hang");
    expect(timedOut.error?.code).toBe(-32001);
    expect(timedOut.error?.message).toContain("request_timeout");
    // The child was told to stop working on it, and the session serves the next request.
    const cancellations = JSON.parse(await client.callText("cancellations")) as { requestId: unknown; reason: string }[];
    expect(cancellations).toEqual([{ requestId: timedOut.id, reason: "request timed out" }]);
    expect(await client.callText("echo", { text: "after" })).toBe("after");
    await client.close();
  });

  test("a request id already in flight in the session is refused", async () => {
    const id = await openSession();
    const hanging = post(
      JSON.stringify({ jsonrpc: "2.0", id: 14, method: "tools/call", params: { name: "hang", arguments: {} } }),
      sessionHeaders(id),
    );
    await eventually(
      () => appliance.logs.some((l) => l.includes("behaviour-server: request tools/call 14")),
      "the hanging request is in flight at the child",
    );
    const duplicate = await post(JSON.stringify({ jsonrpc: "2.0", id: 14, method: "ping" }), sessionHeaders(id));
    expect(duplicate.status).toBe(400);
    await (await hanging).text();
  });

  test("the live-session cap answers 503 with a clear message; idle sessions are reaped with their child", async () => {
    const first = await openSession("capped");
    const refused = await post(initialize(), {}, "capped");
    expect(refused.status).toBe(503);
    expect((await rpcError(refused)).message).toContain("max_sessions");
    const pidReply = await post(
      JSON.stringify({ jsonrpc: "2.0", id: 15, method: "tools/call", params: { name: "pid", arguments: {} } }),
      sessionHeaders(first),
      "capped",
    );
    const pid = JSON.parse(((await pidReply.json()) as Json).result.content[0].text).pid;
    // Watched from /healthz: a request to the session itself would keep it alive.
    await eventually(
      async () =>
        ((await (await fetch(new URL("/healthz", appliance.url))).json()) as { servers: Record<string, { sessions: number }> }).servers
          .capped!.sessions === 0,
      "the idle session is reaped",
      8000,
    );
    await eventually(() => !alive(pid), "the reaped session's child is gone");
    expect((await post(JSON.stringify({ jsonrpc: "2.0", id: 16, method: "ping" }), sessionHeaders(first), "capped")).status).toBe(404);
    const next = await post(initialize(), {}, "capped");
    expect(next.status).toBe(200);
  });

  test("a slow answer becomes an SSE stream and still arrives", async () => {
    const id = await openSession();
    const response = await post(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 17,
        method: "tools/call",
        params: { name: "progress", arguments: { steps: 2, delayMs: 100 }, _meta: { progressToken: "t" } },
      }),
      sessionHeaders(id),
    );
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const text = await response.text();
    expect(text).toMatch(/^id: \S+\nretry: \d+\ndata: \n\n/); // priming event for 2025-11-25 clients
    expect(text).toContain('"progressToken":"t"');
    expect(text).toContain('"id":17');
  });

  test("Last-Event-ID resumes a POST stream the client lost", async () => {
    const id = await openSession();
    const response = await post(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 18,
        method: "tools/call",
        params: { name: "progress", arguments: { steps: 3, delayMs: 300 }, _meta: { progressToken: 18 } },
      }),
      sessionHeaders(id),
    );
    const reader = response.body!.getReader();
    let seen = "";
    while (!/id: (\S+)\ndata: \{[^\n]*"progress":1/.test(seen)) seen += new TextDecoder().decode((await reader.read()).value);
    const lastId = [...seen.matchAll(/^id: (\S+)$/gm)].at(-1)![1]!;
    await reader.cancel();
    const resumed = await fetch(appliance.mcpUrl("fx"), {
      headers: { accept: "text/event-stream", "last-event-id": lastId, ...sessionHeaders(id) },
    });
    expect(resumed.status).toBe(200);
    const rest = await resumed.text();
    expect(rest).not.toContain('"progress":1,');
    expect(rest).toContain('"progress":3');
    expect(rest).toContain('"id":18');
  });
});
