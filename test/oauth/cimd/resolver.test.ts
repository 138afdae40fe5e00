// The resolver the authorization endpoint calls: validation end to end, caching per HTTP headers
// (CIMD §4.4), the failure hold, shared in-flight fetches and the bounds on memory and fetches.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ClientMetadataResolver } from "../../../src/oauth/client-metadata-document/resolver.ts";
import { type DocumentServer, json, type Route, startDocumentServer } from "./document-server.ts";
import { allowTestServer, documentFor, fakeLookup } from "./lookup-fixture.ts";
import { makeTestCertificates, type TestCertificates } from "./tls-fixture.ts";

let certs: TestCertificates;
let server: DocumentServer;
let clock = 1_000_000;
let nextPath = 0;
const SILENT_HOSTS = ["silent1.test", "silent2.test", "silent3.test", "silent4.test", "silent5.test"];

beforeAll(async () => {
  certs = makeTestCertificates(["cimd.test", ...SILENT_HOSTS]);
  server = await startDocumentServer(certs);
});
afterAll(() => server.close());

function resolver(extra: Partial<ConstructorParameters<typeof ClientMetadataResolver>[0]> = {}) {
  return new ClientMetadataResolver({
    lookup: fakeLookup(Object.fromEntries(["cimd.test", ...SILENT_HOSTS].map((host) => [host, ["127.0.0.1"]]))),
    isAddressAllowed: allowTestServer,
    ca: certs.ca,
    timeoutMs: 2_000,
    validateRedirectUris: () => [],
    now: () => clock,
    ...extra,
  });
}

/** A fresh path on the test server serving `route(clientId)`; returns the client_id. */
function serve(route: (clientId: string) => Route): string {
  const path = `/client-${nextPath++}`;
  const clientId = server.url(path);
  server.route(path, route(clientId));
  return clientId;
}

const fetches = (clientId: string) => server.requests.get(new URL(clientId).pathname) ?? 0;

