// Discovery over HTTP: RFC 8414 authorization server metadata (also at the OpenID configuration
// path), RFC 9728 protected resource metadata at the path-suffixed and the root well-known URL,
// the issuer byte-identical everywhere, URLs from public_url and never from Host, and CORS for
// browser clients (preflights answered before any authentication; foreign Origins refused at MCP).
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { ownerPasswordHash } from "../helpers/oauth.ts";
import {
  authorizeUrl,
  authorizeWithOwner,
  challengeParams,
  expectErrorRedirect,
  expectHealthy,
  expectNoNull,
  mcpInitialize,
  pkce,
  postForm,
  postJson,
  registerPublic,
  sha256Hex,
  tokens,
} from "../helpers/oauth-http.ts";

const INSPECTOR = "https://inspector.example";
const ALLOW_HEADERS = ["authorization", "content-type", "mcp-protocol-version", "mcp-session-id", "last-event-id"];

let single: TestAppliance; // one server "vault", DCR on
let double: TestAppliance; // two servers "alpha" and "beta"
let noDcr: TestAppliance; // dynamic_registration = false
let public_: TestAppliance; // public_url = https://mcp.example.com, reached over 127.0.0.1
const PUBLIC_URL = "https://mcp.example.com";
const TRUSTED_SECRET = "trusted-client-secret-for-discovery";

beforeAll(async () => {
  const hash = await ownerPasswordHash();
  single = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
    auth: "oauth",
    oauthOverrides: { ownerPasswordHash: hash },
  });
  double = await startTestAppliance([stdioServer("alpha", "behaviour-server.mjs"), stdioServer("beta", "behaviour-server.mjs")], {
    auth: "oauth",
    oauthOverrides: { ownerPasswordHash: hash },
  });
  noDcr = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
    auth: "oauth",
    oauthOverrides: { dynamicRegistration: false },
  });
  public_ = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
    auth: "oauth",
    publicUrl: PUBLIC_URL,
    oauthOverrides: {
      clients: [
        {
          name: "Trusted",
          clientId: "trusted",
          clientSecretSha256: sha256Hex(TRUSTED_SECRET),
          redirectUris: ["https://trusted.example/cb"],
          autoApprove: true,
        },
      ],
    },
  });
});
afterAll(async () => {
  await Promise.all([single, double, noDcr, public_].map((a) => a?.stop()));
});
afterEach(async () => {
  // The process stays up whatever a case sent it.
  for (const appliance of [single, double, noDcr]) await expectHealthy(appliance.url);
  await expectHealthy(localOf(public_));
});

/** Where the public-URL appliance really listens. */
function localOf(appliance: TestAppliance): string {
  return `http://127.0.0.1:${appliance.port}`;
}

