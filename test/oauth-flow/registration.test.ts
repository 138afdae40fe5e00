// Dynamic client registration (RFC 7591) over HTTP: responses without unset fields (no null
// anywhere), the redirect URI sets real clients send (Cursor, VS Code, Claude.ai, mcp-remote,
// the Inspector), one bad URI failing the whole registration, the metadata checks, and the
// limits: per-address rate (429 temporarily_unavailable with Retry-After), the cap on stored
// registrations, and expiry of registrations that never obtained a token.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { ownerPasswordHash } from "../helpers/oauth.ts";
import {
  authorizeUrl,
  authorizeWithOwner,
  basicAuth,
  expectErrorPage,
  expectHealthy,
  expectNoNull,
  expectOAuthError,
  mcpStatus,
  pkce,
  postForm,
  postJson,
  registerPublic,
  tokens,
} from "../helpers/oauth-http.ts";
import { seedAuthorizationCode, seededTokens } from "../helpers/oauth-seed.ts";

const CURSOR = ["cursor://anysphere.cursor-mcp/oauth/callback", "https://cursor.example/oauth/callback", "http://localhost:1234/cb"];

let main: TestAppliance;
let rate: TestAppliance; // 2 registrations per hour per address; X-Forwarded-For trusted from 127.0.0.1
let rateUntrusted: TestAppliance; // 2 per hour, no trusted proxy: X-Forwarded-For is ignored
let capped: TestAppliance; // at most 2 stored registrations, unused ones kept 24 h (the default)
let expiring: TestAppliance; // at most 2, unused ones expire after 1 ms
let expiringProbed: TestAppliance; // the same, for registrations that only probed /token

beforeAll(async () => {
  const hash = await ownerPasswordHash();
  const vault = () => [stdioServer("vault", "behaviour-server.mjs")];
  const hourly = { count: 2, windowMs: 3_600_000 };
  // Many registrations from one address below: the rate limit has its own appliances.
  main = await startTestAppliance(vault(), {
    auth: "oauth",
    oauthOverrides: { ownerPasswordHash: hash, registrationRate: { count: 10_000, windowMs: 3_600_000 } },
  });
  rate = await startTestAppliance(vault(), { auth: "oauth", trustProxy: ["127.0.0.1"], oauthOverrides: { registrationRate: hourly } });
  rateUntrusted = await startTestAppliance(vault(), { auth: "oauth", oauthOverrides: { registrationRate: hourly } });
  capped = await startTestAppliance(vault(), { auth: "oauth", oauthOverrides: { registrationLimit: 2 } });
  expiring = await startTestAppliance(vault(), {
    auth: "oauth",
    oauthOverrides: { registrationLimit: 2, unusedRegistrationTtlMs: 1 },
  });
  expiringProbed = await startTestAppliance(vault(), {
    auth: "oauth",
    oauthOverrides: { registrationLimit: 2, unusedRegistrationTtlMs: 1 },
  });
});
const all = () => [main, rate, rateUntrusted, capped, expiring, expiringProbed];
afterAll(async () => {
  await Promise.all(all().map((a) => a?.stop()));
});
afterEach(async () => {
  for (const appliance of all()) await expectHealthy(appliance.url);
});

function registration(base: string, body: unknown, headers: Record<string, string> = {}) {
  return postJson(base, "/register", body, headers);
}

async function created(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  if (response.status !== 201) throw new Error(`expected 201, got ${response.status}: ${text}`);
  expect(response.headers.get("content-type")).toStartWith("application/json");
  expect(response.headers.get("cache-control")).toContain("no-store");
  const body = JSON.parse(text) as Record<string, unknown>;
  expectNoNull(body);
  return body;
}

