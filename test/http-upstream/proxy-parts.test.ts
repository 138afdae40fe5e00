// The proxy's small parts on their own: which headers cross, and the bounded session-owner map.
import { describe, expect, test } from "bun:test";
import { clientResponseHeaders, upstreamRequestHeaders } from "../../src/bridge/upstream-headers.ts";
import { SessionOwners } from "../../src/bridge/upstream-sessions.ts";
import { upstreamAddress } from "../../src/config/upstream.ts";

describe("headers towards the upstream", () => {
  const incoming = new Headers({
    accept: "application/json, text/event-stream",
    "content-type": "application/json",
    "mcp-session-id": "s1",
    "mcp-protocol-version": "2025-11-25",
    "last-event-id": "e7",
    "mcp-method": "tools/call",
    "mcp-name": "search",
    "mcp-param-region": "us-west1",
    authorization: "Bearer mcpa_client_token",
    cookie: "owner=1",
    "proxy-authorization": "Basic x",
    "x-forwarded-for": "203.0.113.9",
    "x-mcp-client": "oauth:mallory",
    "accept-encoding": "gzip",
    host: "mcp.example.com",
  });

  test("only the MCP transport's headers (2026-07-28 request metadata too) pass, plus the configured ones and the identity header", () => {
    const out = upstreamRequestHeaders(incoming, {
      headers: { "X-Api-Key": "k", Authorization: "Bearer upstream" },
      identityHeader: "X-MCP-Client",
      principal: "oauth:alice",
    });
    expect(Object.fromEntries(out)).toEqual({
      accept: "application/json, text/event-stream",
      "content-type": "application/json",
      "mcp-session-id": "s1",
      "mcp-protocol-version": "2025-11-25",
      "last-event-id": "e7",
      "mcp-method": "tools/call",
      "mcp-name": "search",
      "mcp-param-region": "us-west1",
      "accept-encoding": "identity",
      "x-api-key": "k",
      authorization: "Bearer upstream",
      "x-mcp-client": "oauth:alice",
    });
  });

  test('without a principal (auth = "none") the identity header is absent, not the client\'s', () => {
    const out = upstreamRequestHeaders(incoming, { headers: {}, identityHeader: "X-MCP-Client" });
    expect(out.get("x-mcp-client")).toBeNull();
    expect(out.get("authorization")).toBeNull();
  });

  test("a header the client names in Connection is hop-by-hop, even an MCP one", () => {
    const out = upstreamRequestHeaders(new Headers({ connection: "Last-Event-ID", "last-event-id": "e1", accept: "text/event-stream" }), {
      headers: {},
    });
    expect(out.get("last-event-id")).toBeNull();
    expect(out.get("accept")).toBe("text/event-stream");
  });

  test("principals outside visible ASCII are percent-encoded", () => {
    const out = upstreamRequestHeaders(incoming, { headers: {}, identityHeader: "X-MCP-Client", principal: "static:café 😀" });
    expect(out.get("x-mcp-client")).toBe("static:caf%C3%A9 %F0%9F%98%80");
  });
});

describe("headers back to the client", () => {
  test("hop-by-hop, Connection-named, framing, cookie, challenge and CORS headers are dropped", () => {
    const upstream = new Headers({
      connection: "close, X-Private",
      "x-private": "1",
      "keep-alive": "timeout=5",
      "transfer-encoding": "chunked",
      "content-length": "10",
      "proxy-authenticate": "Basic",
      "set-cookie": "a=1",
      "www-authenticate": "Bearer",
      "access-control-allow-origin": "*",
      "content-type": "text/event-stream",
      "mcp-session-id": "s1",
      "cache-control": "no-cache",
    });
    expect(Object.fromEntries(clientResponseHeaders(upstream))).toEqual({
      "content-type": "text/event-stream",
      "mcp-session-id": "s1",
      "cache-control": "no-cache",
    });
  });
});

describe("SessionOwners", () => {
  test("binds, answers, drops", () => {
    const owners = new SessionOwners();
    owners.bind("s1", "oauth:a");
    expect(owners.ownerOf("s1")).toBe("oauth:a");
    expect(owners.ownerOf("s2")).toBeUndefined();
    owners.drop("s1");
    expect(owners.ownerOf("s1")).toBeUndefined();
    expect(owners.size).toBe(0);
  });

  test("is bounded: the least recently used session is forgotten first", () => {
    const owners = new SessionOwners(3);
    for (const id of ["a", "b", "c"]) owners.bind(id, "p");
    owners.ownerOf("a");
    owners.bind("d", "p");
    expect(owners.size).toBe(3);
    expect(owners.ownerOf("b")).toBeUndefined();
    expect(["a", "c", "d"].map((id) => owners.ownerOf(id))).toEqual(["p", "p", "p"]);
  });
});

describe("upstreamAddress (for the firewall)", () => {
  test("the host and port an upstream URL connects to, default ports included", () => {
    expect(upstreamAddress("http://127.0.0.1:4000/mcp")).toEqual({ host: "127.0.0.1", port: 4000 });
    expect(upstreamAddress("http://[::1]:4001/mcp")).toEqual({ host: "::1", port: 4001 });
    expect(upstreamAddress("http://localhost/mcp")).toEqual({ host: "localhost", port: 80 });
    expect(upstreamAddress("https://127.0.0.2/mcp")).toEqual({ host: "127.0.0.2", port: 443 });
    expect(upstreamAddress("https://mcp.example.net:8443/mcp")).toEqual({ host: "mcp.example.net", port: 8443 });
  });
});
