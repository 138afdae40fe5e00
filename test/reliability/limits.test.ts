// The limits that protect the machine ([limits], [oauth] token_rate), over real HTTP: each one
// set small and exceeded, with the exact answer checked (status, headers, body); then that the
// excess hurt no one else (other sessions, principals, addresses), and that once the excess is
// gone the same client is served again. The appliance runs in this process on port 0, except for
// shutdown_timeout, which needs a SIGTERM of its own: there it is the compiled executable.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { eventually, startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { startApplianceProcess } from "../helpers/appliance-process.ts";
import { descendants, liveInGroups } from "../helpers/machine.ts";
import { ACCEPT_BOTH, initializeRequest, RawLegacyClient, RawMcpClient, type RpcAnswer, type RpcMessage } from "../helpers/mcp-raw.ts";
import { basicAuth, expectOAuthError, postForm, sha256Hex } from "../helpers/oauth-http.ts";
import { seedAuthorizationCode } from "../helpers/oauth-seed.ts";
import { rawExchange } from "../helpers/raw-http.ts";

const TOO_MANY_REQUESTS = -32003;

/** 429 with Retry-After and a JSON-RPC error (for `id`) whose message names the [limits] key. */
async function expectTooMany(
  response: Response,
  expected: { retryAfter: string; id: string | number | null; key: string },
): Promise<string> {
  const text = await response.text();
  if (response.status !== 429) throw new Error(`expected 429 naming ${expected.key}, got ${response.status}: ${text.slice(0, 300)}`);
  expect(response.headers.get("retry-after")).toBe(expected.retryAfter);
  expect(response.headers.get("content-type")).toStartWith("application/json");
  const body = JSON.parse(text) as { jsonrpc: string; id: unknown; error: { code: number; message: string } };
  expect(body.jsonrpc).toBe("2.0");
  expect(body.id).toBe(expected.id);
  expect(body.error.code).toBe(TOO_MANY_REQUESTS);
  expect(body.error.message).toContain(expected.key);
  return body.error.message;
}

const initializeMessage = (id: number | string = 1) => initializeRequest({ id, client: "limits" });

/** A bare initialize with these headers (whatever session it opens stays open). */
function initialize(url: URL, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT_BOTH, ...headers },
    body: JSON.stringify(initializeMessage()),
  });
}

function openStream(url: URL, session: string, signal?: AbortSignal, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    headers: { accept: "text/event-stream", "mcp-session-id": session, "mcp-protocol-version": "2025-11-25", ...headers },
    signal,
  });
}

/** JSON-RPC messages of an SSE response as they arrive (priming events and comments skipped). */
class EventReader {
  private readonly reader: { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> };
  private buffer = "";

  constructor(response: Response) {
    expect(response.headers.get("content-type")).toStartWith("text/event-stream");
    this.reader = response.body!.getReader();
  }

  async next(): Promise<RpcMessage | undefined> {
    for (;;) {
      const end = this.buffer.indexOf("\n\n");
      if (end !== -1) {
        const frame = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const data = frame
          .split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).trim())
          .join("");
        if (data) return JSON.parse(data) as RpcMessage;
        continue;
      }
      const { value, done } = await this.reader.read();
      if (done) return undefined;
      this.buffer += new TextDecoder().decode(value);
    }
  }

  cancel(): Promise<void> {
    return this.reader.cancel();
  }
}

/** GET /healthz whose header names and values (Host, Connection, X-Pad) total exactly `total` bytes. */
function healthzWithHeaders(port: number, total: number): string {
  const host = `127.0.0.1:${port}`;
  const fixed = "host".length + host.length + "connection".length + "close".length + "x-pad".length;
  return `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nX-Pad: ${"p".repeat(total - fixed)}\r\n\r\n`;
}

