// Metadata-document clients against strangers (issue 13) and private_key_jwt (RFC 7523), end to
// end through the running appliance: documents and key sets are served by a real HTTPS server on
// 127.0.0.1 with a test CA (test/oauth/cimd), and requesters are told apart by X-Forwarded-For.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { IncomingMessage, ServerResponse } from "node:http";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { openStore } from "../../src/store/index.ts";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { formField, ownerPasswordHash } from "../helpers/oauth.ts";
import { authorizeUrl, authorizeWithOwner, expectOAuthError, pkce, postForm, tokens } from "../helpers/oauth-http.ts";
import { type DocumentServer, json, startDocumentServer } from "../oauth/cimd/document-server.ts";
import { allowTestServer, fakeLookup } from "../oauth/cimd/lookup-fixture.ts";
import { makeTestCertificates } from "../oauth/cimd/tls-fixture.ts";

const REDIRECT_URI = "http://127.0.0.1:47300/callback";
const SILENT_HOSTS = ["silent1.test", "silent2.test", "silent3.test", "silent4.test"];
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const REGISTRATION_LIMIT = 6;

let documents: DocumentServer;
let appliance: TestAppliance;
let resource: string;
const held: ServerResponse[] = [];
let heldWaiter: { count: number; resolve(): void } | undefined;

/** A route that never answers: the request is kept until the test lets it go. */
function silentRoute(_req: IncomingMessage, res: ServerResponse): void {
  held.push(res);
  if (heldWaiter && held.length >= heldWaiter.count) heldWaiter.resolve();
}
function untilHeld(count: number): Promise<void> {
  if (held.length >= count) return Promise.resolve();
  return new Promise((resolve) => {
    heldWaiter = { count, resolve };
  });
}
function releaseHeld(): void {
  for (const res of held.splice(0)) res.destroy();
}

/** The first `count` of `pending` to settle, in the order they did (the others stay pending). */
function firstSettled(pending: Promise<Response>[], count: number): Promise<Response[]> {
  const settled: Response[] = [];
  return new Promise((resolve) => {
    for (const p of pending)
      p.then((response) => {
        settled.push(response);
        if (settled.length === count) resolve([...settled]);
      });
  });
}

/** A valid public document, re-fetched on every use (no-store). */
function serveDocument(path: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): string {
  const clientId = documents.url(path);
  documents.route(
    path,
    json(
      { client_id: clientId, client_name: `Client ${path}`, redirect_uris: [REDIRECT_URI], ...extra },
      { "cache-control": "no-store", ...headers },
    ),
  );
  return clientId;
}

function from(address: string): Record<string, string> {
  return { "x-forwarded-for": address };
}

/** GET /authorize as a browser would, from `address`. */
function authorizeFrom(clientId: string, address: string): Promise<Response> {
  const url = authorizeUrl(appliance.url, {
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    code_challenge: pkce().challenge,
    code_challenge_method: "S256",
    state: "s",
    resource,
  });
  return fetch(url, { redirect: "manual", headers: from(address) });
}

beforeAll(async () => {
  const certs = makeTestCertificates(["cimd.test", ...SILENT_HOSTS]);
  documents = await startDocumentServer(certs);
  const table = Object.fromEntries(["cimd.test", ...SILENT_HOSTS].map((host) => [host, ["127.0.0.1"]]));
  appliance = await startTestAppliance(
    [stdioServer("vault", "behaviour-server.mjs")],
    {
      auth: "oauth",
      trustProxy: ["127.0.0.1"],
      oauthOverrides: { ownerPasswordHash: await ownerPasswordHash(), registrationLimit: REGISTRATION_LIMIT },
    },
    { metadataDocumentFetch: { lookup: fakeLookup(table), isAddressAllowed: allowTestServer, ca: certs.ca, timeoutMs: 60_000 } },
  );
  resource = appliance.mcpUrl("vault").href;
});