describe("registration responses", () => {
  test("a public client: 201, the registered metadata, no secret fields, no null anywhere", async () => {
    const before = Math.floor(Date.now() / 1000);
    const body = await created(
      await registration(main.url, {
        client_name: "Claude Code",
        redirect_uris: ["http://localhost/callback"],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
      }),
    );
    expect(typeof body.client_id).toBe("string");
    expect((body.client_id as string).length).toBeGreaterThan(20);
    expect(Number.isInteger(body.client_id_issued_at)).toBe(true);
    expect(body.client_id_issued_at as number).toBeGreaterThanOrEqual(before);
    expect(body.client_name).toBe("Claude Code");
    expect(body.redirect_uris).toEqual(["http://localhost/callback"]);
    expect(body.token_endpoint_auth_method).toBe("none");
    expect(body.grant_types).toEqual(["authorization_code", "refresh_token"]);
    expect(body.response_types).toEqual(["code"]);
    for (const absent of [
      "client_secret",
      "client_secret_expires_at",
      "client_uri",
      "logo_uri",
      "scope",
      "tos_uri",
      "policy_uri",
      "software_id",
    ]) {
      expect(absent in body).toBe(false);
    }
  });

  test("fields sent as null or empty strings are treated as not sent and are not echoed", async () => {
    const body = await created(
      await registration(main.url, {
        client_name: null,
        client_uri: null,
        logo_uri: "",
        scope: null,
        tos_uri: null,
        policy_uri: "",
        software_id: null,
        software_version: null,
        redirect_uris: ["http://127.0.0.1:33418/"],
        token_endpoint_auth_method: "none",
      }),
    );
    for (const absent of ["client_name", "client_uri", "logo_uri", "scope", "tos_uri", "policy_uri", "software_id", "software_version"])
      expect(absent in body).toBe(false);
  });

  test("unknown metadata is ignored and not echoed", async () => {
    const body = await created(
      await registration(main.url, {
        redirect_uris: ["http://localhost:6274/oauth/callback"],
        token_endpoint_auth_method: "none",
        jwks_uri: "https://example.com/jwks",
        software_statement: "eyJhbGciOiJub25lIn0.e30.",
        contacts: ["a@example.com"],
        extra: { nested: null },
      }),
    );
    for (const absent of ["jwks_uri", "software_statement", "contacts", "extra"]) expect(absent in body).toBe(false);
  });

  test("a confidential client (the RFC 7591 default method): a secret, expires_at 0, and it authenticates", async () => {
    const body = await created(await registration(main.url, { client_name: "confidential", redirect_uris: ["https://app.example/cb"] }));
    expect(body.token_endpoint_auth_method).toBe("client_secret_basic");
    expect(body.client_secret).toStartWith("mcps_");
    expect(body.client_secret_expires_at).toBe(0);
    const clientId = body.client_id as string;
    const secret = body.client_secret as string;

    const { code, verifier } = seedAuthorizationCode(main, { clientId, redirectUri: "https://app.example/cb" });
    const issued = await tokens(
      main.url,
      { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: "https://app.example/cb" },
      { authorization: basicAuth(clientId, secret) },
    );
    expect(await mcpStatus(main.mcpUrl("vault"), issued.access_token)).toBe(200);
    await expectOAuthError(
      await postForm(
        main.url,
        "/token",
        { grant_type: "refresh_token", refresh_token: issued.refresh_token ?? "x" },
        { authorization: basicAuth(clientId, `${secret}x`) },
      ),
      401,
      "invalid_client",
    );
  });

  test("scopes: known ones kept, unknown ones (offline_access, openid) dropped, none left means no scope field", async () => {
    const some = await created(
      await registration(main.url, {
        redirect_uris: ["http://localhost/cb"],
        token_endpoint_auth_method: "none",
        scope: "offline_access mcp:vault openid",
      }),
    );
    expect(some.scope).toBe("mcp:vault");
    const none = await created(
      await registration(main.url, { redirect_uris: ["http://localhost/cb"], token_endpoint_auth_method: "none", scope: "offline_access" }),
    );
    expect("scope" in none).toBe(false);
  });
});

