// HttpUpstreamEndpoint on its own, without the web framework or authentication (the principal
// is whatever the caller says): Request in, Response out, against the SDK-built upstream.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { HttpUpstreamEndpoint } from "../../src/bridge/http-upstream.ts";
import type { HttpServerConfig } from "../../src/config/types.ts";
import { silentLogger } from "../../src/log.ts";
import { eventually } from "../helpers/appliance.ts";
import { initializeBody, MCP_HEADERS } from "./harness.ts";
import { UpstreamMcpServer } from "./upstream-server.ts";

let upstream: UpstreamMcpServer;
let endpoint: HttpUpstreamEndpoint;
const PUBLIC = "http://127.0.0.1:9/blog/mcp";

beforeAll(async () => {
  upstream = await UpstreamMcpServer.start();
  const server: HttpServerConfig = {
    name: "blog",
    url: upstream.url(),
    headers: {},
    path: "/blog/mcp",
    upstreamTimeoutMs: 5000,
    maxMessageBytes: 1024 * 1024,
  };
  endpoint = new HttpUpstreamEndpoint(server, silentLogger, { keepAliveEveryMs: 200 });
});
afterAll(async () => {
  await upstream.stop();
});

async function session(principal: string): Promise<string> {
  const response = await endpoint.handle(new Request(PUBLIC, { method: "POST", headers: MCP_HEADERS, body: initializeBody() }), {
    principal,
  });
  expect(response.status).toBe(200);
  await response.text();
  const id = response.headers.get("mcp-session-id")!;
  const initialized = await endpoint.handle(
    new Request(PUBLIC, {
      method: "POST",
      headers: { ...MCP_HEADERS, "mcp-session-id": id },
      body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    }),
    { principal },
  );
  expect(initialized.status).toBe(202);
  return id;
}

describe("HttpUpstreamEndpoint", () => {
  test("a quiet SSE stream gets keep-alive comments between events", async () => {
    const id = await session("oauth:a");
    const response = await endpoint.handle(new Request(PUBLIC, { headers: { accept: "text/event-stream", "mcp-session-id": id } }), {
      principal: "oauth:a",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    const reader = response.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toBe(": keepalive\n\n");
    await reader.cancel();
  });

  test("when the client goes away in the middle of a stream, the upstream's connection is closed too", async () => {
    const id = await session("oauth:a");
    const abort = new AbortController();
    const request = new Request(PUBLIC, {
      method: "POST",
      headers: { ...MCP_HEADERS, "mcp-session-id": id },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: "long",
        method: "tools/call",
        params: { name: "progress", arguments: { steps: 100, delayMs: 100 }, _meta: { progressToken: 1 } },
      }),
      signal: abort.signal,
    });
    const response = await endpoint.handle(request, { principal: "oauth:a" });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain("notifications/progress");
    const call = upstream.requests.find((r) => r.body.includes('"id":"long"'))!;
    expect(call.closedAt).toBeUndefined();
    await reader.cancel();
    abort.abort();
    await eventually(() => call.closedAt !== undefined, "the upstream saw its response closed", 3000);
    expect(upstream.progressRuns.at(-1)!.finishedAt).toBeUndefined();
  });

  test("sessions are bound to the principal that opened them; a successful DELETE forgets them", async () => {
    const id = await session("static:script");
    const ping = (principal: string, method = "POST") =>
      endpoint.handle(
        new Request(PUBLIC, {
          method,
          headers: { ...MCP_HEADERS, "mcp-session-id": id },
          ...(method === "POST" && { body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }) }),
        }),
        { principal },
      );
    expect((await ping("oauth:static:script")).status).toBe(404);
    expect((await ping("static:script")).status).toBe(200);
    const sessions = endpoint.sessions;
    expect((await ping("static:script", "DELETE")).status).toBe(200);
    expect(endpoint.sessions).toBe(sessions - 1);
    expect((await ping("static:script")).status).toBe(404);
  });
});