afterAll(async () => {
  releaseHeld();
  await appliance?.stop();
  await documents?.close();
});

describe("the fetcher's slots cannot be held by strangers", () => {
  test("one address naming a silent host holds 4 fetches; the rest of it is 503 at once; other clients still resolve", async () => {
    const stranger = "203.0.113.9";
    const hanging = Array.from({ length: 16 }, (_, i) => {
      documents.route(`/stranger-${i}`, silentRoute);
      return authorizeFrom(documents.url(`/stranger-${i}`, "silent1.test"), stranger);
    });
    // Before: all 16 were fetches in flight, and every other metadata-document client got "busy".
    const busy = await firstSettled(hanging, 12);
    await untilHeld(4);
    expect(held).toHaveLength(4);
    expect(busy.map((r) => r.status)).toEqual(Array(12).fill(503));
    expect(await busy[0]!.text()).toContain("Too many client metadata documents are being fetched");
    // Someone else's new client is fetched and shown to the owner meanwhile.
    const page = await authorizeFrom(serveDocument("/newcomer.json"), "198.51.100.7");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Client /newcomer.json");
    releaseHeld();
    await Promise.all(hanging);
  });

  test("the same bound at /revoke: one address naming silent hosts holds 4 fetches, the rest 503 at once", async () => {
    const stranger = "203.0.113.10";
    // Two hosts, so that only the bound per requester (not the one per host) can stop the fifth.
    const hanging = Array.from({ length: 8 }, (_, i) => {
      documents.route(`/revoker-${i}`, silentRoute);
      const clientId = documents.url(`/revoker-${i}`, i % 2 === 0 ? "silent2.test" : "silent3.test");
      return postForm(appliance.url, "/revoke", { token: "mcp_at_unknown", client_id: clientId }, from(stranger));
    });
    const busy = await firstSettled(hanging, 4);
    await untilHeld(4);
    expect(busy.map((r) => r.status)).toEqual(Array(4).fill(503));
    releaseHeld();
    await Promise.all(hanging);
  });

  test("every slot taken: an approved client still refreshes (from its record); a new one gets temporarily_unavailable, never invalid_client", async () => {
    const approvedId = serveDocument("/approved.json");
    const { code, verifier } = await authorizeWithOwner(appliance.url, { clientId: approvedId, redirectUri: REDIRECT_URI, resource });
    const pair = await tokens(appliance.url, {
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      client_id: approvedId,
      redirect_uri: REDIRECT_URI,
    });

    // A sign-in begun for a client whose row then gives way to newer clients (never used: at the cap).
    const loginPage = await (await authorizeFrom(serveDocument("/evicted.json"), "198.51.100.30")).text();
    for (let i = 0; i < REGISTRATION_LIMIT; i++)
      expect((await authorizeFrom(serveDocument(`/pusher-${i}.json`), "198.51.100.31")).status).toBe(200);

    // Four requesters, each naming a silent URL on each of four hosts: all 16 slots held.
    const hanging = SILENT_HOSTS.flatMap((host, h) =>
      [0, 1, 2, 3].map((r) => {
        documents.route(`/flood-${h}-${r}`, silentRoute);
        return authorizeFrom(documents.url(`/flood-${h}-${r}`, host), `192.0.2.${10 + r}`);
      }),
    );
    await untilHeld(16);

    // The document is no-store, so this refresh needs a fetch, and the fetcher is full.
    const fetchesBefore = documents.requests.get("/approved.json");
    const refreshed = await tokens(
      appliance.url,
      { grant_type: "refresh_token", refresh_token: pair.refresh_token!, client_id: approvedId },
      from("198.51.100.20"),
    );
    expect(refreshed.access_token).toStartWith("mcpa_");
    expect(documents.requests.get("/approved.json")).toBe(fetchesBefore!);

    // A client never seen before: 503 with Retry-After at /token, a 503 page at /authorize.
    const strangerId = serveDocument("/never-seen.json");
    const atToken = await postForm(
      appliance.url,
      "/token",
      { grant_type: "refresh_token", refresh_token: "mcpr_x", client_id: strangerId },
      from("198.51.100.21"),
    );
    expect(atToken.headers.get("retry-after")).toBe("5");
    await expectOAuthError(atToken, 503, "temporarily_unavailable");
    const atAuthorize = await authorizeFrom(strangerId, "198.51.100.22");
    expect(atAuthorize.status).toBe(503);
    expect(atAuthorize.headers.get("location")).toBeNull();

    // Its login form posted now: the client has no row and cannot be fetched: 503, not "unknown".
    const posted = await fetch(new URL("/authorize", appliance.url), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: appliance.url, ...from("198.51.100.30") },
      body: new URLSearchParams({
        action: "login",
        request: formField(loginPage, "request"),
        csrf: formField(loginPage, "csrf"),
        password: "wrong",
      }),
    });
    expect(posted.status).toBe(503);
    expect(await posted.text()).not.toContain("Unknown client");

    releaseHeld();
    await Promise.all(hanging);
  });
});