describe("redirect URIs real clients register", () => {
  const sets: Record<string, string[]> = {
    Cursor: CURSOR,
    "VS Code": ["https://vscode.dev/redirect", "http://127.0.0.1/", "http://127.0.0.1:33418/"],
    "Claude.ai": ["https://claude.ai/api/mcp/auth_callback", "https://claude.com/api/mcp/auth_callback"],
    "Claude Code": ["http://localhost/callback"],
    ChatGPT: ["https://chatgpt.com/connector/oauth/abc123"],
    "mcp-remote": ["http://localhost:3334/oauth/callback"],
    "MCP Inspector": ["http://localhost:6274/oauth/callback", "http://localhost:6274/oauth/callback/debug"],
    "IPv6 loopback": ["http://[::1]:8080/cb"],
  };
  for (const [name, uris] of Object.entries(sets)) {
    test(`${name}: accepted as sent`, async () => {
      const body = await created(
        await registration(main.url, { client_name: name, redirect_uris: uris, token_endpoint_auth_method: "none" }),
      );
      expect(body.redirect_uris).toEqual(uris);
    });
  }

  test("Cursor's private-use scheme completes the flow: the code comes back to cursor://", async () => {
    const client = await registerPublic(main.url, CURSOR, { client_name: "Cursor" });
    const { code, verifier, redirect } = await authorizeWithOwner(main.url, {
      clientId: client.client_id,
      redirectUri: CURSOR[0],
      state: "cur",
    });
    expect(redirect.protocol).toBe("cursor:");
    expect(redirect.href.split("?")[0]).toBe(CURSOR[0]);
    expect(redirect.searchParams.get("state")).toBe("cur");
    expect(redirect.searchParams.get("iss")).toBe(main.url);
    const issued = await tokens(main.url, {
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: CURSOR[0]!,
      client_id: client.client_id,
    });
    expect(await mcpStatus(main.mcpUrl("vault"), issued.access_token)).toBe(200);
    // Its https and loopback URIs work too (the loopback one on any port).
    for (const redirectUri of [CURSOR[1]!, "http://localhost:4321/cb"]) {
      const more = await authorizeWithOwner(main.url, { clientId: client.client_id, redirectUri });
      expect(more.redirect.href.split("?")[0]).toBe(redirectUri);
    }
  });

  test("one bad URI (javascript:) among good ones fails the whole registration: invalid_redirect_uri", async () => {
    const response = await registration(main.url, {
      redirect_uris: [...CURSOR, "javascript:alert(1)"],
      token_endpoint_auth_method: "none",
    });
    const body = await expectOAuthError(response, 400, "invalid_redirect_uri");
    expect(body.error_description).toContain("redirect_uris[3]");
  });

  test("application_type: Cursor's three URIs as native, loopback any port kept; web with a private-use scheme refused", async () => {
    const native = await created(
      await registration(main.url, { application_type: "native", redirect_uris: CURSOR, token_endpoint_auth_method: "none" }),
    );
    expect(native.application_type).toBe("native");
    expect(native.redirect_uris).toEqual(CURSOR);
    const inferred = await created(await registration(main.url, { redirect_uris: ["https://claude.ai/api/mcp/auth_callback"] }));
    expect(inferred.application_type).toBe("web");
    const web = await registration(main.url, { application_type: "web", redirect_uris: CURSOR, token_endpoint_auth_method: "none" });
    const body = await expectOAuthError(web, 400, "invalid_redirect_uri");
    expect(body.error_description).toContain("redirect_uris[0]");
    expect(body.error_description).not.toContain("redirect_uris[2]");
    // The loopback URI of a native registration matches on any port, for localhost and 127.0.0.1 alike.
    for (const [registered, requested] of [
      ["http://localhost/cb", "http://localhost:50123/cb"],
      ["http://127.0.0.1/cb", "http://127.0.0.1:50124/cb"],
    ] as const) {
      const client = await registerPublic(main.url, [registered], { application_type: "native" });
      const flow = await authorizeWithOwner(main.url, { clientId: client.client_id, redirectUri: requested });
      expect(flow.redirect.href.split("?")[0]).toBe(requested);
    }
  });

  test("operating-system handler schemes among good URIs: invalid_redirect_uri (ms-msdt:, search-ms:, chrome:, ...)", async () => {
    for (const bad of ["ms-msdt:/id%20PCWDiagnostic", "search-ms:query=x", "chrome://settings/", "ms-settings:privacy", "shell:startup"]) {
      const response = await registration(main.url, { redirect_uris: [...CURSOR, bad], token_endpoint_auth_method: "none" });
      const body = await expectOAuthError(response, 400, "invalid_redirect_uri");
      expect(body.error_description).toContain("redirect_uris[3]");
      expect(body.error_description).toContain("scheme cannot be a redirect URI");
    }
  });

  test("every kind of bad redirect URI: invalid_redirect_uri", async () => {
    for (const bad of [
      "javascript:alert(1)",
      "JavaScript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "file:///etc/passwd",
      "http://example.com/cb",
      "http://192.168.1.10/cb",
      "https://example.com/cb#fragment",
      "https://good.example@evil.example/cb",
      "relative/path",
      "/absolute/path",
      "",
      "https://",
      "https://exa mple.com/cb",
      "https://bücher.example/cb",
      "c:/Users/x",
      "cursor:",
      `https://example.com/${"a".repeat(3000)}`,
      42,
    ]) {
      const response = await registration(main.url, { redirect_uris: ["http://localhost/ok", bad], token_endpoint_auth_method: "none" });
      await expectOAuthError(response, 400, "invalid_redirect_uri");
    }
  });

  test("redirect_uris missing, empty, not an array or too many: invalid_redirect_uri", async () => {
    for (const redirects of [
      undefined,
      [],
      "http://localhost/cb",
      { 0: "http://localhost/cb" },
      Array.from({ length: 21 }, (_, i) => `http://localhost/cb${i}`),
    ]) {
      const response = await registration(main.url, {
        token_endpoint_auth_method: "none",
        ...(redirects === undefined ? {} : { redirect_uris: redirects }),
      });
      await expectOAuthError(response, 400, "invalid_redirect_uri");
    }
  });
});

