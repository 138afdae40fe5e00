// Fetching a metadata document from a real HTTPS server on 127.0.0.1: TLS, pinning, no
// redirects, status, content type, size and time limits (CIMD §4, §6.5-6.6; CIMD-02 §5).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer } from "node:net";
import { fetchMetadataDocument, type MetadataFetchOptions } from "../../../src/oauth/client-metadata-document/fetch-document.ts";
import { type DocumentServer, json, startDocumentServer } from "./document-server.ts";
import { allowTestServer, documentFor, fakeLookup } from "./lookup-fixture.ts";
import { makeTestCertificates, type TestCertificates } from "./tls-fixture.ts";

let certs: TestCertificates;
let server: DocumentServer;

beforeAll(async () => {
  certs = makeTestCertificates(["cimd.test"]);
  server = await startDocumentServer(certs);
});
afterAll(() => server.close());

type Extra = Omit<MetadataFetchOptions, "lookup">;

function options(extra: Extra = {}) {
  const lookup = fakeLookup({ "cimd.test": ["127.0.0.1"], "wrong.test": ["127.0.0.1"] });
  return { lookup, isAddressAllowed: allowTestServer, ca: certs.ca, timeoutMs: 2_000, ...extra };
}

async function failureOf(path: string, extra: Extra = {}, host = "cimd.test") {
  const outcome = await fetchMetadataDocument(server.url(path, host), options(extra));
  if (outcome.ok) throw new Error(`expected ${path} to fail`);
  return outcome.error;
}

