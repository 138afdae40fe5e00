// What a client sees when the upstream is down (502), slow to answer (504 after
// upstream_timeout), fails in the middle of a stream (the stream ends), or answers with things
// that are not the client's business (hop-by-hop headers, cookies, its own challenges,
// redirects). Every error the appliance makes itself has a JSON-RPC error body.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ConfigError, parseConfig } from "../../src/config/load.ts";
import type { TestAppliance } from "../helpers/appliance.ts";
import {
  accessToken,
  connectWithOAuth,
  httpServersFrom,
  initializeBody,
  MCP_HEADERS,
  publicUrl,
  rawSession,
  startOAuthAppliance,
  textOf,
} from "./harness.ts";
import { UpstreamMcpServer } from "./upstream-server.ts";

let upstream: UpstreamMcpServer;
let doomed: UpstreamMcpServer;
let appliance: TestAppliance;

beforeAll(async () => {
  upstream = await UpstreamMcpServer.start();
  doomed = await UpstreamMcpServer.start();
  const httpServers = await httpServersFrom(`
[servers.down]
url = "${doomed.url()}"

[servers.slow]
url = "${upstream.url("/slow/mcp")}"
upstream_timeout = "1s"

[servers.raw]
url = "${upstream.url("/raw/mcp")}"

[servers.refused]
url = "${upstream.url("/status/401")}"

[servers.redirect]
url = "${upstream.url("/status/307")}"
`);
  appliance = await startOAuthAppliance(httpServers);
});

afterAll(async () => {
  await appliance?.stop();
  await upstream?.stop();
  await doomed?.stop().catch(() => {});
});

type JsonRpcError = { jsonrpc: string; id: null; error: { code: number; message: string } };

async function post(server: string, token: string, body = initializeBody(), headers: Record<string, string> = {}) {
  return fetch(publicUrl(appliance, server), {
    method: "POST",
    headers: { ...MCP_HEADERS, authorization: `Bearer ${token}`, ...headers },
    body,
  });
}

describe("upstream failures", () => {
  test("a stream the upstream stops in the middle just ends; then the stopped upstream is a 502 with a JSON-RPC error", async () => {
    const url = publicUrl(appliance, "down");
    const { client, provider } = await connectWithOAuth(appliance, url);
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "up" } }))).toBe("up");
    const token = provider.tokens()!.access_token;
    const session = await rawSession(url, token);

    const streaming = await post(
      "down",
      token,
      JSON.stringify({
        jsonrpc: "2.0",
        id: "long",
        method: "tools/call",
        params: { name: "progress", arguments: { steps: 50, delayMs: 100 }, _meta: { progressToken: 1 } },
      }),
      { "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" },
    );
    expect(streaming.status).toBe(200);
    const reader = streaming.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain("notifications/progress");
    await doomed.stop();
    // No error for the client to handle: the stream ends (before the answer ever came).
    let rest = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).not.toContain('"id":"long"');

    const down = await post("down", token, JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping" }), { "mcp-session-id": session });
    expect(down.status).toBe(502);
    expect(down.headers.get("content-type")).toBe("application/json");
    const body = (await down.json()) as JsonRpcError;
    expect(body).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32000 } });
    expect(body.error.message).not.toContain(String(doomed.port));
    expect((await post("down", token)).status).toBe(502);
    await expect(client.callTool({ name: "echo", arguments: { text: "down" } })).rejects.toThrow();
    expect(appliance.logs.some((line) => line.includes("the upstream cannot be reached") && line.includes('"server":"down"'))).toBe(true);
  });

  test("an upstream that sends no response headers within upstream_timeout (1s) gets the client a 504 with a JSON-RPC error", async () => {
    const token = await accessToken(appliance, publicUrl(appliance, "slow"));
    const startedAt = Date.now();
    const response = await post("slow", token);
    const waited = Date.now() - startedAt;
    expect(response.status).toBe(504);
    expect((await response.json()) as JsonRpcError).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32001 } });
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(upstream.slowMs - 500);
    expect(upstream.requests.some((r) => r.url === "/slow/mcp")).toBe(true);
  });

  test("hop-by-hop headers, cookies, the upstream's challenge and its CORS headers stop at the appliance, both ways", async () => {
    const token = await accessToken(appliance, publicUrl(appliance, "raw"));
    const response = await post("raw", token, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }), {
      "x-hop-in": "client side",
      connection: "x-hop-in",
      te: "trailers",
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ jsonrpc: "2.0", id: 1, result: { raw: true } });
    expect(response.headers.get("x-kept")).toBe("yes");
    expect(response.headers.get("mcp-session-id")).toBe("raw-session");
    for (const name of [
      "x-hop-secret",
      "keep-alive",
      "proxy-authenticate",
      "set-cookie",
      "www-authenticate",
      "access-control-allow-origin",
    ]) {
      expect(response.headers.get(name)).toBeNull();
    }
    const received = upstream.requests.at(-1)!;
    expect(received.url).toBe("/raw/mcp");
    expect(received.headers["x-hop-in"]).toBeUndefined();
    expect(received.headers.te).toBeUndefined();
    expect(received.headers.authorization).toBeUndefined();
    expect(received.headers["accept-encoding"]).toBe("identity");
  });

  test("an upstream 401 (the appliance's credential was refused) and a redirect become 502s, never passed on", async () => {
    for (const server of ["refused", "redirect"]) {
      const token = await accessToken(appliance, publicUrl(appliance, server));
      const response = await post(server, token);
      expect(response.status).toBe(502);
      expect(response.headers.get("www-authenticate")).toBeNull();
      expect(response.headers.get("location")).toBeNull();
      expect(((await response.json()) as JsonRpcError).error.code).toBe(-32000);
    }
  });

  test("methods other than GET, POST and DELETE get a 405 without reaching the upstream", async () => {
    const token = await accessToken(appliance, publicUrl(appliance, "raw"));
    const before = upstream.requests.length;
    const response = await fetch(publicUrl(appliance, "raw"), { method: "PUT", headers: { authorization: `Bearer ${token}` }, body: "{}" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, POST, DELETE");
    expect(upstream.requests.length).toBe(before);
  });
});

describe("upstream addresses in the configuration", () => {
  const load = (table: string) => parseConfig(`auth = "none"\n[servers.remote]\n${table}`, "/etc/mcp.toml", {});

  test("a remote upstream is refused unless allow_remote_upstream = true", async () => {
    const refused = await load(`url = "https://mcp.example.net/mcp"`).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).problems).toEqual([
      `/etc/mcp.toml: servers.remote.url: "https://mcp.example.net/mcp" is not on this machine (localhost, 127.0.0.0/8 or ::1): set allow_remote_upstream = true to proxy to another host`,
    ]);
    const allowed = await load(`url = "https://mcp.example.net/mcp"\nallow_remote_upstream = true`);
    expect(allowed.httpServers.map((s) => s.url)).toEqual(["https://mcp.example.net/mcp"]);
  });

  test("loopback in every spelling is accepted without it", async () => {
    for (const host of ["127.0.0.1", "127.8.9.10", "[::1]", "localhost", "LocalHost"]) {
      expect((await load(`url = "http://${host}:4000/mcp"`)).httpServers).toHaveLength(1);
    }
    for (const host of ["0.0.0.0", "[::]", "127.0.0.1.nip.io", "[::ffff:127.0.0.1]", "10.0.0.1"]) {
      await expect(load(`url = "http://${host}:4000/mcp"`)).rejects.toBeInstanceOf(ConfigError);
    }
  });
});