describe("registration metadata that is refused", () => {
  test("JSON that is not an object: invalid_client_metadata; a body that is not JSON: invalid_request", async () => {
    for (const body of ["[]", "null", '"string"', "42"]) {
      await expectOAuthError(await registration(main.url, body), 400, "invalid_client_metadata");
    }
    // A body that does not parse is a malformed request, as a malformed form is at /token.
    for (const body of ["not json", "{", ""]) {
      await expectOAuthError(await registration(main.url, body), 400, "invalid_request");
    }
  });

  test("unsupported grant types, response types or auth methods: invalid_client_metadata", async () => {
    for (const extra of [
      { grant_types: ["refresh_token"] },
      { grant_types: ["implicit"] },
      { grant_types: ["authorization_code", "client_credentials"] },
      { response_types: ["token"] },
      { response_types: [] },
      { token_endpoint_auth_method: "private_key_jwt" },
      { token_endpoint_auth_method: "client_secret_jwt" },
      { client_name: 42 },
      { client_name: "x".repeat(201) },
      { client_name: "evil\u202egnp.exe" },
      { client_name: "line\nbreak" },
      { client_uri: "http://insecure.example" },
      { logo_uri: "javascript:alert(1)" },
      { scope: 42 },
    ]) {
      const response = await registration(main.url, {
        redirect_uris: ["http://localhost/cb"],
        token_endpoint_auth_method: "none",
        ...extra,
      });
      await expectOAuthError(response, 400, "invalid_client_metadata");
    }
  });

  test("an oversized body: 413 JSON invalid_request (as at /token and /revoke)", async () => {
    const response = await registration(main.url, {
      redirect_uris: ["http://localhost/cb"],
      client_name: "x",
      padding: "p".repeat(70_000),
    });
    await expectOAuthError(response, 413, "invalid_request");
  });

  test("GET /register is not an endpoint: 404 JSON", async () => {
    const response = await fetch(new URL("/register", main.url));
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toStartWith("application/json");
  });
});