describe("fetchMetadataDocument", () => {
  test("fetches the document from the pinned address, with SNI and Host naming the URL's host", async () => {
    const id = server.url("/ok");
    server.route("/ok", json(documentFor(id), { "cache-control": "max-age=600" }));
    const opts = options();
    const before = server.serverNames.length;
    const outcome = await fetchMetadataDocument(id, opts);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(JSON.parse(outcome.value.body.toString("utf8"))).toEqual(documentFor(id));
    expect(outcome.value.cacheHeaders.cacheControl).toBe("max-age=600");
    expect(opts.lookup.calls).toEqual(["cimd.test"]); // one resolution, then the vetted address is used
    expect(server.serverNames.slice(before)).toEqual(["cimd.test"]);
    expect(server.hostHeaders.at(-1)).toBe(`cimd.test:${server.port}`);
  });

  test("application/json with parameters is accepted", async () => {
    server.route("/charset", json(documentFor(server.url("/charset")), { "content-type": "application/json; charset=utf-8" }));
    expect((await fetchMetadataDocument(server.url("/charset"), options())).ok).toBe(true);
  });

  test("a body of exactly maxBytes is accepted", async () => {
    server.route("/exact", json("x".repeat(100)));
    expect((await fetchMetadataDocument(server.url("/exact"), options({ maxBytes: 100 }))).ok).toBe(true);
  });

  test("a redirect is refused, not followed", async () => {
    server.route("/moved", (_req, res) => res.writeHead(302, { location: server.url("/ok") }).end());
    const before = server.requests.get("/ok") ?? 0;
    const failure = await failureOf("/moved");
    expect(failure.kind).toBe("redirect");
    expect(failure.reason).toContain("302");
    expect(server.requests.get("/ok") ?? 0).toBe(before);
  });

  test.each([301, 303, 307, 308])("%p is refused as a redirect", async (status) => {
    server.route(`/moved-${status}`, (_req, res) => res.writeHead(status, { location: "https://example.com/" }).end());
    expect((await failureOf(`/moved-${status}`)).kind).toBe("redirect");
  });

  test("any status but 200 is refused, and the body is never repeated", async () => {
    server.route("/gone", (_req, res) => res.writeHead(404, { "content-type": "application/json" }).end('{"error":"marker"}'));
    const failure = await failureOf("/gone");
    expect(failure.kind).toBe("http_status");
    expect(failure.reason).toContain("404");
    expect(`${failure.description} ${failure.reason}`).not.toContain("marker");
    server.route("/created", (_req, res) => res.writeHead(201, { "content-type": "application/json" }).end("{}"));
    expect((await failureOf("/created")).kind).toBe("http_status");
  });

  test.each([
    ["text/html", "<html>marker</html>"],
    ["application/jsonp", "{}"],
    ["text/json", "{}"],
    ["", "{}"],
  ])("content-type %p is refused", async (contentType, body) => {
    const path = `/type-${encodeURIComponent(contentType)}`;
    server.route(path, (_req, res) => res.writeHead(200, contentType ? { "content-type": contentType } : {}).end(body));
    const failure = await failureOf(path);
    expect(failure.kind).toBe("content_type");
    expect(`${failure.description} ${failure.reason}`).not.toContain("marker");
  });

  test("a compressed body is refused (the byte limit would not mean what it says)", async () => {
    server.route("/gzip", (_req, res) =>
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" }).end(Bun.gzipSync("{}")),
    );
    expect((await failureOf("/gzip")).kind).toBe("content_type");
  });

  test("a body larger than maxBytes is cut off while streaming", async () => {
    let reportClose!: (early: boolean) => void;
    const closedEarly = new Promise<boolean>((resolve) => (reportClose = resolve));
    server.route("/huge", (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }); // chunked: no length announced
      let sent = 0;
      const timer = setInterval(() => {
        res.write(`${" ".repeat(1024)}`);
        sent += 1024;
        if (sent >= 1024 * 1024) {
          clearInterval(timer);
          res.end();
        }
      }, 1);
      res.on("close", () => {
        clearInterval(timer);
        reportClose(sent < 1024 * 1024);
      });
    });
    const failure = await failureOf("/huge", { maxBytes: 5 * 1024 });
    expect(failure.kind).toBe("too_large");
    expect(await closedEarly).toBe(true);
  });

  test("a Content-Length over maxBytes is refused before reading", async () => {
    server.route("/declared", (_req, res) =>
      res.writeHead(200, { "content-type": "application/json", "content-length": "6000" }).end(" ".repeat(6000)),
    );
    const failure = await failureOf("/declared", { maxBytes: 5 * 1024 });
    expect(failure.kind).toBe("too_large");
    expect(failure.reason).toContain("content-length 6000");
  });

  test("a server that never answers hits the deadline", async () => {
    server.route("/silent", () => {});
    const started = performance.now();
    const failure = await failureOf("/silent", { timeoutMs: 300 });
    expect(failure.kind).toBe("timeout");
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  test("a server that drips its body slowly hits the deadline (the limit is on the whole fetch)", async () => {
    server.route("/drip", (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const timer = setInterval(() => res.write(" "), 50);
      res.on("close", () => clearInterval(timer));
    });
    const failure = await failureOf("/drip", { timeoutMs: 400 });
    expect(failure.kind).toBe("timeout");
  });

  test("the deadline covers name resolution too", async () => {
    const hanging = Object.assign(() => new Promise<never>(() => {}), { calls: [] as string[] });
    const outcome = await fetchMetadataDocument(server.url("/ok"), { ...options({ timeoutMs: 200 }), lookup: hanging });
    expect(!outcome.ok && outcome.error.kind).toBe("timeout");
  });

  test("a certificate for another host name is refused", async () => {
    server.route("/other-host", json(documentFor(server.url("/other-host", "wrong.test"))));
    const failure = await failureOf("/other-host", {}, "wrong.test");
    expect(failure.kind).toBe("tls_failed");
    expect(server.requests.get("/other-host")).toBeUndefined();
  });

  test("a certificate from a CA that is not trusted is refused", async () => {
    const { ca: _ignored, ...untrusted } = options();
    const outcome = await fetchMetadataDocument(server.url("/ok"), untrusted);
    expect(!outcome.ok && outcome.error.kind).toBe("tls_failed");
  });

  test("a host name that does not resolve", async () => {
    const outcome = await fetchMetadataDocument("https://nowhere.test/client", options());
    expect(!outcome.ok && outcome.error.kind).toBe("dns_failed");
  });

  test("nothing listening", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const outcome = await fetchMetadataDocument(`https://cimd.test:${port}/client`, options());
    expect(!outcome.ok && outcome.error.kind).toBe("connect_failed");
  });

  test("a client_id that is not a Client Identifier URL is never fetched", async () => {
    const opts = options();
    const outcome = await fetchMetadataDocument(`https://cimd.test:${server.port}/a/../ok`, opts);
    expect(!outcome.ok && outcome.error.kind).toBe("invalid_url");
    expect(opts.lookup.calls).toEqual([]);
  });
});
