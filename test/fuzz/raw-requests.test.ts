// Property-based fuzzing with raw bytes over TCP, for what fetch normalises or refuses to send:
// request lines with any method and path (traversal with "..", %2e%2e, "//", encoded slashes and
// backslashes, very long and non-ASCII paths), and hostile header sets (Host, Origin,
// Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID,
// Cookie, X-Forwarded-For) with bytes fetch would never put in a header. Properties: no 5xx but a
// deliberate 502/503/504 with a JSON error body; static files never serve anything outside
// assets/ (a 200 under /assets is exactly assets/pages.css; no answer holds a byte of the files
// around it); no secret; every request answered (or refused by the HTTP parser) within the
// deadline; the process healthy after each property.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { ROOT } from "../helpers/binary.ts";
import { anyText, authorizationHeader, hostilePath, hostileQuery, jsonRpcBody, mutatedBody, requestTarget } from "./arbitraries.ts";
import {
  expectHealthy,
  expectNoSecret,
  expectNoServerError,
  fuzz,
  printSummary,
  type RawAnswer,
  rawSend,
  secretsInLog,
} from "./harness.ts";
import { ACCEPT_BOTH, type FuzzTarget, startFuzzTarget } from "./target.ts";

let target: FuzzTarget;
let session: string;
const PAGES_CSS = readFileSync(join(ROOT, "assets", "pages.css"));

/**
 * Text from the files around assets/ that no answer may hold: the package manifest, the
 * sources, the README, /etc/passwd, the state database, the process environment.
 */
const OUTSIDE_MARKERS = [
  '"name": "mcp-appliance"',
  "The composition root: builds the bridge",
  "One executable that puts self-hosted MCP servers",
  "root:x:0:0",
  "SQLite format 3",
  "PATH=/",
  "[core]",
];

beforeAll(async () => {
  target = await startFuzzTarget();
  const init = await fetch(target.mcpUrl, {
    method: "POST",
    headers: { authorization: `Bearer ${target.a.tokens.access_token}`, "content-type": "application/json", accept: ACCEPT_BOTH },
    body: '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}}',
  });
  session = init.headers.get("mcp-session-id")!;
  await init.text();
});
afterAll(async () => {
  printSummary("raw-requests");
  await target?.stop();
});
afterEach(async () => {
  await expectHealthy(target.base);
});

function request(method: string, path: string, headers: [string, string | Buffer][], body: Buffer = Buffer.alloc(0)): Buffer {
  const lines: Buffer[] = [Buffer.from(`${method} ${path} HTTP/1.1\r\n`, "latin1")];
  for (const [name, value] of headers)
    lines.push(
      Buffer.concat([
        Buffer.from(`${name}: `, "latin1"),
        typeof value === "string" ? Buffer.from(value, "latin1") : value,
        Buffer.from("\r\n"),
      ]),
    );
  if (body.length > 0) lines.push(Buffer.from(`content-length: ${body.length}\r\n`));
  lines.push(Buffer.from("connection: close\r\n\r\n"), body);
  return Buffer.concat(lines);
}

function check(answer: RawAnswer, sent: Buffer, what: string): void {
  const body = answer.body.toString("utf8");
  const requestLine = sent.subarray(0, sent.indexOf("\r\n")).toString("latin1");
  // Bun's HTTP parser answers 505 (empty) to a request line with bytes a request-target cannot
  // hold; nothing reaches the appliance. Any other 5xx is the appliance's.
  const parserRefusal = answer.status === 505 && body === "" && /[^\x21-\x7e]/.test(requestLine.split(" ").slice(1, -1).join(" "));
  if (!parserRefusal) expectNoServerError(answer.status, body, what);
  // The URL and body may be reflected; headers (credentials) never.
  const headEnd = sent.indexOf("\r\n\r\n");
  expectNoSecret(target.book, { headers: answer.head, body }, `${requestLine}\n${sent.subarray(headEnd + 4).toString("latin1")}`, what);
  for (const marker of OUTSIDE_MARKERS) {
    if (body.includes(marker) || answer.head.includes(marker))
      throw new Error(`${what}: the answer holds "${marker}" from a file outside assets/`);
  }
}

/** The path the request line names, decoded and with dot segments resolved, as a server might read it. */
function resolvedPath(target: string): string {
  let path = target.split("?")[0]!;
  try {
    path = decodeURIComponent(path);
  } catch {
    // left encoded
  }
  const out: string[] = [];
  for (const segment of path.replace(/\\/g, "/").split("/")) {
    if (segment === "..") out.pop();
    else if (segment !== "." && segment !== "") out.push(segment);
  }
  return `/${out.join("/")}`;
}

const port = () => target.appliance.port;
const STANDARD_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]);

