// An HTTP MCP server (the SDK's McpServer + StreamableHTTPServerTransport) behind the appliance,
// reached by the SDK client through the whole OAuth flow: tools, server-to-client requests over
// SSE, streams that arrive as they are written, large messages both ways, the headers the
// upstream gets (configured ones, the identity header, never the client's token), and sessions
// bound to the client that opened them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CreateMessageRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import type { TestAppliance } from "../helpers/appliance.ts";
import { MemoryOAuthProvider } from "../helpers/oauth.ts";
import { accessToken, connectWithOAuth, httpServersFrom, MCP_HEADERS, publicUrl, startOAuthAppliance, textOf } from "./harness.ts";
import { largeText, sha256, UpstreamMcpServer } from "./upstream-server.ts";

const API_KEY = "blog-api-key-from-the-environment";
const UPSTREAM_CREDENTIAL = "Bearer the-upstreams-own-credential";
const MiB = 1024 * 1024;

let upstream: UpstreamMcpServer;
let appliance: TestAppliance;
let url: URL;
let main: { client: Client; transport: StreamableHTTPClientTransport; provider: MemoryOAuthProvider };
/** Every provider of this file: none of their tokens may ever reach the upstream. */
const providers: MemoryOAuthProvider[] = [];

beforeAll(async () => {
  upstream = await UpstreamMcpServer.start();
  const httpServers = await httpServersFrom(
    `
[servers.blog]
url = "${upstream.url()}"
headers = { "X-Api-Key" = "env:BLOG_API_KEY", Authorization = "${UPSTREAM_CREDENTIAL}" }
identity_header = "X-MCP-Client"
max_message_size = "4MiB"
`,
    { BLOG_API_KEY: API_KEY },
  );
  appliance = await startOAuthAppliance(httpServers);
  url = publicUrl(appliance, "blog");
  main = await connectWithOAuth(appliance, url, new MemoryOAuthProvider(), { sampling: {} });
  providers.push(main.provider);
});

afterAll(async () => {
  await main?.transport.terminateSession().catch(() => {});
  await appliance?.stop();
  await upstream?.stop();
});

const bearer = (provider: MemoryOAuthProvider) => `Bearer ${provider.tokens()!.access_token}`;
const sessionHeaders = () => ({
  ...MCP_HEADERS,
  authorization: bearer(main.provider),
  "mcp-session-id": main.transport.sessionId!,
  "mcp-protocol-version": "2025-11-25",
});