describe("max_header_size", () => {
  const LIMIT = 4096;
  let small: TestAppliance;
  let byDefault: TestAppliance;
  beforeAll(async () => {
    small = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], { limitsOverrides: { maxHeaderBytes: LIMIT } });
    byDefault = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")]);
  });
  afterAll(async () => {
    await small?.stop();
    await byDefault?.stop();
  });

  test("names and values totalling exactly max_header_size are served; one byte more is 431 JSON from the front door", async () => {
    const under = await rawExchange(small.port, healthzWithHeaders(small.port, LIMIT));
    expect(under.status).toBe(200);
    expect(JSON.parse(under.body.toString())).toMatchObject({ status: "ok" });

    const over = await rawExchange(small.port, healthzWithHeaders(small.port, LIMIT + 1));
    expect(over.status).toBe(431);
    expect(over.headers["content-type"]).toStartWith("application/json");
    // RFC 6749 §5.2 shape with a registered code off the MCP paths; a JSON-RPC error on them.
    expect(JSON.parse(over.body.toString())).toEqual({
      error: "invalid_request",
      error_description: `the request's header names and values total ${LIMIT + 1} bytes, more than max_header_size (${LIMIT} bytes)`,
    });
    // Refused before routing and authentication: an MCP request is refused the same way.
    const mcp = await fetch(small.mcpUrl("vault"), {
      method: "POST",
      headers: { "content-type": "application/json", accept: ACCEPT_BOTH, "x-pad": "p".repeat(LIMIT) },
      body: JSON.stringify(initializeMessage()),
    });
    expect(mcp.status).toBe(431);
    expect(await mcp.json()).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32000 } });
    expect(small.logs.some((line) => line.includes('"status":431'))).toBe(true);

    // Nobody else is hurt, and the same client with smaller headers is served at once.
    const client = new RawMcpClient(small.mcpUrl("vault"));
    await client.open();
    expect(await client.callText("echo", { text: "fine" })).toBe("fine");
    await client.close();
    expect((await rawExchange(small.port, healthzWithHeaders(small.port, LIMIT - 1))).status).toBe(200);
  });

  test("the default (15 KiB) is the appliance's to answer: Bun's 16 KiB header section leaves room for the request line", async () => {
    const LIMIT_15K = 15 * 1024;
    expect(byDefault.config.limits.maxHeaderBytes).toBe(LIMIT_15K);
    expect((await rawExchange(byDefault.port, healthzWithHeaders(byDefault.port, LIMIT_15K))).status).toBe(200);
    const over = await rawExchange(byDefault.port, healthzWithHeaders(byDefault.port, LIMIT_15K + 1));
    expect(over.status).toBe(431);
    expect(JSON.parse(over.body.toString())).toMatchObject({ error: "invalid_request" });
  });

  test("beyond Bun's own cap (20 KiB, 64 KiB, 1 MiB of headers): Bun's bare 431, and the process keeps serving", async () => {
    for (const size of [20 * 1024, 64 * 1024, 1024 * 1024]) {
      const answer = await rawExchange(byDefault.port, healthzWithHeaders(byDefault.port, size));
      // Bun answers from its parser, before any handler: no JSON body, and the connection is closed.
      // Had the reset of a connection still sending overtaken the answer, nothing at all arrives.
      if (answer.status === 0) expect(answer.body.length).toBe(0);
      else {
        expect(answer.status).toBe(431);
        expect(answer.body.length).toBe(0);
      }
      console.log(
        `${size} bytes of headers: ${answer.status === 0 ? `no answer (${answer.error ?? "closed"})` : `HTTP ${answer.status}, ${answer.body.length} bytes of body`}`,
      );
      const health = await fetch(new URL("/healthz", byDefault.url));
      expect(health.status).toBe(200);
      await health.arrayBuffer();
    }
    const client = new RawMcpClient(byDefault.mcpUrl("vault"));
    await client.open();
    expect(await client.callText("echo", { text: "alive" })).toBe("alive");
    await client.close();
  });
});

