// Property-based fuzzing of the MCP endpoints (Streamable HTTP at /vault/mcp, legacy HTTP+SSE at
// /vault/sse and /vault/sse/message) of a running appliance with OAuth: random and mutated
// JSON-RPC on a live session with a valid token, and any request at all — methods, credentials
// in many shapes, session ids, protocol versions, Accept, Content-Type, Origin, Last-Event-ID,
// cookies — with and without a token. Every answer: no 5xx but a deliberate 502/503/504 with a
// JSON-RPC error, no secret, within the deadline; the process healthy after each property.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { eventually } from "../helpers/appliance.ts";
import { anyText, authorizationHeader, headerText, jsonRpcBody, mutatedBody } from "./arbitraries.ts";
import { expectHealthy, expectSafe, fuzz, printSummary, REQUEST_TIMEOUT_MS, type Sent, secretsInLog, send } from "./harness.ts";
import { ACCEPT_BOTH, type FuzzTarget, MAX_MESSAGE_BYTES, startFuzzTarget } from "./target.ts";

let target: FuzzTarget;
/** Client A's live Streamable HTTP session; reopened whenever a case ends it. */
let session: string;
/** Client A's live legacy SSE session, and the response and reader that keep its stream open (a collected Response closes it). */
let legacy: { id: string; response: Response; reader: { cancel(): Promise<void> } };

const INITIALIZE =
  '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}}';

function bearerA(): string {
  return `Bearer ${target.a.tokens.access_token}`;
}

async function openSession(): Promise<string> {
  const headers = { authorization: bearerA(), "content-type": "application/json", accept: ACCEPT_BOTH };
  const answer = await send({ method: "POST", url: target.mcpUrl, headers, body: INITIALIZE });
  const id = answer.headers.get("mcp-session-id");
  if (answer.status !== 200 || !id) throw new Error(`initialize failed (${answer.status}): ${answer.body}`);
  await send({
    method: "POST",
    url: target.mcpUrl,
    headers: { ...headers, "mcp-session-id": id },
    body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
  });
  return id;
}

