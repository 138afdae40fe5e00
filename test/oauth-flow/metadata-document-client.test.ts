// The official MCP SDK client's OAuth flow with a client ID metadata document client (an https
// URL as client_id), end to end against the running appliance: the document is served by a real
// HTTPS server on 127.0.0.1 with a certificate from a CA made at test time. The appliance is
// relaxed only as test/oauth/cimd describes (the test CA, a lookup mapping cimd.test to
// 127.0.0.1, and 127.0.0.1 allowed); the SSRF cases run against the strict default.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { formField, MemoryOAuthProvider, OwnerBrowser, ownerPasswordHash } from "../helpers/oauth.ts";
import { type DocumentServer, json, startDocumentServer } from "../oauth/cimd/document-server.ts";
import { allowTestServer, type FakeLookup, fakeLookup } from "../oauth/cimd/lookup-fixture.ts";
import { makeTestCertificates, type TestCertificates } from "../oauth/cimd/tls-fixture.ts";

const REDIRECT_URI = "http://localhost:47200/callback";
const CLIENT_NAME = "Metadata Document Test Client";

let certs: TestCertificates;
let documents: DocumentServer;
let lookup: FakeLookup;
let appliance: TestAppliance;
let clientId: string;

beforeAll(async () => {
  certs = makeTestCertificates(["cimd.test", "private.test", "loop.test", "metadata.test", "mixed.test"]);
  documents = await startDocumentServer(certs);
  clientId = documents.url("/client.json");
  documents.route(
    "/client.json",
    json(
      {
        client_id: clientId,
        client_name: CLIENT_NAME,
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
      },
      { "cache-control": "public, max-age=3600" },
    ),
  );
  // A document that declares the code grant alone: it gets no refresh token.
  documents.route(
    "/no-refresh.json",
    json({
      client_id: documents.url("/no-refresh.json"),
      client_name: "No Refresh",
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code"],
    }),
  );
  // A document whose client_id is another URL (CIMD §4.1: it must be its own URL, byte for byte).
  documents.route(
    "/mismatch.json",
    json({
      client_id: clientId,
      client_name: "Impostor",
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: "none",
    }),
  );
  lookup = fakeLookup({ "cimd.test": ["127.0.0.1"] });
  appliance = await startTestAppliance(
    [stdioServer("vault", "behaviour-server.mjs")],
    { auth: "oauth", oauthOverrides: { ownerPasswordHash: await ownerPasswordHash() } },
    { metadataDocumentFetch: { lookup, isAddressAllowed: allowTestServer, ca: certs.ca } },
  );
});

afterAll(async () => {
  await appliance?.stop();
  await documents?.close();
});

const textOf = (result: unknown) => (result as { content: { text: string }[] }).content.map((c) => c.text).join("");

/** Paths of the requests the appliance logged (one access-log line per request). */
function requestedPaths(running: TestAppliance): string[] {
  return running.logs.flatMap((line) => {
    try {
      const entry = JSON.parse(line) as { msg?: string; path?: string };
      return entry.msg === "request" && typeof entry.path === "string" ? [entry.path] : [];
    } catch {
      return [];
    }
  });
}

/** The owner signs in and approves, keeping the login and consent pages to look at. */
async function ownerApproves(origin: string, authorizationUrl: URL) {
  const browser = new OwnerBrowser(origin);
  const { loginHtml, consentHtml } = await browser.signIn(authorizationUrl);
  const approved = await browser.post({
    action: "approve",
    request: formField(consentHtml, "request"),
    csrf: formField(consentHtml, "csrf"),
  });
  expect(approved.status).toBe(303);
  return { loginHtml, consentHtml, redirect: new URL(approved.headers.get("location")!) };
}

/** Connect; when the SDK asks for authorization, play the owner, finish, and connect again. */
async function connectWithOAuth(url: URL, provider: MemoryOAuthProvider, origin: string) {
  const first = new StreamableHTTPClientTransport(url, { authProvider: provider });
  const firstClient = new Client({ name: "cimd-test", version: "1" });
  const error = await firstClient.connect(first).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnauthorizedError);
  const pages = await ownerApproves(origin, provider.authorizationUrl!);
  expect(pages.redirect.origin + pages.redirect.pathname).toBe(REDIRECT_URI);
  expect(pages.redirect.searchParams.get("iss")).toBe(origin);
  await first.finishAuth(pages.redirect.searchParams.get("code")!);
  const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
  const client = new Client({ name: "cimd-test", version: "1" });
  await client.connect(transport);
  return { client, transport, ...pages };
}

/** GET /authorize as a browser would, for a client_id the test chooses. */
function authorize(origin: string, id: string, resource: string): Promise<Response> {
  const url = new URL("/authorize", origin);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: id,
    redirect_uri: REDIRECT_URI,
    code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    code_challenge_method: "S256",
    state: "xyz",
    resource,
    scope: "mcp:vault",
  }).toString();
  return fetch(url, { redirect: "manual" });
}