describe("max_sessions_per_client", () => {
  const ALPHA = `static_${randomBytes(24).toString("base64url")}`;
  const BETA = `static_${randomBytes(24).toString("base64url")}`;
  let byPrincipal: TestAppliance;
  let byAddress: TestAppliance;
  let untrustedProxy: TestAppliance;
  beforeAll(async () => {
    byPrincipal = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
      auth: "oauth",
      limitsOverrides: { maxSessionsPerClient: 2 },
      oauthOverrides: {
        staticTokens: [
          { name: "alpha", tokenSha256: sha256Hex(ALPHA), servers: ["vault"] },
          { name: "beta", tokenSha256: sha256Hex(BETA), servers: ["vault"] },
        ],
      },
    });
    byAddress = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
      trustProxy: ["127.0.0.1"],
      limitsOverrides: { maxSessionsPerClient: 1 },
    });
    untrustedProxy = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
      limitsOverrides: { maxSessionsPerClient: 1 },
    });
  });
  afterAll(async () => {
    await byPrincipal?.stop();
    await byAddress?.stop();
    await untrustedProxy?.stop();
  });

  test("per principal: a new session ends the client's least recently used idle one; when all are busy, 429; other principals unaffected", async () => {
    const url = byPrincipal.mcpUrl("vault");
    const sse = new URL("/vault/sse", byPrincipal.url);
    const alpha = { authorization: `Bearer ${ALPHA}` };
    const beta = { authorization: `Bearer ${BETA}` };
    const first = new RawMcpClient(url, alpha);
    const second = new RawMcpClient(url, alpha);
    await first.open();
    await second.open();
    expect(await second.callText("echo", { text: "second used last" })).toBe("second used last");

    // A client that starts over without DELETE is not locked out: its least recently used idle
    // session makes room, and answers 404 from then on (the client starts a new one).
    const third = new RawMcpClient(url, alpha);
    await third.open();
    expect((await first.call("echo", { text: "gone" })).status).toBe(404);
    expect(await second.callText("echo", { text: "kept" })).toBe("kept");
    expect(await third.callText("echo", { text: "third" })).toBe("third");

    // Sessions with a stream open are busy: none can be ended for a newcomer.
    const streams = new AbortController();
    const held = [
      await openStream(url, second.sessionId!, streams.signal, alpha),
      await openStream(url, third.sessionId!, streams.signal, alpha),
    ];
    for (const stream of held) expect(stream.status).toBe(200);
    const message = await expectTooMany(await initialize(url, alpha), { retryAfter: "5", id: null, key: "max_sessions_per_client" });
    expect(message).toContain('already has 2 live sessions on server "vault", all busy');
    await expectTooMany(await fetch(sse, { headers: { accept: "text/event-stream", ...alpha } }), {
      retryAfter: "5",
      id: null,
      key: "max_sessions_per_client",
    });
    expect(await second.callText("echo", { text: "untouched" })).toBe("untouched");

    // Another principal has a share of its own, on either transport.
    const betaSession = new RawMcpClient(url, beta);
    await betaSession.open();
    const betaLegacy = new RawLegacyClient(sse, beta);
    await betaLegacy.open();
    expect(await betaLegacy.callText("echo", { text: "beta" })).toBe("beta");

    // Ending one makes room at once.
    expect(await second.close()).toBe(200);
    const fourth = new RawMcpClient(url, alpha);
    await fourth.open();
    expect(await fourth.callText("echo", { text: "fourth" })).toBe("fourth");
    expect(await third.callText("echo", { text: "still streaming" })).toBe("still streaming");
    streams.abort();

    // A legacy session lives as long as its stream (it is never idle) and takes a share too;
    // closing its stream gives the share back.
    expect(await fourth.close()).toBe(200);
    const legacy = new RawLegacyClient(sse, alpha);
    await legacy.open();
    const busyAgain = new AbortController();
    await eventually(
      async () => (await openStream(url, third.sessionId!, busyAgain.signal, alpha)).status === 200,
      "a stream on the third session",
    );
    await expectTooMany(await initialize(url, alpha), { retryAfter: "5", id: null, key: "max_sessions_per_client" });
    await legacy.close();
    let reopened: Response | undefined;
    await eventually(async () => {
      reopened = await initialize(url, alpha);
      if (reopened.status !== 200) await reopened.arrayBuffer();
      return reopened.status === 200;
    }, "the legacy session's share is given back");
    await reopened!.arrayBuffer();
    busyAgain.abort();

    await third.close();
    await betaSession.close();
    await betaLegacy.close();
  });

  test("without auth the client is its address (X-Forwarded-For only from trust_proxy): other addresses unaffected", async () => {
    const url = byAddress.mcpUrl("vault");
    const from = (address: string) => ({ "x-forwarded-for": address });
    const one = new RawMcpClient(url, from("198.51.100.1"));
    await one.open();
    const busy = new AbortController();
    expect((await openStream(url, one.sessionId!, busy.signal, from("198.51.100.1"))).status).toBe(200);
    await expectTooMany(await initialize(url, from("198.51.100.1")), { retryAfter: "5", id: null, key: "max_sessions_per_client" });
    const other = new RawMcpClient(url, from("198.51.100.2"));
    await other.open();
    expect(await other.callText("echo", { text: "other address" })).toBe("other address");
    // Once idle, the address's session makes room for its next one.
    busy.abort();
    let again: RawMcpClient | undefined;
    await eventually(async () => {
      const candidate = new RawMcpClient(url, from("198.51.100.1"));
      try {
        await candidate.open();
      } catch {
        return false;
      }
      again = candidate;
      return true;
    }, "the idle session makes room");
    expect((await one.call("echo", { text: "gone" })).status).toBe(404);
    await again!.close();
    await other.close();

    // From a peer that is not a trusted proxy, X-Forwarded-For is not believed: one address, one share.
    const spoofUrl = untrustedProxy.mcpUrl("vault");
    const held = new RawMcpClient(spoofUrl, from("203.0.113.1"));
    await held.open();
    const spoofBusy = new AbortController();
    expect((await openStream(spoofUrl, held.sessionId!, spoofBusy.signal, from("203.0.113.1"))).status).toBe(200);
    await expectTooMany(await initialize(spoofUrl, from("203.0.113.2")), { retryAfter: "5", id: null, key: "max_sessions_per_client" });
    spoofBusy.abort();
    await held.close();
  });
});