describe("fuzz: raw requests", () => {
  test("any method on any path: traversal and encoded forms never leave assets/", async () => {
    const method = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom("GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH") },
      { weight: 1, arbitrary: fc.constantFrom("TRACE", "CONNECT", "PROPFIND", "MKCOL", "LOCK", "SEARCH", "PURGE", "get", "Get") },
      {
        weight: 1,
        arbitrary: fc.string({ unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZ-_!#".split("")), minLength: 1, maxLength: 12 }),
      },
    );
    const arbitrary = fc.record({
      method,
      path: hostilePath,
      query: fc.oneof({ weight: 3, arbitrary: fc.constant("") }, { weight: 1, arbitrary: hostileQuery }),
      authorization: fc.oneof(fc.constant(undefined), fc.constant(undefined), authorizationHeader(["A", "STATIC"])),
      origin: fc.oneof(fc.constant(undefined), fc.constant(undefined), fc.constantFrom("own", "https://evil.example", "null")),
      body: fc.oneof({ weight: 3, arbitrary: fc.constant("") }, { weight: 1, arbitrary: anyText(200) }),
    });
    await fuzz("methods × paths (raw)", arbitrary, 2500, async (c) => {
      const line = requestTarget(c.path) + (c.query ? `?${c.query}` : "");
      const headers: [string, string][] = [["host", `127.0.0.1:${port()}`]];
      if (c.authorization !== undefined) {
        headers.push([
          "authorization",
          c.authorization.replace(/\bA\b/, target.a.tokens.access_token).replace(/\bSTATIC\b/, target.staticToken),
        ]);
      }
      if (c.origin !== undefined) headers.push(["origin", c.origin === "own" ? target.base : c.origin]);
      if (c.body) headers.push(["content-type", "application/json"]);
      const sent = request(c.method, line, headers, Buffer.from(c.body, "utf8"));
      const answer = await rawSend(port(), sent);
      const what = `${c.method} ${line.slice(0, 200)}`;
      check(answer, sent, what);
      // The HTTP parser may drop a connection whose method it does not know; a known method on a
      // clean request line always gets an answer.
      if (answer.status === 0 && STANDARD_METHODS.has(c.method) && !/[^\x21-\x7e]/.test(line))
        throw new Error(`${what}: the connection closed without an answer`);
      // Under /assets, a 200 is the one stylesheet, byte for byte, and nothing else.
      const resolved = resolvedPath(line);
      if (
        answer.status === 200 &&
        (resolved.startsWith("/assets") || line.startsWith("/assets")) &&
        c.method !== "HEAD" &&
        c.method !== "OPTIONS"
      ) {
        if (!answer.body.equals(PAGES_CSS))
          throw new Error(`${what} answered 200 with something other than assets/pages.css: ${answer.body.subarray(0, 200).toString()}`);
      }
    });
  });

  test("hostile header sets with bytes fetch would refuse: Host, Origin, Authorization, Content-Type, Accept, MCP headers, Cookie, X-Forwarded-For", async () => {
    const bytes = (max: number) =>
      fc.oneof(
        {
          weight: 4,
          arbitrary: fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a.map((b) => (b === 0x0d || b === 0x0a ? 0x20 : b)))),
        },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a)) },
        { weight: 4, arbitrary: anyText(max).map((s) => Buffer.from(s.replace(/[\r\n]/g, " "), "utf8")) },
      );
    const endpoint = fc.constantFrom(
      { method: "POST", path: "/vault/mcp", body: "jsonrpc" },
      { method: "GET", path: "/vault/mcp", body: "" },
      { method: "DELETE", path: "/vault/mcp", body: "" },
      { method: "GET", path: "/vault/sse", body: "" },
      { method: "POST", path: "/vault/sse/message?sessionId=x", body: "jsonrpc" },
      { method: "POST", path: "/token", body: "grant_type=refresh_token&refresh_token=x&client_id=y" },
      { method: "POST", path: "/revoke", body: "token=x&client_id=y" },
      { method: "POST", path: "/register", body: '{"redirect_uris":["http://localhost/cb"],"token_endpoint_auth_method":"none"}' },
      { method: "GET", path: "/authorize?client_id=x", body: "" },
      { method: "POST", path: "/authorize", body: "action=login&request=x&csrf=y&password=z" },
      { method: "GET", path: "/.well-known/oauth-authorization-server", body: "" },
      { method: "GET", path: "/.well-known/oauth-protected-resource/vault/mcp", body: "" },
      { method: "GET", path: "/assets/pages.css", body: "" },
      { method: "OPTIONS", path: "/vault/mcp", body: "" },
      { method: "GET", path: "/healthz", body: "" },
    );
    const named = (name: string, right: fc.Arbitrary<string | Buffer>, max = 80) =>
      fc
        .oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: right }, { weight: 1, arbitrary: bytes(max) })
        .map((v) => (v === undefined ? [] : [[name, v] as [string, string | Buffer]]));
    const arbitrary = fc.record({
      endpoint,
      host: fc.oneof(
        { weight: 3, arbitrary: fc.constant("own") },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            "localhost",
            "127.0.0.1",
            "[::1]",
            "[::1]:1",
            "127.0.0.2:80",
            "evil.example",
            "127.0.0.1.nip.io",
            "",
            " ",
            "127.0.0.1:99999",
            "localhost:http",
            "LOCALHOST",
            "localhost.",
            "[::ffff:127.0.0.1]",
            "0x7f.1",
            "2130706433",
            "[::1",
            "host:1:2",
            "own,evil.example",
          ),
        },
        { weight: 1, arbitrary: bytes(60) },
        { weight: 1, arbitrary: fc.constant("none") },
        { weight: 1, arbitrary: fc.constant("twice") },
      ),
      authorization: named(
        "authorization",
        authorizationHeader(["A", "STATIC", "C"]).map((v) => v ?? "Bearer A"),
        200,
      ),
      origin: named("origin", fc.constantFrom("own", "null", "https://evil.example", "http://localhost:6274", "file://")),
      contentType: named(
        "content-type",
        fc.constantFrom(
          "application/json",
          "application/x-www-form-urlencoded",
          "text/plain",
          "application/json; charset=utf-16",
          "multipart/form-data",
        ),
      ),
      accept: named("accept", fc.constantFrom(ACCEPT_BOTH, "text/event-stream", "*/*", "application/json")),
      sessionId: named("mcp-session-id", fc.constantFrom("live", "x", "")),
      protocolVersion: named("mcp-protocol-version", fc.constantFrom("2025-11-25", "2025-06-18", "1999-01-01")),
      lastEventId: named("last-event-id", fc.constantFrom("g.0", "p1.0", "x")),
      cookie: named("cookie", fc.constantFrom("owner", "mcp-owner=x.y", "a=b; mcp-owner=; c", "=", ";;;"), 300),
      forwardedFor: named("x-forwarded-for", fc.constantFrom("1.2.3.4", "127.0.0.1, 10.0.0.1", "::1", "unknown")),
      extra: fc.array(
        fc.tuple(
          fc.string({
            unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz-_!#$%&'*+.^`|~0123456789".split("")),
            minLength: 1,
            maxLength: 20,
          }),
          bytes(60),
        ),
        { maxLength: 3 },
      ),
      body: fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.oneof(jsonRpcBody, mutatedBody, anyText(200)) },
      ),
      chunked: fc.boolean(),
    });
    await fuzz("hostile header sets (raw)", arbitrary, 1500, async (c) => {
      const hostValue = c.host === "own" ? `127.0.0.1:${port()}` : c.host;
      const headers: [string, string | Buffer][] = [];
      if (c.host === "twice") headers.push(["host", `127.0.0.1:${port()}`], ["host", "evil.example"]);
      else if (c.host !== "none") headers.push(["host", hostValue]);
      const real = (value: string | Buffer): string | Buffer => {
        if (typeof value !== "string") return value;
        if (value === "own") return target.base;
        if (value === "live") return session;
        if (value === "owner") return target.ownerCookie;
        return value
          .replace(/\bA\b/, target.a.tokens.access_token)
          .replace(/\bSTATIC\b/, target.staticToken)
          .replace(/\bC\b/, target.c.tokens.access_token);
      };
      for (const group of [
        c.authorization,
        c.origin,
        c.contentType,
        c.accept,
        c.sessionId,
        c.protocolVersion,
        c.lastEventId,
        c.cookie,
        c.forwardedFor,
      ]) {
        for (const [name, value] of group) headers.push([name, real(value)]);
      }
      for (const [name, value] of c.extra) headers.push([name, value]);
      const text = c.body ?? (c.endpoint.body === "jsonrpc" ? '{"jsonrpc":"2.0","id":"h","method":"ping"}' : c.endpoint.body);
      let sent: Buffer;
      if (c.chunked && text.length > 0) {
        const payload = Buffer.from(text, "utf8");
        const chunks = `${payload.length.toString(16)}\r\n${payload.toString("latin1")}\r\n0\r\n\r\n`;
        sent = Buffer.concat([
          request(c.endpoint.method, c.endpoint.path, [...headers, ["transfer-encoding", "chunked"]]),
          Buffer.from(chunks, "latin1"),
        ]);
      } else {
        sent = request(c.endpoint.method, c.endpoint.path, headers, Buffer.from(text, "utf8"));
      }
      const answer = await rawSend(port(), sent);
      const what = `${c.endpoint.method} ${c.endpoint.path} with headers ${JSON.stringify(headers.map(([n, v]) => `${n}: ${v.toString().slice(0, 40)}`))}`;
      check(answer, sent, what);
      // Only a header with a control character may make the parser drop the connection unanswered.
      const controlBytes = headers.some(([, v]) => /[\x00-\x08\x0a-\x1f\x7f]/.test(typeof v === "string" ? v : v.toString("latin1")));
      if (answer.status === 0 && !controlBytes) throw new Error(`${what}: the connection closed without an answer`);
      // DNS-rebinding protection: a Host that is not served never reaches a route.
      // (or the HTTP parser refuses the request first: 400, 431 for oversized headers, or no answer).
      if (c.host === "evil.example") expect([0, 400, 421, 431]).toContain(answer.status);
    });
  });

  test("the log holds none of the secrets the suite used or obtained", () => {
    expect(secretsInLog(target.book, target.appliance.logs)).toEqual([]);
  });
});