describe("an HTTP MCP server behind the appliance", () => {
  test("the SDK client lists and calls its tools through OAuth", async () => {
    expect(main.provider.tokens()!.scope).toBe("mcp:blog");
    const tools = await main.client.listTools();
    expect(tools.tools.map((t) => t.name).sort()).toEqual(["echo", "large", "progress", "sample", "sleep"]);
    expect(textOf(await main.client.callTool({ name: "echo", arguments: { text: "héllo" } }))).toBe("héllo");
    // The upstream's own session id reaches the client unchanged.
    const initialize = upstream.requests.find((r) => r.body.includes('"initialize"'))!;
    expect(initialize.headers["mcp-session-id"]).toBeUndefined();
    expect(upstream.requests.some((r) => r.headers["mcp-session-id"] === main.transport.sessionId)).toBe(true);
  });

  test("a request from the upstream to the client (sampling) makes the round trip over SSE", async () => {
    main.client.setRequestHandler(CreateMessageRequestSchema, async (request) => ({
      model: "test-model",
      role: "assistant",
      content: { type: "text", text: `answer to ${(request.params.messages[0]!.content as { text: string }).text}` },
    }));
    expect(textOf(await main.client.callTool({ name: "sample", arguments: { prompt: "question" } }))).toBe("answer to question");
  });

  test("progress events arrive one by one while the upstream is still working", async () => {
    const arrivals: { progress: number; at: number }[] = [];
    const result = await main.client.callTool({ name: "progress", arguments: { steps: 5, delayMs: 300 } }, undefined, {
      onprogress: (p) => arrivals.push({ progress: p.progress, at: Date.now() }),
    });
    expect(textOf(result)).toBe("done");
    expect(arrivals.map((a) => a.progress)).toEqual([1, 2, 3, 4, 5]);
    const run = upstream.progressRuns.at(-1)!;
    // The first event came long before the upstream finished, and the rest came spread out.
    expect(arrivals[0]!.at).toBeLessThan(run.finishedAt! - 1000);
    expect(arrivals[4]!.at - arrivals[0]!.at).toBeGreaterThanOrEqual(1000);
  });

  test("the first SSE event reaches the client before the upstream has finished the response", async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: sessionHeaders(),
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: "stream-1",
        method: "tools/call",
        params: { name: "progress", arguments: { steps: 4, delayMs: 400 }, _meta: { progressToken: "p1" } },
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("text/event-stream");
    const reader = response.body!.getReader();
    let text = "";
    while (!text.includes("notifications/progress")) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`the stream ended before any progress event: ${text}`);
      text += new TextDecoder().decode(value);
    }
    expect(upstream.progressRuns.at(-1)!.finishedAt).toBeUndefined();
    expect(text).not.toContain('"id":"stream-1"');
    while (!text.includes('"id":"stream-1"')) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(upstream.progressRuns.at(-1)!.finishedAt).toBeDefined();
    expect(text.match(/notifications\/progress/g)?.length).toBe(4);
  });

  test("a 2 MiB result arrives whole", async () => {
    const result = textOf(await main.client.callTool({ name: "large", arguments: { bytes: 2 * MiB } }));
    expect(result.length).toBe(2 * MiB);
    expect(sha256(result)).toBe(sha256(largeText(2 * MiB)));
  });

  test("a 3 MiB request is streamed up whole; past max_message_size (4MiB) it gets a 413 with a JSON-RPC error", async () => {
    const big = largeText(3 * MiB);
    expect(sha256(textOf(await main.client.callTool({ name: "echo", arguments: { text: big } })))).toBe(sha256(big));

    const before = upstream.requests.length;
    // Just past the limit: far past it, Bun's own cap on request bodies (the largest
    // max_message_size + 64KiB) answers first, with a bare 413.
    const tooBig = JSON.stringify({
      jsonrpc: "2.0",
      id: 9,
      method: "tools/call",
      params: { name: "echo", arguments: { text: largeText(4 * MiB) } },
    });
    const declared = await fetch(url, { method: "POST", headers: sessionHeaders(), body: tooBig });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { code: number } }).error.code).toBe(-32002);
    expect(upstream.requests.length).toBe(before);

    // Without a Content-Length the body is counted as it streams through.
    const bytes = new TextEncoder().encode(tooBig);
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 256 * 1024) controller.enqueue(bytes.slice(at, at + 256 * 1024));
        controller.close();
      },
    });
    const streamed = await fetch(url, { method: "POST", headers: sessionHeaders(), body: chunked, duplex: "half" } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { error: { code: number } }).error.code).toBe(-32002);
    // The session is still usable.
    expect(textOf(await main.client.callTool({ name: "echo", arguments: { text: "still here" } }))).toBe("still here");
  });

  test("the upstream gets its configured headers (env: secret resolved) and the identity header, set by the appliance alone", async () => {
    const clientId = main.provider.clientInformation()!.client_id;
    const spoofed = await fetch(url, {
      method: "POST",
      headers: { ...sessionHeaders(), "x-mcp-client": "oauth:mallory", "x-api-key": "the client's guess" },
      body: JSON.stringify({ jsonrpc: "2.0", id: "spoof", method: "ping" }),
    });
    expect(spoofed.status).toBe(200);
    await spoofed.text();
    const fromMain = upstream.requests.filter(
      (r) => r.headers["mcp-session-id"] === main.transport.sessionId || r.body.includes('"initialize"'),
    );
    expect(fromMain.length).toBeGreaterThan(5);
    for (const request of fromMain) {
      expect(request.headers["x-api-key"]).toBe(API_KEY);
      expect(request.headers.authorization).toBe(UPSTREAM_CREDENTIAL);
      expect(request.headers["x-mcp-client"]).toBe(`oauth:${clientId}`);
    }
    const spoofedUpstream = upstream.requests.find((r) => r.body.includes('"id":"spoof"'))!;
    expect(spoofedUpstream.rawHeaders.filter((h) => h.toLowerCase() === "x-mcp-client")).toHaveLength(1);
    expect(spoofedUpstream.rawHeaders.filter((h) => h.toLowerCase() === "x-api-key")).toHaveLength(1);
    // The upstream's URL path, not the public one; the query goes along.
    await fetch(`${url}?probe=1`, {
      method: "POST",
      headers: sessionHeaders(),
      body: JSON.stringify({ jsonrpc: "2.0", id: "q", method: "ping" }),
    }).then((r) => r.text());
    expect(upstream.requests.at(-1)!.url).toBe("/mcp?probe=1");
  });

  test("a session id opened by one client is unknown to another (404, never forwarded)", async () => {
    const other = new MemoryOAuthProvider("http://127.0.0.1:47999/other-callback");
    providers.push(other);
    const token = await accessToken(appliance, url, other);
    const before = upstream.requests.length;
    for (const method of ["POST", "GET", "DELETE"]) {
      const response = await fetch(url, {
        method,
        headers: {
          ...MCP_HEADERS,
          accept: method === "GET" ? "text/event-stream" : MCP_HEADERS.accept,
          authorization: `Bearer ${token}`,
          "mcp-session-id": main.transport.sessionId!,
        },
        ...(method === "POST" && { body: JSON.stringify({ jsonrpc: "2.0", id: 5, method: "ping" }) }),
      });
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32600);
    }
    // An id the upstream never gave out is refused the same way.
    const made_up = await fetch(url, {
      method: "POST",
      headers: { ...MCP_HEADERS, authorization: `Bearer ${token}`, "mcp-session-id": "made-up" },
      body: "{}",
    });
    expect(made_up.status).toBe(404);
    expect(upstream.requests.length).toBe(before);
    // The owner's session is untouched.
    expect(textOf(await main.client.callTool({ name: "echo", arguments: { text: "mine" } }))).toBe("mine");
  });

  test("after DELETE the session id is forgotten: later requests get 404 without reaching the upstream", async () => {
    const second = await connectWithOAuth(appliance, url, new MemoryOAuthProvider("http://127.0.0.1:47998/cb"));
    providers.push(second.provider);
    const session = second.transport.sessionId!;
    await second.transport.terminateSession();
    expect(upstream.requests.at(-1)!.method).toBe("DELETE");
    const before = upstream.requests.length;
    const after = await fetch(url, {
      method: "POST",
      headers: { ...MCP_HEADERS, authorization: bearer(second.provider), "mcp-session-id": session },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    expect(after.status).toBe(404);
    expect(upstream.requests.length).toBe(before);
  });

  test("/healthz lists the server as http with its upstream's origin only", async () => {
    const health = (await (await fetch(new URL("/healthz", appliance.url))).json()) as { servers: Record<string, unknown> };
    expect(health.servers.blog).toEqual({
      kind: "http",
      path: "/blog/mcp",
      upstream: `http://127.0.0.1:${upstream.port}`,
      sessions: expect.any(Number),
    });
    expect(JSON.stringify(health)).not.toContain(API_KEY);
  });

  test("the path is a protected resource of its own (RFC 9728)", async () => {
    const response = await fetch(new URL("/.well-known/oauth-protected-resource/blog/mcp", appliance.url));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ resource: url.href, scopes_supported: ["mcp:blog"] });
    const unauthenticated = await fetch(url, {
      method: "POST",
      headers: MCP_HEADERS,
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get("www-authenticate")).toContain(
      `resource_metadata="${appliance.url}/.well-known/oauth-protected-resource/blog/mcp"`,
    );
  });

  test("cookies and proxy credentials of the client are not forwarded either", async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        ...sessionHeaders(),
        cookie: "session=client-cookie",
        "proxy-authorization": "Basic Y2xpZW50OnNlY3JldA==",
        "x-custom": "client-only",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: "cookie", method: "ping" }),
    });
    expect(response.status).toBe(200);
    await response.text();
    const received = upstream.requests.find((r) => r.body.includes('"id":"cookie"'))!;
    expect(received.headers.cookie).toBeUndefined();
    expect(received.headers["proxy-authorization"]).toBeUndefined();
    expect(received.headers["x-custom"]).toBeUndefined();
  });

  // Last: it checks everything the tests above sent.
  test("no client's token (access or refresh) is anywhere in what the upstream received", async () => {
    const secrets = providers.flatMap((p) => [p.tokens()?.access_token, p.tokens()?.refresh_token]).filter((t): t is string => !!t);
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    const received = upstream.everythingReceived();
    expect(received.length).toBeGreaterThan(3 * MiB);
    for (const secret of secrets) expect(received.includes(secret)).toBe(false);
    expect(received).not.toContain("mcpa_");
    expect(received).not.toContain("mcpr_");
  });
});