describe("max_requests_per_session", () => {
  let appliance: TestAppliance;
  beforeAll(async () => {
    appliance = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], { limitsOverrides: { maxRequestsPerSession: 2 } });
  });
  afterAll(async () => {
    await appliance?.stop();
  });

  const call = (id: string, name: string, args: Record<string, unknown> = {}) => ({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name, arguments: args },
  });
  const cancel = (requestId: string) => ({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId, reason: "test" } });

  test("Streamable HTTP: the request over the cap gets 429 for itself only; the session stays usable", async () => {
    const client = new RawMcpClient(appliance.mcpUrl("vault"));
    await client.open();
    const hung = ["h1", "h2"].map((id) => client.request("tools/call", { name: "hang", arguments: {} }, id));

    // The two hanging calls are in flight once an echo is refused; until then echoes pass.
    let refused: Response | undefined;
    let probe = 0;
    await eventually(async () => {
      const response = await client.post(call(`probe-${++probe}`, "echo", { text: "probe" }));
      if (response.status === 429) refused = response;
      else await response.arrayBuffer();
      return refused !== undefined;
    }, "a third request is refused");
    const message = await expectTooMany(refused!, { retryAfter: "1", id: `probe-${probe}`, key: "max_requests_per_session" });
    expect(message).toContain("already has 2 requests in flight");
    // Notifications are no requests: they pass.
    const notification = await client.post({ jsonrpc: "2.0", method: "notifications/roots/list_changed" });
    expect(notification.status).toBe(202);

    // Another session is not affected.
    const other = new RawMcpClient(appliance.mcpUrl("vault"));
    await other.open();
    expect(await other.callText("echo", { text: "other session" })).toBe("other session");
    await other.close();

    // Once one is answered (here: cancelled by the client), the session takes requests again.
    expect((await client.post(cancel("h1"))).status).toBe(202);
    // MCP 2025-11-25 cancellation §Behavior Requirements 4: its POST ends without an answer.
    const first = (await hung[0]) as RpcAnswer;
    expect(first.status).toBe(200);
    expect(first.answer).toBeUndefined();
    expect(await client.callText("echo", { text: "again" })).toBe("again");

    expect((await client.post(cancel("h2"))).status).toBe(202);
    await hung[1];
    await client.close();
  });

  test("legacy SSE: the POST over the cap gets 429 before it reaches the server; the session stays usable", async () => {
    const legacy = new RawLegacyClient(new URL("/vault/sse", appliance.url));
    await legacy.open();
    expect((await legacy.post(call("h1", "hang"))).status).toBe(202);
    expect((await legacy.post(call("h2", "hang"))).status).toBe(202);
    await expectTooMany(await legacy.post(call("e1", "echo", { text: "x" })), {
      retryAfter: "1",
      id: "e1",
      key: "max_requests_per_session",
    });

    const other = new RawLegacyClient(new URL("/vault/sse", appliance.url));
    await other.open();
    expect(await other.callText("echo", { text: "other legacy session" })).toBe("other legacy session");
    await other.close();

    expect((await legacy.post(cancel("h1"))).status).toBe(202);
    expect(await legacy.callText("echo", { text: "again" })).toBe("again");
    await legacy.close();
  });
});