async function getJson(
  base: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ response: Response; text: string; body: Record<string, unknown> }> {
  const response = await fetch(new URL(path, base), { headers });
  const text = await response.text();
  return { response, text, body: response.status === 200 ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe("RFC 8414 authorization server metadata", () => {
  test("every field MCP clients need, with the issuer byte-identical to the appliance URL", async () => {
    const { response, body } = await getJson(single.url, "/.well-known/oauth-authorization-server");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("application/json");
    const issuer = single.url;
    expect(body.issuer).toBe(issuer);
    expect(issuer).not.toEndWith("/");
    expect(body.authorization_endpoint).toBe(`${issuer}/authorize`);
    expect(body.token_endpoint).toBe(`${issuer}/token`);
    expect(body.registration_endpoint).toBe(`${issuer}/register`);
    expect(body.revocation_endpoint).toBe(`${issuer}/revoke`);
    expect(body.code_challenge_methods_supported).toEqual(["S256"]);
    expect(body.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(["none", "client_secret_post", "client_secret_basic"]),
    );
    expect(body.grant_types_supported).toEqual(expect.arrayContaining(["authorization_code", "refresh_token"]));
    expect(body.grant_types_supported).not.toContain("implicit");
    expect(body.grant_types_supported).not.toContain("password");
    expect(body.response_types_supported).toEqual(["code"]);
    expect(body.scopes_supported).toEqual(["mcp:vault", "offline_access"]);
    expect(body.client_id_metadata_document_supported).toBe(true);
    expect(body.authorization_response_iss_parameter_supported).toBe(true);
    expectNoNull(body);
  });

  test("/.well-known/openid-configuration answers the very same document", async () => {
    const a = await getJson(single.url, "/.well-known/oauth-authorization-server");
    const b = await getJson(single.url, "/.well-known/openid-configuration");
    expect(b.response.status).toBe(200);
    expect(b.text).toBe(a.text);
  });

  test("the issuer equals `iss` of a successful redirect and of an error redirect (RFC 9207)", async () => {
    const { body } = await getJson(single.url, "/.well-known/oauth-authorization-server");
    const client = await registerPublic(single.url, ["http://localhost:41234/cb"]);
    const { redirect } = await authorizeWithOwner(single.url, {
      clientId: client.client_id,
      redirectUri: "http://localhost:41234/cb",
      state: "s1",
    });
    expect(redirect.searchParams.get("iss")).toBe(body.issuer as string);
    expect(redirect.searchParams.get("state")).toBe("s1");

    const noPkce = await fetch(
      authorizeUrl(single.url, {
        response_type: "code",
        client_id: client.client_id,
        redirect_uri: "http://localhost:41234/cb",
        state: "s2",
      }),
      { redirect: "manual" },
    );
    expectErrorRedirect(noPkce, "http://localhost:41234/cb", "invalid_request", "s2", body.issuer as string);
  });

  test("the issuer is the same string in the protected resource metadata and in the 401 challenge's URL", async () => {
    const as = await getJson(single.url, "/.well-known/oauth-authorization-server");
    const prm = await getJson(single.url, "/.well-known/oauth-protected-resource/vault/mcp");
    expect((prm.body.authorization_servers as string[])[0]).toBe(as.body.issuer as string);
    const challenge = challengeParams((await mcpInitialize(single.mcpUrl("vault"))).challenge);
    expect(challenge.resource_metadata).toBe(`${as.body.issuer}/.well-known/oauth-protected-resource/vault/mcp`);
    // RFC 8414 §3.1 / §3.3: the metadata URL built from authorization_servers[0] gives back that issuer.
    const derived = await getJson((prm.body.authorization_servers as string[])[0]!, "/.well-known/oauth-authorization-server");
    expect(derived.body.issuer).toBe(as.body.issuer as string);
  });

  test("with dynamic registration off: no registration_endpoint (absent, not null) and /register is 404", async () => {
    for (const path of ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"]) {
      const { response, body } = await getJson(noDcr.url, path);
      expect(response.status).toBe(200);
      expect("registration_endpoint" in body).toBe(false);
      expect(body.token_endpoint).toBe(`${noDcr.url}/token`);
      expectNoNull(body);
    }
    const refused = await postJson(noDcr.url, "/register", {
      redirect_uris: ["http://localhost:1234/cb"],
      token_endpoint_auth_method: "none",
    });
    expect(refused.status).toBe(404);
    expect(refused.headers.get("content-type")).toStartWith("application/json");
    // RFC 6749 §5.2 has no "not found": invalid_request, as node-oidc-provider answers an unknown route.
    expect(((await refused.json()) as { error: string }).error).toBe("invalid_request");
  });
});

describe("RFC 9728 protected resource metadata", () => {
  test("at the path-suffixed URL: resource is the canonical MCP URL", async () => {
    const { response, body } = await getJson(single.url, "/.well-known/oauth-protected-resource/vault/mcp");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("application/json");
    expect(body.resource).toBe(`${single.url}/vault/mcp`);
    expect(body.resource).toBe(single.mcpUrl("vault").href);
    expect(body.authorization_servers).toEqual([single.url]);
    expect(body.scopes_supported).toEqual(["mcp:vault"]);
    expect(body.bearer_methods_supported).toEqual(["header"]);
    expectNoNull(body);
  });

  test("at the root URL (clients try it second): with one server, that server's document", async () => {
    const { response, body } = await getJson(single.url, "/.well-known/oauth-protected-resource");
    expect(response.status).toBe(200);
    expect(body.resource).toBe(`${single.url}/vault/mcp`);
    expect(body.authorization_servers).toEqual([single.url]);
    expect(body.scopes_supported).toEqual(["mcp:vault"]);
    expectNoNull(body);
  });

  test("the legacy SSE endpoint has its own document; an unserved path is 404", async () => {
    const sse = await getJson(single.url, "/.well-known/oauth-protected-resource/vault/sse");
    expect(sse.response.status).toBe(200);
    expect(sse.body.resource).toBe(`${single.url}/vault/sse`);
    expect(sse.body.scopes_supported).toEqual(["mcp:vault"]);
    const missing = await fetch(new URL("/.well-known/oauth-protected-resource/nothing/mcp", single.url));
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toStartWith("application/json");
  });

  test("the document named in each 401 is the one for the URL that was called", async () => {
    for (const name of ["alpha", "beta"]) {
      const answer = await mcpInitialize(double.mcpUrl(name));
      expect(answer.status).toBe(401);
      const params = challengeParams(answer.challenge);
      expect(params.scope).toBe(`mcp:${name}`);
      expect(params.error).toBeUndefined();
      const doc = await getJson(params.resource_metadata!, "");
      expect(doc.response.status).toBe(200);
      expect(doc.body.resource).toBe(double.mcpUrl(name).href);
    }
  });

  test("two servers: each path document has its own resource and scope; the AS lists both scopes", async () => {
    const alpha = await getJson(double.url, "/.well-known/oauth-protected-resource/alpha/mcp");
    const beta = await getJson(double.url, "/.well-known/oauth-protected-resource/beta/mcp");
    expect(alpha.body.resource).toBe(`${double.url}/alpha/mcp`);
    expect(alpha.body.scopes_supported).toEqual(["mcp:alpha"]);
    expect(beta.body.resource).toBe(`${double.url}/beta/mcp`);
    expect(beta.body.scopes_supported).toEqual(["mcp:beta"]);
    expect(alpha.body.authorization_servers).toEqual([double.url]);
    expect(beta.body.authorization_servers).toEqual([double.url]);
    const as = await getJson(double.url, "/.well-known/oauth-authorization-server");
    expect(as.body.scopes_supported).toEqual(["mcp:alpha", "mcp:beta", "offline_access"]);
  });

  // Regression: the root document once held ["mcp:alpha mcp:beta"], one element with a space.
  // RFC 9728 §2: "scopes_supported: JSON array containing a list of the scope values"; a scope
  // value cannot contain a space (RFC 6749 §3.3 scope-token). Fixed in e1a3e16.
  test("two servers: the root document lists each scope as its own array element", async () => {
    const { response, body } = await getJson(double.url, "/.well-known/oauth-protected-resource");
    expect(response.status).toBe(200);
    expect(body.authorization_servers).toEqual([double.url]);
    expectNoNull(body);
    for (const scope of body.scopes_supported as string[]) expect(scope).not.toContain(" ");
    expect(body.scopes_supported).toEqual(["mcp:alpha", "mcp:beta"]);
  });
});

describe("every absolute URL derives from public_url, never from the request's Host", () => {
  test("metadata fetched over 127.0.0.1 and with Host: localhost names https://mcp.example.com", async () => {
    const variants: Record<string, string>[] = [{}, { host: `localhost:${public_.port}` }, { host: "127.0.0.1" }];
    for (const headers of variants) {
      const as = await getJson(localOf(public_), "/.well-known/oauth-authorization-server", headers);
      expect(as.response.status).toBe(200);
      expect(as.body.issuer).toBe(PUBLIC_URL);
      expect(as.body.token_endpoint).toBe(`${PUBLIC_URL}/token`);
      expect(as.body.authorization_endpoint).toBe(`${PUBLIC_URL}/authorize`);
      const prm = await getJson(localOf(public_), "/.well-known/oauth-protected-resource/vault/mcp", headers);
      expect(prm.body.resource).toBe(`${PUBLIC_URL}/vault/mcp`);
      expect(prm.body.authorization_servers).toEqual([PUBLIC_URL]);
    }
    const answer = await mcpInitialize(`${localOf(public_)}/vault/mcp`, undefined, { host: `localhost:${public_.port}` });
    expect(answer.status).toBe(401);
    expect(challengeParams(answer.challenge).resource_metadata).toBe(`${PUBLIC_URL}/.well-known/oauth-protected-resource/vault/mcp`);
  });

  test("a Host that is not served is refused (421) before any route", async () => {
    const response = await fetch(new URL("/.well-known/oauth-authorization-server", localOf(public_)), {
      headers: { host: "evil.example" },
    });
    expect(response.status).toBe(421);
  });

  test("iss in the redirect is the public URL; an upper-case host and trailing slash in resource are the same resource", async () => {
    const pair = pkce();
    const response = await fetch(
      authorizeUrl(localOf(public_), {
        response_type: "code",
        client_id: "trusted",
        redirect_uri: "https://trusted.example/cb",
        code_challenge: pair.challenge,
        code_challenge_method: "S256",
        state: "pub",
        resource: "HTTPS://MCP.EXAMPLE.COM/vault/mcp/",
      }),
      { redirect: "manual" },
    );
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location")!);
    expect(location.origin + location.pathname).toBe("https://trusted.example/cb");
    expect(location.searchParams.get("iss")).toBe(PUBLIC_URL);
    expect(location.searchParams.get("state")).toBe("pub");
    const issued = await tokens(localOf(public_), {
      grant_type: "authorization_code",
      code: location.searchParams.get("code")!,
      code_verifier: pair.verifier,
      redirect_uri: "https://trusted.example/cb",
      client_id: "trusted",
      client_secret: TRUSTED_SECRET,
      resource: "https://mcp.example.com/vault/mcp",
    });
    const answer = await mcpInitialize(`${localOf(public_)}/vault/mcp`, `Bearer ${issued.access_token}`);
    expect(answer.status).toBe(200);
    expect(answer.session).not.toBeNull();
  });
});

/** An access token of the auto-approved confidential client of the public-URL appliance. */
async function trustedAccessToken(resource?: string): Promise<string> {
  const pair = pkce();
  const response = await fetch(
    authorizeUrl(localOf(public_), {
      response_type: "code",
      client_id: "trusted",
      redirect_uri: "https://trusted.example/cb",
      code_challenge: pair.challenge,
      code_challenge_method: "S256",
      ...(resource ? { resource } : {}),
    }),
    { redirect: "manual" },
  );
  expect(response.status).toBe(303);
  const code = new URL(response.headers.get("location")!).searchParams.get("code")!;
  const issued = await tokens(localOf(public_), {
    grant_type: "authorization_code",
    code,
    code_verifier: pair.verifier,
    client_id: "trusted",
    client_secret: TRUSTED_SECRET,
  });
  return issued.access_token;
}

describe("CORS for browser clients", () => {
  const corsPaths = [
    "/token",
    "/register",
    "/revoke",
    "/.well-known/oauth-authorization-server",
    "/.well-known/openid-configuration",
    "/.well-known/oauth-protected-resource",
    "/.well-known/oauth-protected-resource/vault/mcp",
  ];

  for (const path of corsPaths) {
    test(`OPTIONS ${path} from an arbitrary origin: 204 with the allow headers, before any auth`, async () => {
      const response = await fetch(new URL(path, single.url), {
        method: "OPTIONS",
        headers: {
          origin: INSPECTOR,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization, content-type, mcp-protocol-version",
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe(INSPECTOR);
      const allowHeaders = (response.headers.get("access-control-allow-headers") ?? "").split(",").map((h) => h.trim().toLowerCase());
      expect(allowHeaders).toEqual(expect.arrayContaining(ALLOW_HEADERS));
      const allowMethods = (response.headers.get("access-control-allow-methods") ?? "").split(",").map((m) => m.trim());
      expect(allowMethods).toEqual(expect.arrayContaining(["GET", "POST"]));
      expect(response.headers.get("www-authenticate")).toBeNull();
      expect(await response.text()).toBe("");
    });
  }

  test("GET of the well-known documents with an Origin carries access-control-allow-origin", async () => {
    for (const path of [
      "/.well-known/oauth-authorization-server",
      "/.well-known/openid-configuration",
      "/.well-known/oauth-protected-resource",
      "/.well-known/oauth-protected-resource/vault/mcp",
    ]) {
      const response = await fetch(new URL(path, single.url), { headers: { origin: INSPECTOR } });
      expect(response.status).toBe(200);
      expect(response.headers.get("access-control-allow-origin")).toBe(INSPECTOR);
      await response.text();
    }
  });

  test("token and registration answers (errors included) carry CORS headers and expose WWW-Authenticate", async () => {
    const error = await postForm(
      single.url,
      "/token",
      { grant_type: "authorization_code", code: "x", client_id: "nobody" },
      { origin: INSPECTOR },
    );
    expect(error.status).toBe(401);
    expect(error.headers.get("access-control-allow-origin")).toBe(INSPECTOR);
    expect((error.headers.get("access-control-expose-headers") ?? "").toLowerCase()).toContain("www-authenticate");
    await error.text();
    const registered = await postJson(
      single.url,
      "/register",
      { redirect_uris: ["http://localhost:6274/oauth/callback"], token_endpoint_auth_method: "none" },
      { origin: INSPECTOR },
    );
    expect(registered.status).toBe(201);
    expect(registered.headers.get("access-control-allow-origin")).toBe(INSPECTOR);
    await registered.text();
  });

  test("MCP endpoint: a foreign Origin gets 403 (before auth, token or not); preflight refused too", async () => {
    const bare = await mcpInitialize(single.mcpUrl("vault"), undefined, { origin: INSPECTOR });
    expect(bare.status).toBe(403);
    expect(bare.challenge).toBeNull();
    // A JSON-RPC error with no id, as on every MCP path (the MCP SDK's Origin check answers the same).
    expect(JSON.parse(bare.body)).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32000, message: "requests from this Origin are not allowed" },
    });

    // With a valid token the answer is the same: the Origin check comes first.
    const token = await trustedAccessToken();
    expect(await mcpInitialize(`${localOf(public_)}/vault/mcp`, `Bearer ${token}`).then((a) => a.status)).toBe(200);
    const withToken = await mcpInitialize(`${localOf(public_)}/vault/mcp`, `Bearer ${token}`, { origin: INSPECTOR });
    expect(withToken.status).toBe(403);
    expect(JSON.parse(withToken.body).error.code).toBe(-32000);

    const preflight = await fetch(single.mcpUrl("vault"), {
      method: "OPTIONS",
      headers: { origin: INSPECTOR, "access-control-request-method": "POST", "access-control-request-headers": "authorization" },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("MCP endpoint: an allowed Origin (the Inspector on localhost) gets its preflight and a readable 401", async () => {
    const origin = "http://localhost:6274";
    const preflight = await fetch(single.mcpUrl("vault"), {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, mcp-session-id" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(origin);
    const unauthorized = await mcpInitialize(single.mcpUrl("vault"), undefined, { origin });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("access-control-allow-origin")).toBe(origin);
    const exposed = (unauthorized.headers.get("access-control-expose-headers") ?? "").toLowerCase();
    expect(exposed).toContain("www-authenticate");
    expect(exposed).toContain("mcp-session-id");
  });

  test("the public origin itself may call the MCP endpoint; another https origin may not", async () => {
    const own = await mcpInitialize(`${localOf(public_)}/vault/mcp`, undefined, { origin: PUBLIC_URL });
    expect(own.status).toBe(401);
    const other = await mcpInitialize(`${localOf(public_)}/vault/mcp`, undefined, { origin: "https://mcp.example.com.evil.example" });
    expect(other.status).toBe(403);
  });
});

test("every appliance of this file is still up", async () => {
  for (const appliance of [single, double, noDcr]) await expectHealthy(appliance.url);
  await expectHealthy(localOf(public_));
});
