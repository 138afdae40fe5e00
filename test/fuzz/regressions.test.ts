// Bugs the fuzz suite found, one regression test each: they stay fixed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "../helpers/appliance.ts";
import { initializeRequest } from "../helpers/mcp-raw.ts";
import { RawConnection } from "../helpers/raw-http.ts";
import { rawSend } from "./harness.ts";
import { ACCEPT_BOTH, type FuzzTarget, startFuzzTarget } from "./target.ts";

let target: FuzzTarget;

beforeAll(async () => {
  target = await startFuzzTarget();
});
afterAll(async () => {
  await target?.stop();
});

const bearer = () => `Bearer ${target.a.tokens.access_token}`;

async function initialize(version: string, id: number | string = 0): Promise<string> {
  const response = await fetch(target.mcpUrl, {
    method: "POST",
    headers: { authorization: bearer(), "content-type": "application/json", accept: ACCEPT_BOTH },
    body: JSON.stringify(initializeRequest({ id, protocolVersion: version, client: "bug" })),
  });
  await response.text();
  const session = response.headers.get("mcp-session-id");
  if (!session) throw new Error(`initialize failed with ${response.status}`);
  return session;
}

/** How long until the response headers arrive (Infinity when not within `limitMs`). */
async function headersAfter(url: string, headers: Record<string, string>, limitMs: number): Promise<{ ms: number; status?: number }> {
  const started = performance.now();
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(limitMs) });
    await response.body?.cancel();
    return { ms: performance.now() - started, status: response.status };
  } catch {
    return { ms: Number.POSITIVE_INFINITY };
  }
}

/** Nested arrays `depth` deep: JSON.parse takes them, JSON.stringify runs out of stack (Bun 1.4: past ~45 000). */
const deep = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

/** Send `bytes` of a chunked body and never finish it: the status line if one comes within `limitMs`. */
async function stalledChunkedBody(path: string, contentType: string, bytes: number, limitMs: number): Promise<string> {
  const chunk = "a".repeat(bytes);
  const connection = new RawConnection(
    target.appliance.port,
    `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: ${contentType}\r\ntransfer-encoding: chunked\r\n\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n`,
  );
  const received = () => connection.text("latin1");
  try {
    await connection.until(() => received().includes("\r\n"), "a status line", limitMs);
    return received().slice(0, received().indexOf("\r\n"));
  } catch {
    return connection.ended ? received() || "connection error" : `no answer within ${limitMs} ms`;
  } finally {
    connection.destroy();
  }
}