describe("ClientMetadataResolver", () => {
  test("a valid document is returned normalised, and cached: the second call makes no request", async () => {
    const id = serve((clientId) => json({ ...documentFor(clientId), client_name: "  Test Client  ", unknown_member: true }));
    const cimd = resolver();
    const first = await cimd.resolve(id);
    expect(first).toEqual({
      ok: true,
      value: {
        client_id: id,
        client_name: "Test Client",
        redirect_uris: ["http://127.0.0.1:9/callback"],
        grant_types: ["authorization_code", "refresh_token"],
        token_endpoint_auth_method: "none",
        token_endpoint_auth_methods: ["none"],
      },
    });
    expect(await cimd.resolve(id)).toEqual(first);
    expect(fetches(id)).toBe(1);
  });

  test("max-age is respected (clock injected)", async () => {
    const id = serve((clientId) => json(documentFor(clientId), { "cache-control": "public, max-age=600" }));
    const cimd = resolver();
    await cimd.resolve(id);
    clock += 599_000;
    await cimd.resolve(id);
    expect(fetches(id)).toBe(1);
    clock += 2_000;
    expect((await cimd.resolve(id)).ok).toBe(true);
    expect(fetches(id)).toBe(2);
  });

  test("a max-age below the minimum is raised to it; above the maximum, lowered", async () => {
    const short = serve((clientId) => json(documentFor(clientId), { "cache-control": "max-age=5" }));
    const long = serve((clientId) => json(documentFor(clientId), { "cache-control": "max-age=99999999" }));
    const cimd = resolver({ minTtlMs: 60_000, maxTtlMs: 3_600_000 });
    await cimd.resolve(short);
    await cimd.resolve(long);
    clock += 59_000;
    await cimd.resolve(short);
    expect(fetches(short)).toBe(1);
    clock += 2_000;
    await cimd.resolve(short);
    expect(fetches(short)).toBe(2);
    clock += 3_600_000;
    await cimd.resolve(long);
    expect(fetches(long)).toBe(2);
  });

  test("no-store: never cached", async () => {
    const id = serve((clientId) => json(documentFor(clientId), { "cache-control": "no-store" }));
    const cimd = resolver();
    expect((await cimd.resolve(id)).ok).toBe(true);
    expect((await cimd.resolve(id)).ok).toBe(true);
    expect(fetches(id)).toBe(2);
  });

  test("Expires is used when there is no max-age", async () => {
    const id = serve(
      (clientId) => (req, res) =>
        json(documentFor(clientId), { expires: new Date(clock + 900_000).toUTCString(), date: new Date(clock).toUTCString() })(req, res),
    );
    const cimd = resolver();
    await cimd.resolve(id);
    clock += 890_000;
    await cimd.resolve(id);
    expect(fetches(id)).toBe(1);
    clock += 20_000;
    await cimd.resolve(id);
    expect(fetches(id)).toBe(2);
  });

  test("no caching headers: the default lifetime", async () => {
    const id = serve((clientId) => json(documentFor(clientId)));
    const cimd = resolver({ defaultTtlMs: 120_000 });
    await cimd.resolve(id);
    clock += 119_000;
    await cimd.resolve(id);
    expect(fetches(id)).toBe(1);
    clock += 2_000;
    await cimd.resolve(id);
    expect(fetches(id)).toBe(2);
  });

  test.each([
    ["client_id mismatch", (clientId: string) => documentFor(`${clientId}-other`), "client_id does not match"],
    ["missing redirect_uris", (clientId: string) => documentFor(clientId, { redirect_uris: undefined }), "redirect_uris"],
    [
      "client_secret_post",
      (clientId: string) => documentFor(clientId, { token_endpoint_auth_method: "client_secret_post" }),
      "client_secret_post",
    ],
  ])("%s is refused", async (_name, document, problem) => {
    const id = serve((clientId) => json(document(clientId)));
    const outcome = await resolver().resolve(id);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.kind).toBe("invalid_document");
    expect(outcome.error.description).toContain(problem);
  });

  test("the injected redirect URI validator decides", async () => {
    const id = serve((clientId) => json(documentFor(clientId, { redirect_uris: ["https://evil.example/cb"] })));
    const outcome = await resolver({ validateRedirectUris: (uris) => uris.map((uri) => `${uri}: not allowed`) }).resolve(id);
    expect(!outcome.ok && outcome.error.reason).toContain("https://evil.example/cb: not allowed");
  });

  test("a failure is held briefly: a flood of requests for a bad URL is one fetch", async () => {
    const id = serve((_clientId) => json(documentFor("https://someone-else.example/client")));
    const cimd = resolver({ failureHoldMs: 30_000 });
    for (let i = 0; i < 5; i++) expect((await cimd.resolve(id)).ok).toBe(false);
    expect(fetches(id)).toBe(1);
    clock += 31_000;
    await cimd.resolve(id);
    expect(fetches(id)).toBe(2);
  });

  test("failureHoldMs 0: failures are not remembered", async () => {
    const id = serve(() => (_req, res) => res.writeHead(500).end());
    const cimd = resolver({ failureHoldMs: 0 });
    await cimd.resolve(id);
    await cimd.resolve(id);
    expect(fetches(id)).toBe(2);
  });

  test("concurrent requests for one URL share one fetch", async () => {
    const id = serve((clientId) => (req, res) => setTimeout(() => json(documentFor(clientId))(req, res), 100));
    const cimd = resolver();
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => cimd.resolve(id)));
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(fetches(id)).toBe(1);
  });

  test("the cache is bounded: the least recently used document is dropped", async () => {
    const [a, b, c] = [0, 1, 2].map(() => serve((clientId) => json(documentFor(clientId), { "cache-control": "max-age=3600" })));
    const cimd = resolver({ maxEntries: 2 });
    await cimd.resolve(a!);
    await cimd.resolve(b!);
    await cimd.resolve(a!); // a is now the most recently used
    await cimd.resolve(c!); // drops b
    await cimd.resolve(a!);
    await cimd.resolve(b!);
    expect([fetches(a!), fetches(b!), fetches(c!)]).toEqual([1, 2, 1]);
  });

  test("too many fetches in flight: busy, and not remembered", async () => {
    const slow = serve((clientId) => (req, res) => setTimeout(() => json(documentFor(clientId))(req, res), 200));
    const other = serve((clientId) => json(documentFor(clientId)));
    const cimd = resolver({ maxConcurrentFetches: 1 });
    const pending = cimd.resolve(slow);
    const refused = await cimd.resolve(other);
    expect(!refused.ok && refused.error.kind).toBe("busy");
    expect((await pending).ok).toBe(true);
    expect((await cimd.resolve(other)).ok).toBe(true);
  });

  test("slots per requester and per host: strangers naming silent hosts hold their share, not every slot", async () => {
    const held: { destroy(): void }[] = [];
    const silent = (host: string, n: number) => {
      server.route(`/silent-${n}`, (_req, res) => void held.push(res));
      return server.url(`/silent-${n}`, host);
    };
    const good = serve((clientId) => json(documentFor(clientId)));
    const cimd = resolver(); // the defaults: 16 in all, 4 per host, 4 per requester
    // One stranger names 20 silent URLs on five hosts: only 4 fetches start, the rest are busy at once.
    const stranger = Array.from({ length: 20 }, (_, i) => cimd.resolve(silent(SILENT_HOSTS[i % 5]!, i), "203.0.113.0/24"));
    const strangerBusy = (await Promise.all(stranger.map((p) => Promise.race([p, Promise.resolve("pending" as const)])))).filter(
      (o) => o !== "pending" && !o.ok && o.error.kind === "busy",
    );
    expect(strangerBusy).toHaveLength(16);
    // Others naming one silent host: that host takes 4 in all (one is the stranger's), the rest busy.
    const others = Array.from({ length: 6 }, (_, i) => cimd.resolve(silent("silent1.test", 100 + i), `198.51.100.${i}`));
    const settledNow = await Promise.all(others.map((p) => Promise.race([p, Promise.resolve("pending" as const)])));
    const hostBusy = settledNow.filter((o) => o !== "pending" && !o.ok && o.error.kind === "busy");
    expect(hostBusy).toHaveLength(3);
    expect(hostBusy.every((o) => o !== "pending" && !o.ok && o.error.reason.includes("silent1.test"))).toBe(true);
    // A real client on another host is fetched meanwhile.
    expect((await cimd.resolve(good, "192.0.2.1")).ok).toBe(true);
    for (const res of held.splice(0)) res.destroy();
    await Promise.all([...stranger, ...others]);
    // Slots are given back: the stranger may fetch again.
    server.route("/closes", (_req, res) => res.destroy());
    const outcome = await cimd.resolve(server.url("/closes", "silent2.test"), "203.0.113.0/24");
    expect(!outcome.ok && outcome.error.kind).toBe("connect_failed");
  });

  test("key sets: fetched like documents, public keys only; refresh refetches at most once per minimum lifetime", async () => {
    const key = {
      kty: "EC",
      crv: "P-256",
      x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
      y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    };
    server.route("/keys", json({ keys: [key] }, { "content-type": "application/jwk-set+json", "cache-control": "max-age=3600" }));
    server.route("/private-keys", json({ keys: [{ ...key, d: "secret" }] }));
    const cimd = resolver();
    const uri = server.url("/keys");
    const got = await cimd.keySet(uri);
    expect(got.ok && got.value.keys).toEqual([key]);
    await cimd.keySet(uri, undefined, true); // fetched just now: not again
    expect(server.requests.get("/keys")).toBe(1);
    clock += 60_000;
    await cimd.keySet(uri, undefined, true);
    expect(server.requests.get("/keys")).toBe(2);
    const refused = await cimd.keySet(server.url("/private-keys"));
    expect(!refused.ok && refused.error.reason).toContain("public keys only");
  });

  test("forget drops what is remembered", async () => {
    const id = serve((clientId) => json(documentFor(clientId), { "cache-control": "max-age=3600" }));
    const cimd = resolver();
    await cimd.resolve(id);
    cimd.forget(id);
    await cimd.resolve(id);
    expect(fetches(id)).toBe(2);
  });

  test("a client_id that is not a Client Identifier URL: invalid_url, no lookup", async () => {
    const lookup = fakeLookup({});
    const outcome = await resolver({ lookup }).resolve("https://cimd.test/");
    expect(!outcome.ok && outcome.error.kind).toBe("invalid_url");
    expect(lookup.calls).toEqual([]);
  });
});