async function expectErrorPage(response: Response, text: string): Promise<string> {
  expect(response.status).toBe(400);
  expect(response.headers.get("location")).toBeNull();
  expect(response.headers.get("content-type") ?? "").toContain("text/html");
  const html = await response.text();
  expect(html).toContain("Authorization request refused");
  expect(html).toContain(text);
  return html;
}

describe("a client ID metadata document client with the SDK", () => {
  test("the authorization server metadata advertises client ID metadata documents", async () => {
    const response = await fetch(new URL("/.well-known/oauth-authorization-server", appliance.url));
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata.client_id_metadata_document_supported).toBe(true);
    expect(metadata.token_endpoint_auth_methods_supported as string[]).toContain("none");
  });

  test("the SDK uses the URL as client_id without registering; consent names the document's client; tools work; the document is fetched once", async () => {
    const before = documents.requests.get("/client.json") ?? 0;
    expect(before).toBe(0);

    // First authorization.
    const provider = new MemoryOAuthProvider(REDIRECT_URI, {}, undefined, clientId);
    const first = await connectWithOAuth(appliance.mcpUrl("vault"), provider, appliance.url);
    expect(provider.clientInformation()!.client_id).toBe(clientId);
    const authorizationUrl = provider.authorizationUrl!;
    expect(authorizationUrl.searchParams.get("client_id")).toBe(clientId);
    expect(authorizationUrl.searchParams.get("redirect_uri")).toBe(REDIRECT_URI);
    expect(first.loginHtml).toContain(CLIENT_NAME);
    expect(first.consentHtml).toContain(CLIENT_NAME);
    expect(first.consentHtml).toContain(clientId);
    expect(first.consentHtml).toContain("metadata document URL");
    expect(first.consentHtml).toContain("http://localhost:47200");
    expect(textOf(await first.client.callTool({ name: "echo", arguments: { text: "via cimd" } }))).toBe("via cimd");
    const tokens = provider.tokens()!;
    expect(tokens.access_token).toStartWith("mcpa_");
    expect(tokens.refresh_token).toStartWith("mcpr_");
    expect(tokens.scope).toBe("mcp:vault");
    await first.transport.terminateSession();
    await first.client.close();

    // Second authorization by a fresh SDK client with the same metadata document URL.
    const second = new MemoryOAuthProvider(REDIRECT_URI, {}, undefined, clientId);
    const again = await connectWithOAuth(appliance.mcpUrl("vault"), second, appliance.url);
    expect(second.clientInformation()!.client_id).toBe(clientId);
    expect(again.consentHtml).toContain(CLIENT_NAME);
    expect(textOf(await again.client.callTool({ name: "echo", arguments: { text: "again" } }))).toBe("again");
    expect(second.tokens()!.access_token).not.toBe(tokens.access_token);

    // A refresh works for the metadata-document client (its id is checked through the cache too).
    const refreshed = await fetch(new URL("/token", appliance.url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: second.tokens()!.refresh_token!, client_id: clientId }),
    });
    expect(refreshed.status).toBe(200);
    const pair = (await refreshed.json()) as { access_token: string; refresh_token: string };
    expect(pair.refresh_token).not.toBe(second.tokens()!.refresh_token);
    await again.transport.terminateSession();
    await again.client.close();

    // Nothing was registered: no request reached /register.
    const paths = requestedPaths(appliance);
    expect(paths).toContain("/authorize");
    expect(paths).toContain("/token");
    expect(paths).not.toContain("/register");

    // Two authorizations (each: GET /authorize, login, consent, token) and a refresh: one fetch.
    expect(documents.requests.get("/client.json")).toBe(1);
    expect(lookup.calls.filter((name) => name === "cimd.test")).toEqual(["cimd.test"]);
    expect(documents.serverNames).toContain("cimd.test");
    expect(documents.hostHeaders).toContain(`cimd.test:${documents.port}`);
  });

  test("a document that declares only authorization_code gets no refresh token (RFC 7591 §2 grant_types)", async () => {
    const id = documents.url("/no-refresh.json");
    const provider = new MemoryOAuthProvider(REDIRECT_URI, {}, undefined, id);
    const connected = await connectWithOAuth(appliance.mcpUrl("vault"), provider, appliance.url);
    expect(provider.tokens()!.access_token).toStartWith("mcpa_");
    expect(provider.tokens()!.refresh_token).toBeUndefined();
    await connected.transport.terminateSession();
    await connected.client.close();
  });

  test("a document whose client_id is not its own URL gets an error page, not a redirect", async () => {
    const mismatchId = documents.url("/mismatch.json");
    const response = await authorize(appliance.url, mismatchId, appliance.mcpUrl("vault").href);
    const html = await expectErrorPage(response, "client_id does not match the URL of the document");
    expect(html).not.toContain("Impostor");
    expect(documents.requests.get("/mismatch.json")).toBe(1);
    const refused = appliance.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === "authorization request refused");
    expect(refused.some((l) => l.error === "invalid_client" && String(l.reason).includes("client_id does not match"))).toBe(true);
    // Asked again at once: still refused, from the resolver's short failure hold (no new fetch).
    const again = await authorize(appliance.url, mismatchId, appliance.mcpUrl("vault").href);
    await expectErrorPage(again, "client_id does not match the URL of the document");
    expect(documents.requests.get("/mismatch.json")).toBe(1);
  });
});