describe("max_streams_per_session", () => {
  let appliance: TestAppliance;
  beforeAll(async () => {
    appliance = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], { limitsOverrides: { maxStreamsPerSession: 2 } });
  });
  afterAll(async () => {
    await appliance?.stop();
  });

  // A call that streams progress for a long time: its response becomes an SSE stream at the first one.
  const streaming = (id: string) => ({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name: "progress", arguments: { steps: 100_000, delayMs: 25 }, _meta: { progressToken: `token-${id}` } },
  });

  test("GET streams and POST streams share the cap: the next one is 429, closing one frees its slot", async () => {
    const url = appliance.mcpUrl("vault");
    const client = new RawMcpClient(url);
    const session = await client.open();

    // Slot 1: the session's GET stream. Slot 2: a call streaming progress.
    const getAbort = new AbortController();
    const get = await openStream(url, session, getAbort.signal);
    expect(get.status).toBe(200);
    const a = await client.post(streaming("a"));
    expect(a.status).toBe(200);
    const streamA = new EventReader(a);
    expect((await streamA.next())?.method).toBe("notifications/progress");

    // A third stream: the call whose progress would need it is answered 429, and cancelled at the server.
    const message = await expectTooMany(await client.post(streaming("b")), { retryAfter: "1", id: "b", key: "max_streams_per_session" });
    expect(message).toContain("the request was cancelled");
    // Requests answered without a stream still are.
    expect(await client.callText("echo", { text: "plain" })).toBe("plain");
    const cancellations = JSON.parse(await client.callText("cancellations")) as { requestId: string }[];
    expect(cancellations.map((c) => c.requestId)).toContain("b");

    // Another session has slots of its own.
    const other = new RawMcpClient(url);
    const otherSession = await other.open();
    const otherGet = await openStream(url, otherSession);
    expect(otherGet.status).toBe(200);
    const otherCall = await other.post(streaming("other"));
    expect(otherCall.status).toBe(200);
    await other.close();
    await otherGet.body?.cancel();
    await otherCall.body?.cancel();

    // The client closes its GET stream: the slot is free for the next streaming call.
    getAbort.abort();
    let c: Response | undefined;
    let attempt = 0;
    await eventually(async () => {
      const response = await client.post(streaming(`c${++attempt}`));
      if (response.status === 200) c = response;
      else await response.arrayBuffer();
      return c !== undefined;
    }, "a streaming call is served once the GET stream has closed");
    const streamC = new EventReader(c!);
    expect((await streamC.next())?.method).toBe("notifications/progress");

    // Full again (calls a and c): now a GET stream is the one refused.
    await expectTooMany(await openStream(url, session), { retryAfter: "1", id: null, key: "max_streams_per_session" });

    // A stream that ends (its call cancelled, so it ends without an answer) frees its slot too.
    expect(
      (await client.post({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: "a", reason: "test" } })).status,
    ).toBe(202);
    const rest: RpcMessage[] = [];
    for (let message = await streamA.next(); message; message = await streamA.next()) rest.push(message);
    expect(rest.filter((m) => m.id === "a")).toEqual([]);
    let reopened: Response | undefined;
    await eventually(async () => {
      reopened = await openStream(url, session);
      if (reopened.status !== 200) await reopened.arrayBuffer();
      return reopened.status === 200;
    }, "a GET stream opens once call a's stream has ended");
    await reopened!.body?.cancel();
    await streamC.cancel();
    await client.close();
  });
});