describe("bugs found by the fuzz suite", () => {
  // src/bridge/session.ts, Session.openStream: for a client of 2025-06-18 or older nothing is
  // written when the stream opens (no priming event), and a resumed stream with nothing to replay
  // writes nothing either; Bun sends the response headers with the first body bytes, so the
  // client's GET waits for the first keep-alive, up to 15 s (clients and proxies with a header
  // timeout give up). Fix: write a comment frame (":\n\n") whenever nothing else is written at once.
  test("a GET stream with nothing to send yet gets its response headers at once, not with the first keep-alive", async () => {
    const old = await initialize("2025-06-18");
    const current = await initialize("2025-11-25");
    const stream = (session: string, extra: Record<string, string>) =>
      headersAfter(target.mcpUrl, { authorization: bearer(), accept: "text/event-stream", "mcp-session-id": session, ...extra }, 3000);
    const [forOld, resumed] = await Promise.all([
      stream(old, { "mcp-protocol-version": "2025-06-18" }),
      stream(current, { "mcp-protocol-version": "2025-11-25", "last-event-id": "g.0" }),
    ]);
    expect({ "2025-06-18 stream": forOld.ms < 2000, "resumed 2025-11-25 stream": resumed.ms < 2000 }).toEqual({
      "2025-06-18 stream": true,
      "resumed 2025-11-25 stream": true,
    });
  }, 20_000);

  // src/bridge/request-body.ts, parseBody: each element of a batch is re-serialised with
  // JSON.stringify, which throws RangeError ("Maximum call stack size exceeded") on nesting that
  // JSON.parse accepted. Any client with a token (or anyone with auth = "none") gets a 500, the
  // legacy message endpoint too. Fix: catch the RangeError and answer 400 (-32600), or refuse
  // nesting deeper than a fixed bound before parsing.
  test("a deeply nested message inside a batch is refused with 400, not 500", async () => {
    const body = `[{"jsonrpc":"2.0","method":"notifications/x","params":{"a":${deep(60_000)}}}]`;
    const streamable = await fetch(target.mcpUrl, {
      method: "POST",
      headers: { authorization: bearer(), "content-type": "application/json", accept: ACCEPT_BOTH },
      body,
    });
    await streamable.text();
    expect(streamable.status).toBe(400);
  });

  // src/app.ts: `.onError(...)` is added after `.use(mcpRoutes(...))`, and Elysia applies a hook
  // only to routes registered after it, so an exception inside an MCP route never reaches it:
  // Elysia's default answers 500 text/plain with the raw exception message ("Maximum call stack
  // size exceeded.", "Invalid URL"), and neither the error nor the request is logged (the access
  // log line is written after the handler returns). Fix: register onError first (right after
  // `new Elysia()`), or with `{ as: "global" }`. (The two triggers below are bugs of their own;
  // once both are fixed this test passes without exercising the handler.)
  test("an exception inside an MCP route reaches the error handler: JSON, logged, no raw message", async () => {
    const before = target.appliance.logs.length;
    const triggers = [
      await fetch(target.mcpUrl, {
        method: "POST",
        headers: { authorization: bearer(), "content-type": "application/json", accept: ACCEPT_BOTH },
        body: `[{"jsonrpc":"2.0","method":"x","params":{"a":${deep(60_000)}}}]`,
      }).then(async (r) => ({ status: r.status, type: r.headers.get("content-type") ?? "", body: await r.text() })),
      await rawSend(
        target.appliance.port,
        Buffer.from(
          `POST /vault/sse/message?sessionId=x HTTP/1.1\r\nhost: 127.0.0.1:99999\r\nauthorization: ${bearer()}\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}`,
          "latin1",
        ),
      ).then((r) => ({ status: r.status, type: /content-type: *([^\r\n]*)/i.exec(r.head)?.[1] ?? "", body: r.body.toString() })),
    ];
    const failed = triggers.filter((a) => a.status >= 500);
    const logged = () => target.appliance.logs.slice(before);
    // The error line may follow the answer: wait for it (bounded) when there was a 500.
    if (failed.length > 0) await eventually(() => logged().some((line) => line.includes('"level":"error"')), "the 500 is logged", 5000);
    for (const answer of failed) {
      expect({ status: answer.status, type: answer.type.split(";")[0], body: answer.body }).toEqual({
        status: 500,
        type: "application/json",
        body: '{"error":"server_error"}',
      });
      expect(logged().some((line) => line.includes('"level":"error"'))).toBe(true);
    }
  });

  // src/http/request-policy.ts hostnameOf/hostAllowed and src/http/front-door.ts: the Host check
  // drops the port without looking at it, so "127.0.0.1:99999" or "localhost:x" pass as loopback;
  // Bun then builds request.url from that Host and every `new URL(request.url)` throws
  // "Invalid URL": GET /authorize and the protected-resource documents answer 500 server_error,
  // the legacy message endpoint 500 text/plain. Fix: refuse a Host whose port is not 1-65535
  // digits (400 or 421) in the front door, before any route.
  test("a Host header whose port is not a port is refused by the Host check", async () => {
    const statuses: Record<string, number> = {};
    for (const host of ["127.0.0.1:99999", "localhost:x"]) {
      for (const [method, path, extra] of [
        ["GET", "/authorize?client_id=x", ""],
        ["GET", "/.well-known/oauth-protected-resource/vault/mcp", ""],
        ["POST", "/vault/sse/message?sessionId=x", `authorization: ${bearer()}\r\ncontent-type: application/json\r\ncontent-length: 2\r\n`],
      ] as const) {
        const answer = await rawSend(
          target.appliance.port,
          Buffer.from(
            `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\n${extra}connection: close\r\n\r\n${method === "POST" ? "{}" : ""}`,
            "latin1",
          ),
        );
        statuses[`${host} ${method} ${path}`] = answer.status;
      }
    }
    const serverErrors = Object.entries(statuses).filter(([, status]) => status >= 500);
    expect(serverErrors).toEqual([]);
  });

  // src/http/oauth-routes.ts, readLimited: the 64 KiB limit of the OAuth endpoints is checked
  // against Content-Length, and otherwise only after `request.text()` has read the whole body. A
  // chunked body is therefore buffered up to the server-wide maxRequestBodySize (the largest
  // max_message_size + 64 KiB: 16 MiB by default) before the 413, and a client that stops
  // sending holds the request open until the idle timeout. Fix: read the stream with a running
  // count and cancel at the limit, as src/common/request-body.ts readBodyLimited does.
  test("/token, /revoke, /register and the /authorize form stop reading a chunked body at their 64 KiB limit", async () => {
    const endpoints = [
      ["/token", "application/x-www-form-urlencoded"],
      ["/revoke", "application/x-www-form-urlencoded"],
      ["/register", "application/json"],
      ["/authorize", "application/x-www-form-urlencoded"],
    ] as const;
    const lines = await Promise.all(endpoints.map(([path, type]) => stalledChunkedBody(path, type, 100 * 1024, 2000)));
    const answers = Object.fromEntries(endpoints.map(([path], i) => [path, /^HTTP\/1\.1 (\d{3})/.exec(lines[i]!)?.[1] ?? lines[i]!]));
    // The form page answers an oversized form with its 400 page; the others with 413.
    expect(answers).toEqual({ "/token": "413", "/revoke": "413", "/register": "413", "/authorize": "400" });
  }, 20_000);

  // src/bridge/session.ts, fromChild: every response whose id equals the initialize request's
  // is treated as the initialize response (initializeKey is never cleared), so a later request
  // that reuses that id and is answered with an error ends the session ("the MCP server refused
  // initialize"), and a result with a protocolVersion field changes the session's version.
  // Clients MUST NOT reuse ids (MCP basic §Requests), so only a misbehaving client's own session
  // is hit; low severity. Fix: clear initializeKey once the initialize response is delivered.
  test("a later request reusing the initialize request's id does not end the session when answered with an error", async () => {
    const session = await initialize("2025-11-25", 7);
    const headers = {
      authorization: bearer(),
      "content-type": "application/json",
      accept: ACCEPT_BOTH,
      "mcp-session-id": session,
      "mcp-protocol-version": "2025-11-25",
    };
    const reuse = await fetch(target.mcpUrl, { method: "POST", headers, body: '{"jsonrpc":"2.0","id":7,"method":"no/such/method"}' });
    expect(reuse.status).toBe(200);
    await reuse.text();
    // Had the error answer ended the session, it would have ended in the step that delivered
    // the answer, before the answer reached us: nothing to wait for.
    const ping = await fetch(target.mcpUrl, { method: "POST", headers, body: '{"jsonrpc":"2.0","id":8,"method":"ping"}' });
    await ping.text();
    expect(ping.status).toBe(200);
  });
});