describe("limits on registration", () => {
  const body = { redirect_uris: ["http://localhost/cb"], token_endpoint_auth_method: "none" };

  test("rate: the 3rd registration from one address in the window is 429 temporarily_unavailable with Retry-After", async () => {
    const from = { "x-forwarded-for": "198.51.100.1" };
    await created(await registration(rate.url, body, from));
    await created(await registration(rate.url, body, from));
    const refused = await registration(rate.url, body, from);
    const retryAfter = refused.headers.get("retry-after");
    await expectOAuthError(refused, 429, "temporarily_unavailable");
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(3600);
    // Still refused; another address is not affected.
    await expectOAuthError(await registration(rate.url, body, from), 429, "temporarily_unavailable");
    await created(await registration(rate.url, body, { "x-forwarded-for": "198.51.100.2" }));
  });

  test("rate: failed registrations count too, and X-Forwarded-For from an untrusted peer is ignored", async () => {
    await expectOAuthError(await registration(rateUntrusted.url, "not json", { "x-forwarded-for": "203.0.113.1" }), 400, "invalid_request");
    await created(await registration(rateUntrusted.url, body, { "x-forwarded-for": "203.0.113.2" }));
    await expectOAuthError(
      await registration(rateUntrusted.url, body, { "x-forwarded-for": "203.0.113.3" }),
      429,
      "temporarily_unavailable",
    );
  });

  // A full table used to refuse everyone (503) until unused_registration_ttl: a flood of
  // registrations (from one /64, or many) locked out every real client for a day.
  test("registration_limit 2, full of never-used registrations: a new one takes the oldest one's place", async () => {
    const first = (await created(await registration(capped.url, body))).client_id as string;
    const second = (await created(await registration(capped.url, body))).client_id as string;
    const third = (await created(await registration(capped.url, body))).client_id as string;
    const probe = (clientId: string) =>
      postForm(capped.url, "/token", {
        grant_type: "authorization_code",
        code: "mcpc_bogus",
        code_verifier: pkce().verifier,
        client_id: clientId,
      });
    await expectOAuthError(await probe(first), 401, "invalid_client");
    await expectOAuthError(await probe(second), 400, "invalid_grant");
    await expectOAuthError(await probe(third), 400, "invalid_grant");
  });

  test("registration_limit 2, full of registrations that obtained tokens: refused (503 temporarily_unavailable), none evicted", async () => {
    // Two that obtain tokens push out whatever unused ones the table held.
    for (let i = 0; i < 2; i++) {
      const client = await registerPublic(capped.url, ["http://localhost/cb"]);
      await seededTokens(capped, client.client_id, "http://localhost/cb");
    }
    await expectOAuthError(await registration(capped.url, body), 503, "temporarily_unavailable");
    await expectOAuthError(await registration(capped.url, body), 503, "temporarily_unavailable");
  });

  test("at the cap, registrations never used give way; one that obtained a token stays", async () => {
    const used = await registerPublic(expiring.url, ["http://localhost/cb"]);
    const issued = await seededTokens(expiring, used.client_id, "http://localhost:40100/cb");
    const unused = await registerPublic(expiring.url, ["http://localhost/cb"]);
    // Past unused_registration_ttl (1 ms): the appliance takes no clock a test could move, and
    // only more time passing, never less, can follow.
    await Bun.sleep(5);
    const third = await registerPublic(expiring.url, ["http://localhost/cb"]);
    expect(third.client_id).not.toBe(unused.client_id);

    // The unused one is gone: an error page at /authorize, invalid_client at /token.
    const { challenge } = pkce();
    await expectErrorPage(
      await fetch(
        authorizeUrl(expiring.url, {
          response_type: "code",
          client_id: unused.client_id,
          redirect_uri: "http://localhost/cb",
          code_challenge: challenge,
          code_challenge_method: "S256",
        }),
        { redirect: "manual" },
      ),
      400,
    );
    await expectOAuthError(
      await postForm(expiring.url, "/token", { grant_type: "refresh_token", refresh_token: "mcpr_x", client_id: unused.client_id }),
      401,
      "invalid_client",
    );
    // The used one and its tokens are untouched.
    expect(await mcpStatus(expiring.mcpUrl("vault"), issued.access_token)).toBe(200);
    await tokens(expiring.url, { grant_type: "refresh_token", refresh_token: issued.refresh_token!, client_id: used.client_id });
  });

  // SRC BUG (left failing on purpose): a registration counts as "used" as soon as it
  // authenticates at /token, even when the request then fails (src/oauth/token-endpoint.ts calls
  // store.clients.touchLastUsed right after authenticateClient, before the code or refresh token
  // is checked). A public client authenticates with its client_id alone, so anyone can keep
  // bogus registrations from ever expiring by posting one bad code each, and so fill
  // registration_limit for good. The configuration says a registration "that never obtained a
  // token is deleted" (src/config/types.ts unusedRegistrationTtlMs).
  test("a registration that only probed /token (and got no token) still counts as never used", async () => {
    const a = await registerPublic(expiringProbed.url, ["http://localhost/cb"]);
    const b = await registerPublic(expiringProbed.url, ["http://localhost/cb"]);
    for (const client of [a, b]) {
      await expectOAuthError(
        await postForm(expiringProbed.url, "/token", {
          grant_type: "authorization_code",
          code: "mcpc_bogus",
          code_verifier: pkce().verifier,
          client_id: client.client_id,
        }),
        400,
        "invalid_grant",
      );
    }
    // Past unused_registration_ttl (1 ms): the appliance takes no clock a test could move.
    await Bun.sleep(5);
    const response = await registration(expiringProbed.url, body);
    expect(response.status).toBe(201);
    await response.text();
  });
});

test("every appliance of this file is still up", async () => {
  for (const appliance of all()) await expectHealthy(appliance.url);
});