async function openLegacy(): Promise<typeof legacy> {
  const response = await fetch(new URL("/vault/sse", target.base), {
    headers: { authorization: bearerA(), accept: "text/event-stream" },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const reader = response.body!.getReader();
  let text = "";
  while (!/sessionId=([^\s&]+)/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the legacy stream ended early: ${text}`);
    text += new TextDecoder().decode(value);
  }
  return { id: /sessionId=([^\s&]+)/.exec(text)![1]!, response, reader };
}

/** Is A's session still there? (A case may have DELETEd it, or crashed its child.) */
async function keepSessionAlive(): Promise<void> {
  const ping = await send(
    {
      method: "POST",
      url: target.mcpUrl,
      headers: { authorization: bearerA(), "content-type": "application/json", accept: ACCEPT_BOTH, "mcp-session-id": session },
      body: '{"jsonrpc":"2.0","id":"alive?","method":"ping"}',
    },
    { count: false },
  );
  if (ping.status === 404) session = await openSession();
}

/** Send one fuzz case, check the answer, and clean up what it may have changed. */
async function mcpCase(sent: Sent): Promise<void> {
  const answer = await send(sent);
  expectSafe(target.book, sent, answer);
  // A session the case itself opened (an initialize got through) is ended again.
  const opened = answer.headers.get("mcp-session-id");
  if (opened && opened !== session) {
    const headers: Record<string, string> = { "mcp-session-id": opened };
    if (sent.headers.authorization) headers.authorization = sent.headers.authorization;
    await send({ method: "DELETE", url: target.mcpUrl, headers }, { count: false });
  }
  if (sent.headers["mcp-session-id"] === session) await keepSessionAlive();
}

beforeAll(async () => {
  target = await startFuzzTarget();
  session = await openSession();
  legacy = await openLegacy();
});
afterAll(async () => {
  printSummary("mcp-endpoint");
  await legacy?.reader.cancel().catch(() => {});
  await target?.stop();
});
afterEach(async () => {
  await expectHealthy(target.base);
});

const VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

const protocolHeader = fc.oneof(fc.constant(undefined), fc.constantFrom(...VERSIONS), headerText(20));

function liveHeaders(version: string | undefined): Record<string, string> {
  return {
    authorization: bearerA(),
    "content-type": "application/json",
    accept: ACCEPT_BOTH,
    "mcp-session-id": session,
    ...(version !== undefined ? { "mcp-protocol-version": version } : {}),
  };
}

describe("fuzz: the MCP endpoint", () => {
  test("random JSON-RPC messages and batches on a live session with a valid token", async () => {
    await fuzz(
      "random JSON-RPC, live session",
      fc.record({ body: jsonRpcBody, version: fc.oneof(fc.constant(undefined), fc.constantFrom(...VERSIONS)) }),
      1000,
      async ({ body, version }) => {
        await mcpCase({ method: "POST", url: target.mcpUrl, headers: liveHeaders(version), body });
      },
    );
  });

  test("mutated JSON-RPC (byte edits, truncation, repetition, nesting bombs) on a live session", async () => {
    await fuzz(
      "mutated JSON-RPC, live session",
      fc.record({ body: mutatedBody, version: fc.oneof(fc.constant(undefined), fc.constant("2025-03-26")) }),
      1000,
      async ({ body, version }) => {
        await mcpCase({ method: "POST", url: target.mcpUrl, headers: liveHeaders(version), body });
      },
    );
  });

  test("bodies around max_message_size, sent with a length and chunked", async () => {
    const size = fc.oneof(
      fc.integer({ min: MAX_MESSAGE_BYTES - 64, max: MAX_MESSAGE_BYTES + 64 }),
      fc.integer({ min: 1, max: 2 * MAX_MESSAGE_BYTES }),
    );
    await fuzz(
      "sizes around the limit",
      fc.record({ size, chunked: fc.boolean(), fill: fc.constantFrom("a", "é", "\\n", " ") }),
      60,
      async ({ size, chunked, fill }) => {
        const head = '{"jsonrpc":"2.0","id":"big","method":"tools/call","params":{"name":"echo","arguments":{"text":"';
        const tail = '"}}}';
        const text = `${head}${fill.repeat(Math.max(0, Math.ceil((size - head.length - tail.length) / Buffer.byteLength(fill))))}${tail}`;
        const sent: Sent = { method: "POST", url: target.mcpUrl, headers: liveHeaders(undefined), body: text };
        if (!chunked) return mcpCase(sent);
        const bytes = new TextEncoder().encode(text);
        const response = await fetch(sent.url, {
          method: "POST",
          headers: sent.headers,
          body: new ReadableStream({
            start(controller) {
              for (let i = 0; i < bytes.length; i += 16_384) controller.enqueue(bytes.subarray(i, i + 16_384));
              controller.close();
            },
          }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const answer = { status: response.status, headers: response.headers, body: await response.text(), ms: 0 };
        expectSafe(target.book, { ...sent, body: "" }, answer);
        if (bytes.length > MAX_MESSAGE_BYTES) expect(answer.status).toBe(413);
      },
    );
  });

  test("any request: methods, credentials in many shapes, session ids, versions, Accept, Content-Type, Origin, Last-Event-ID, cookies", async () => {
    const t = () => target;
    // Each header is the right one most of the time, so that cases get past the earlier checks.
    const mostly = <T>(right: T, wrong: fc.Arbitrary<T>) =>
      fc.oneof({ weight: 3, arbitrary: fc.constant(right) }, { weight: 1, arbitrary: wrong });
    const arbitrary = fc.record({
      method: fc.constantFrom("GET", "POST", "POST", "POST", "POST", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD"),
      authorization: mostly<string | undefined>(
        "A",
        fc
          .constantFrom("a", "b", "c", "static", "refresh")
          .chain((which) =>
            authorizationHeader([
              which === "b"
                ? t().b.tokens.access_token
                : which === "c"
                  ? t().c.tokens.access_token
                  : which === "static"
                    ? t().staticToken
                    : which === "refresh"
                      ? t().a.tokens.refresh_token!
                      : t().a.tokens.access_token,
              `mcpa_${"A".repeat(43)}`,
            ]),
          ),
      ),
      session: mostly<string | undefined>(
        "live",
        fc.oneof(fc.constant(undefined), headerText(60), fc.constantFrom("", " ", "null", "../", "0".repeat(32))),
      ),
      version: protocolHeader,
      accept: mostly<string | undefined>(
        ACCEPT_BOTH,
        fc.oneof(
          fc.constantFrom(
            undefined,
            "text/event-stream",
            "application/json",
            "*/*",
            "application/*",
            "text/*;q=0",
            "application/json;q=0, text/event-stream;q=0",
          ),
          headerText(60),
        ),
      ),
      contentType: mostly<string | undefined>(
        "application/json",
        fc.oneof(
          fc.constantFrom(
            undefined,
            "application/json; charset=utf-8",
            "APPLICATION/JSON",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json-seq",
          ),
          headerText(60),
        ),
      ),
      origin: mostly<string | undefined>(
        undefined,
        fc.oneof(
          fc.constantFrom("own", "http://localhost:6274", "https://evil.example", "null", "file://", "http://127.0.0.1.evil.example"),
          headerText(60),
        ),
      ),
      lastEventId: fc.oneof(
        fc.constant(undefined),
        fc.constantFrom("g.0", "g.1", "p1.0", "p999999.0", "g.-1", "g.1e400", ".", "g."),
        headerText(60),
      ),
      cookie: fc.oneof(fc.constant(undefined), fc.constant("owner"), headerText(100)),
      body: fc.oneof(jsonRpcBody, mutatedBody, anyText(200)),
    });
    await fuzz("any request to the MCP endpoint", arbitrary, 1500, async (c) => {
      const headers: Record<string, string> = {};
      if (c.authorization !== undefined) headers.authorization = c.authorization === "A" ? bearerA() : c.authorization;
      if (c.session !== undefined) headers["mcp-session-id"] = c.session === "live" ? session : c.session;
      if (c.version !== undefined) headers["mcp-protocol-version"] = c.version;
      if (c.accept !== undefined) headers.accept = c.accept;
      if (c.contentType !== undefined) headers["content-type"] = c.contentType;
      if (c.origin !== undefined) headers.origin = c.origin === "own" ? target.base : c.origin;
      if (c.lastEventId !== undefined) headers["last-event-id"] = c.lastEventId;
      if (c.cookie !== undefined) headers.cookie = c.cookie === "owner" ? target.ownerCookie : c.cookie;
      await mcpCase({ method: c.method, url: target.mcpUrl, headers, body: c.body });
    });
  });

  test("the legacy HTTP+SSE endpoints: streams opened with any credentials, messages to live and made-up sessions", async () => {
    const mostly = <T>(right: T, wrong: fc.Arbitrary<T>) =>
      fc.oneof({ weight: 3, arbitrary: fc.constant(right) }, { weight: 1, arbitrary: wrong });
    const arbitrary = fc.record({
      kind: fc.constantFrom("stream", "message", "message", "message", "message"),
      authorization: mostly<string | undefined>(
        "A",
        authorizationHeader([target.a.tokens.access_token, target.c.tokens.access_token, target.staticToken]),
      ),
      sessionId: mostly<string | undefined>("live", fc.oneof(fc.constant(undefined), headerText(40))),
      accept: mostly<string | undefined>(
        "text/event-stream",
        fc.oneof(fc.constantFrom(undefined, "*/*", "application/json"), headerText(30)),
      ),
      contentType: mostly<string | undefined>("application/json", fc.oneof(fc.constantFrom(undefined, "text/plain"), headerText(30))),
      body: fc.oneof(jsonRpcBody, mutatedBody, anyText(100)),
    });
    await fuzz("legacy SSE endpoints", arbitrary, 600, async (c) => {
      const headers: Record<string, string> = {};
      if (c.authorization !== undefined) headers.authorization = c.authorization === "A" ? bearerA() : c.authorization;
      if (c.accept !== undefined) headers.accept = c.accept;
      if (c.contentType !== undefined) headers["content-type"] = c.contentType;
      if (c.kind === "stream") {
        // A stream that opens is read for its first event and closed, which ends its session.
        const sent: Sent = { method: "GET", url: new URL("/vault/sse", target.base).href, headers };
        expectSafe(target.book, sent, await send(sent));
        return;
      }
      const url = new URL("/vault/sse/message", target.base);
      if (c.sessionId !== undefined) url.searchParams.set("sessionId", c.sessionId === "live" ? legacy.id : c.sessionId);
      const sent: Sent = { method: "POST", url: url.href, headers, body: c.body };
      const answer = await send(sent);
      expectSafe(target.book, sent, answer);
      if (c.sessionId === "live" && c.authorization === "A" && answer.status === 404) {
        // The child ended (a message it could not take): open another legacy session.
        await legacy.reader.cancel().catch(() => {});
        legacy = await openLegacy();
      }
    });
  });

  test("what the fuzzing opened is closed again: only the two sessions of the suite remain", async () => {
    await eventually(async () => {
      const health = (await (await fetch(new URL("/healthz", target.base))).json()) as { servers: { vault: { sessions: number } } };
      return health.servers.vault.sessions <= 2;
    }, "the sessions opened by fuzz cases have ended");
  });

  test("the log holds none of the secrets the suite used or obtained", () => {
    expect(target.book.size).toBeGreaterThan(15);
    expect(secretsInLog(target.book, target.appliance.logs)).toEqual([]);
  });
});