describe("[oauth] token_rate", () => {
  const SECRET = "limits-test-client-secret-AAAAAAAAAAAAAAAAAAAAAAAA";
  const CALLBACK = "https://trusted.example/cb";
  let appliance: TestAppliance;
  beforeAll(async () => {
    appliance = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
      auth: "oauth",
      trustProxy: ["127.0.0.1"],
      oauthOverrides: {
        tokenRate: { count: 2, windowMs: 3000 },
        clients: [
          { name: "Trusted", clientId: "trusted", clientSecretSha256: sha256Hex(SECRET), redirectUris: [CALLBACK], autoApprove: true },
        ],
      },
    });
  });
  afterAll(async () => {
    await appliance?.stop();
  });

  test("the request over the rate gets 429 temporarily_unavailable with Retry-After; other addresses are served; the address is served again after the window", async () => {
    const codes = [0, 1].map(() => seedAuthorizationCode(appliance, { clientId: "trusted", redirectUri: CALLBACK }));
    const redeem = (code: { code: string; verifier: string }, address: string) =>
      postForm(
        appliance.url,
        "/token",
        { grant_type: "authorization_code", code: code.code, code_verifier: code.verifier, redirect_uri: CALLBACK },
        { authorization: basicAuth("trusted", SECRET), "x-forwarded-for": address },
      );
    const bogus = { grant_type: "authorization_code", code: "not-a-code", code_verifier: "v".repeat(43), redirect_uri: CALLBACK };
    const limited = "198.51.100.7";

    // Failed requests count as much as successful ones.
    for (let i = 0; i < 2; i++) {
      await expectOAuthError(
        await postForm(appliance.url, "/token", bogus, { authorization: basicAuth("trusted", SECRET), "x-forwarded-for": limited }),
        400,
        "invalid_grant",
      );
    }
    const refused = await redeem(codes[0]!, limited);
    const retryAfter = refused.headers.get("retry-after");
    const body = await expectOAuthError(refused, 429, "temporarily_unavailable");
    expect(body.error_description).toBe("too many token requests from this address; try again later");
    expect(retryAfter).toMatch(/^[1-3]$/);

    // Another address is not affected: the same kind of request is served.
    const other = await redeem(codes[1]!, "198.51.100.8");
    expect(other.status).toBe(200);
    expect(((await other.json()) as { access_token: string }).access_token).toBeString();

    // The refused request consumed nothing: once the window has passed, its code is redeemed.
    let served: Response | undefined;
    await eventually(
      async () => {
        const response = await redeem(codes[0]!, limited);
        if (response.status === 429) await response.arrayBuffer();
        else served = response;
        return served !== undefined;
      },
      "the address is served again after the window",
      10_000,
    );
    expect(served!.status).toBe(200);
    expect(((await served!.json()) as { token_type: string }).token_type).toBe("Bearer");
  });
});

describe("shutdown_timeout", () => {
  test("a short shutdown_timeout bounds how long SIGTERM waits for a request in flight; shorter requests still finish", async () => {
    const started = await startApplianceProcess([{ name: "fl", script: "flood-server.mjs" }], { limits: ['shutdown_timeout = "1s"'] });
    const client = new RawMcpClient(started.mcpUrl("fl"));
    await client.open();
    const children = descendants(started.pid).map((p) => p.pid);
    const short = client.call("sleep", { ms: 300 });
    const hanging = client.call("sleep", { ms: 60_000 }).then((answer) => ({ answer, at: Date.now() }));
    // Both calls are in flight at the child (it says so on stderr, which the appliance logs).
    await eventually(
      () => started.appliance.lines.filter((line) => line.includes("flood-server: sleeping")).length === 2,
      "both calls are in flight at the child",
    );
    const signalled = Date.now();
    started.appliance.proc.kill("SIGTERM");

    const shortAnswer = await short;
    const late = await hanging;
    const exitCode = await started.appliance.exited;
    const exitedAfter = Date.now() - signalled;
    const answeredAfter = late.at - signalled;
    console.log(
      `shutdown_timeout = "1s": the hanging call was answered ${answeredAfter} ms after SIGTERM; exit ${exitCode} after ${exitedAfter} ms`,
    );

    // Within the timeout: answered. Past it: the JSON-RPC error of a session that ended.
    expect(shortAnswer.answer?.result?.content?.[0]?.text).toBe("slept");
    expect(late.answer.answer?.error?.message).toContain("shutting down");
    // The wait was the configured 1 s (at least that, and nowhere near the 5 s default).
    expect(answeredAfter).toBeGreaterThanOrEqual(1000);
    expect(answeredAfter).toBeLessThan(4500);
    expect(exitCode).toBe(0);
    expect(exitedAfter).toBeLessThan(1000 + 3500 + 2500);
    expect(liveInGroups(children)).toEqual([]);
  });
});