describe("the strict default refuses private addresses", () => {
  let strict: TestAppliance;
  let strictLookup: FakeLookup;

  beforeAll(async () => {
    strictLookup = fakeLookup({
      "private.test": ["10.0.0.1"],
      "loop.test": ["127.0.0.1"],
      "metadata.test": ["169.254.169.254"],
      // Any refused address refuses the host, even behind a public one.
      "mixed.test": ["93.184.215.14", "127.0.0.1"],
    });
    // Only the CA and the lookup: no isAddressAllowed relaxation.
    strict = await startTestAppliance(
      [stdioServer("vault", "behaviour-server.mjs")],
      { auth: "oauth", oauthOverrides: { ownerPasswordHash: await ownerPasswordHash() } },
      { metadataDocumentFetch: { lookup: strictLookup, ca: certs.ca } },
    );
  });
  afterAll(async () => {
    await strict?.stop();
  });

  for (const host of ["private.test", "loop.test", "metadata.test", "mixed.test", "127.0.0.1"]) {
    test(`${host}: an error page, and the document server saw no connection`, async () => {
      const connections = documents.connections;
      const requests = documents.requests.get("/client.json") ?? 0;
      const id = documents.url("/client.json", host);
      const response = await authorize(strict.url, id, strict.mcpUrl("vault").href);
      await expectErrorPage(response, "address this server does not fetch from");
      expect(documents.connections).toBe(connections);
      expect(documents.requests.get("/client.json") ?? 0).toBe(requests);
      const reasons = strict.logs
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.msg === "authorization request refused")
        .map((l) => String(l.reason));
      expect(reasons.some((r) => r.includes(`${host} resolves to refused address`))).toBe(true);
    });
  }

  test("the SDK client with the same URL never gets as far as a fetch", async () => {
    const connections = documents.connections;
    const id = documents.url("/client.json", "loop.test");
    const provider = new MemoryOAuthProvider(REDIRECT_URI, {}, undefined, id);
    const transport = new StreamableHTTPClientTransport(strict.mcpUrl("vault"), { authProvider: provider });
    const error = await new Client({ name: "cimd-test", version: "1" }).connect(transport).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(provider.authorizationUrl!.searchParams.get("client_id")).toBe(id);
    await expectErrorPage(await fetch(provider.authorizationUrl!, { redirect: "manual" }), "address this server does not fetch from");
    expect(documents.connections).toBe(connections);
    expect(requestedPaths(strict)).not.toContain("/register");
  });
});

describe("client_id_metadata_documents = false", () => {
  let off: TestAppliance;

  beforeAll(async () => {
    off = await startTestAppliance(
      [stdioServer("vault", "behaviour-server.mjs")],
      { auth: "oauth", oauthOverrides: { ownerPasswordHash: await ownerPasswordHash(), clientIdMetadataDocuments: false } },
      { metadataDocumentFetch: { lookup: fakeLookup({ "cimd.test": ["127.0.0.1"] }), isAddressAllowed: allowTestServer, ca: certs.ca } },
    );
  });
  afterAll(async () => {
    await off?.stop();
  });

  test("the metadata says false and an https client_id gets an error page without a fetch", async () => {
    const metadata = (await (await fetch(new URL("/.well-known/oauth-authorization-server", off.url))).json()) as Record<string, unknown>;
    expect(metadata.client_id_metadata_document_supported).toBe(false);
    const connections = documents.connections;
    const response = await authorize(off.url, clientId, off.mcpUrl("vault").href);
    await expectErrorPage(response, "client ID metadata documents are not accepted by this server");
    expect(documents.connections).toBe(connections);
  });

  test("the SDK client then falls back to dynamic registration", async () => {
    const provider = new MemoryOAuthProvider(REDIRECT_URI, {}, undefined, clientId);
    const transport = new StreamableHTTPClientTransport(off.mcpUrl("vault"), { authProvider: provider });
    const error = await new Client({ name: "cimd-test", version: "1" }).connect(transport).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(provider.clientInformation()!.client_id).not.toBe(clientId);
    expect(requestedPaths(off)).toContain("/register");
  });
});