describe("metadata-document client rows are bounded", () => {
  test("many new URLs write at most registration_limit rows; clients that obtained tokens stay", async () => {
    const store = openStore(appliance.config.stateDir);
    try {
      const usedBefore = store.clients.list("metadata_document").filter((c) => c.last_used_at !== undefined);
      expect(usedBefore.length).toBeGreaterThan(0);
      for (let i = 0; i < 40; i++) {
        const response = await authorizeFrom(serveDocument(`/many-${i}.json`), `198.51.100.${100 + (i % 50)}`);
        expect(response.status).toBe(200);
      }
      const rows = store.clients.list("metadata_document");
      expect(rows.length).toBeLessThanOrEqual(REGISTRATION_LIMIT);
      for (const used of usedBefore) expect(store.clients.get(used.client_id)).toBeDefined();
    } finally {
      store.close();
    }
  });
});

describe("private_key_jwt (RFC 7523) for a document that asks for it", () => {
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  let otherKeys: Awaited<ReturnType<typeof generateKeyPair>>;
  let inlineId: string;
  let choiceId: string;

  beforeAll(async () => {
    keys = await generateKeyPair("ES256");
    otherKeys = await generateKeyPair("ES256");
    const publicJwk = { ...(await exportJWK(keys.publicKey)), kid: "k1", alg: "ES256", use: "sig" };
    inlineId = serveDocument("/pkjwt.json", { token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [publicJwk] } });
    // ChatGPT's shape: jwks_uri, private_key_jwt preferred and none offered as well.
    documents.route("/jwks.json", json({ keys: [publicJwk] }, { "content-type": "application/jwk-set+json" }));
    choiceId = serveDocument("/choice.json", {
      token_endpoint_auth_method: "private_key_jwt",
      token_endpoint_auth_methods_supported: ["none", "private_key_jwt"],
      token_endpoint_auth_signing_alg: "ES256",
      jwks_uri: documents.url("/jwks.json"),
    });
  });

  async function assertion(clientId: string, claims: Record<string, unknown> = {}, key = keys.privateKey): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ jti: crypto.randomUUID(), ...claims })
      .setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setIssuer(String(claims.iss ?? clientId))
      .setSubject(clientId)
      .setAudience((claims.aud as string | undefined) ?? `${appliance.url}/token`)
      .setIssuedAt(now)
      .setExpirationTime((claims.exp as number | undefined) ?? now + 60)
      .sign(key);
  }

  async function code(clientId: string) {
    return authorizeWithOwner(appliance.url, { clientId, redirectUri: REDIRECT_URI, resource });
  }

  test("the authorization server metadata advertises private_key_jwt and its algorithms", async () => {
    const metadata = (await (await fetch(new URL("/.well-known/oauth-authorization-server", appliance.url))).json()) as Record<
      string,
      string[]
    >;
    expect(metadata.token_endpoint_auth_methods_supported).toContain("private_key_jwt");
    expect(metadata.token_endpoint_auth_methods_supported).toContain("none");
    expect(metadata.token_endpoint_auth_signing_alg_values_supported).toContain("ES256");
    expect(metadata.token_endpoint_auth_signing_alg_values_supported).not.toContain("none");
  });

  test("an ES256 assertion gets tokens and refreshes; no assertion, replay, wrong aud, expired, too long, wrong key: 401 invalid_client", async () => {
    const granted = await code(inlineId);
    const exchange = { grant_type: "authorization_code", code: granted.code, code_verifier: granted.verifier, redirect_uri: REDIRECT_URI };
    // The document offers no "none": a bare client_id is not enough.
    await expectOAuthError(await postForm(appliance.url, "/token", { ...exchange, client_id: inlineId }), 401, "invalid_client");
    const first = await assertion(inlineId);
    const pair = await tokens(appliance.url, { ...exchange, client_assertion_type: JWT_BEARER, client_assertion: first });
    expect(pair.refresh_token).toStartWith("mcpr_");

    const refresh = (clientAssertion: string) =>
      postForm(appliance.url, "/token", {
        grant_type: "refresh_token",
        refresh_token: pair.refresh_token!,
        client_assertion_type: JWT_BEARER,
        client_assertion: clientAssertion,
      });
    await expectOAuthError(await refresh(first), 401, "invalid_client"); // the jti was used
    await expectOAuthError(await refresh(await assertion(inlineId, { aud: "https://elsewhere.example/token" })), 401, "invalid_client");
    const past = Math.floor(Date.now() / 1000) - 600;
    await expectOAuthError(await refresh(await assertion(inlineId, { exp: past })), 401, "invalid_client");
    await expectOAuthError(await refresh(await assertion(inlineId, { exp: past + 600 + 3600 })), 401, "invalid_client");
    await expectOAuthError(await refresh(await assertion(inlineId, {}, otherKeys.privateKey)), 401, "invalid_client");
    await expectOAuthError(await refresh(await assertion(inlineId, { iss: "https://cimd.test/other" })), 401, "invalid_client");
    // None of those refusals spent the refresh token: a valid assertion (aud = the issuer) refreshes.
    const refreshed = await refresh(await assertion(inlineId, { aud: appliance.url }));
    expect(refreshed.status).toBe(200);
  });

  test("a document offering none too: an assertion verified against jwks_uri works, and so does a public exchange", async () => {
    const withAssertion = await code(choiceId);
    const pair = await tokens(appliance.url, {
      grant_type: "authorization_code",
      code: withAssertion.code,
      code_verifier: withAssertion.verifier,
      redirect_uri: REDIRECT_URI,
      client_id: choiceId,
      client_assertion_type: JWT_BEARER,
      client_assertion: await assertion(choiceId),
    });
    expect(pair.access_token).toStartWith("mcpa_");
    expect(documents.requests.get("/jwks.json")).toBeGreaterThanOrEqual(1);

    const bare = await code(choiceId);
    const publicPair = await tokens(appliance.url, {
      grant_type: "authorization_code",
      code: bare.code,
      code_verifier: bare.verifier,
      redirect_uri: REDIRECT_URI,
      client_id: choiceId,
    });
    expect(publicPair.access_token).toStartWith("mcpa_");
    // Not a valid assertion is still refused, even where none would do: it was presented.
    const third = await code(choiceId);
    const forged = await postForm(appliance.url, "/token", {
      grant_type: "authorization_code",
      code: third.code,
      code_verifier: third.verifier,
      redirect_uri: REDIRECT_URI,
      client_assertion_type: JWT_BEARER,
      client_assertion: await assertion(choiceId, {}, otherKeys.privateKey),
    });
    await expectOAuthError(forged, 401, "invalid_client");
  });
});
