// The negative matrix over HTTP: every refusal of /token, /authorize and the bearer guard
// answers the exact RFC error (RFC 6749 §5.2 JSON with Cache-Control: no-store, RFC 6749
// §4.1.2.1 redirects with state and iss, RFC 6750 §3.1 challenges), and the process stays up.
//
// Not waitable here, covered by the store's unit tests instead:
// - an expired authorization code (60 s): test/store/authorization-codes.test.ts "an expired
//   one is reported as such"; the token endpoint maps `expired` to invalid_grant. Here a code
//   that this instance never issued (random, or from another appliance) gets invalid_grant.
// - reuse of a rotated refresh token after the 30 s grace window: test/store/refresh-tokens.test.ts
//   "reuse after the grace window (at graceMs exactly) revokes the whole grant". Here the
//   within-grace reuse is shown to yield the same pair again.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { ownerPasswordHash } from "../helpers/oauth.ts";
import {
  authorizeUrl,
  authorizeWithOwner,
  basicAuth,
  challengeParams,
  expectErrorPage,
  expectErrorRedirect,
  expectHealthy,
  expectOAuthError,
  mcpInitialize,
  mcpStatus,
  pkce,
  postForm,
  type Registered,
  registerPublic,
  sha256Hex,
  tokens,
} from "../helpers/oauth-http.ts";
import { seedAuthorizationCode, seededTokens } from "../helpers/oauth-seed.ts";
import { rawExchange } from "../helpers/raw-http.ts";

// 32 characters, so wrong secrets of 31, 32 and 33 characters sit right around it.
const SECRET = "Zq7vL0pX3nR8sT1uW4yA6cE9gJ2kM5oQ";
const CALLBACK = "https://claude.ai/api/mcp/auth_callback";
const connector = (autoApprove: boolean) => ({
  name: "Claude connector",
  clientId: "connector",
  clientSecretSha256: sha256Hex(SECRET),
  redirectUris: [CALLBACK],
  autoApprove,
});

let main: TestAppliance; // "vault", the connector auto-approved
let two: TestAppliance; // "alpha" and "beta"
let shortLived: TestAppliance; // access tokens live 1 ms
let loopbackClient: Registered; // public DCR client, redirect http://localhost/callback (no port)
let fixedPortClient: Registered; // public DCR client, redirect http://127.0.0.1:5555/cb

beforeAll(async () => {
  const hash = await ownerPasswordHash();
  const vault = () => [stdioServer("vault", "behaviour-server.mjs")];
  // Every /token request of this file comes from one address, far more than token_rate's 60 a minute.
  const tokenRate = { count: 100_000, windowMs: 60_000 };
  main = await startTestAppliance(vault(), {
    auth: "oauth",
    oauthOverrides: { ownerPasswordHash: hash, tokenRate, clients: [connector(true)] },
  });
  two = await startTestAppliance([stdioServer("alpha", "behaviour-server.mjs"), stdioServer("beta", "behaviour-server.mjs")], {
    auth: "oauth",
    oauthOverrides: { ownerPasswordHash: hash, clients: [connector(true)] },
  });
  shortLived = await startTestAppliance(vault(), { auth: "oauth", oauthOverrides: { accessTokenTtlMs: 1, clients: [connector(true)] } });
  loopbackClient = await registerPublic(main.url, ["http://localhost/callback"]);
  fixedPortClient = await registerPublic(main.url, ["http://127.0.0.1:5555/cb"]);
});
afterAll(async () => {
  await Promise.all([main, two, shortLived].map((a) => a?.stop()));
});
afterEach(async () => {
  for (const appliance of [main, two, shortLived]) await expectHealthy(appliance.url);
});

/** A code for the auto-approved connector: GET /authorize answers 303 at once. */
async function connectorCode(appliance: TestAppliance, extra: Record<string, string> = {}): Promise<{ code: string; verifier: string }> {
  const pair = pkce();
  const response = await fetch(
    authorizeUrl(appliance.url, {
      response_type: "code",
      client_id: "connector",
      redirect_uri: CALLBACK,
      code_challenge: pair.challenge,
      code_challenge_method: "S256",
      ...extra,
    }),
    { redirect: "manual" },
  );
  if (response.status !== 303) throw new Error(`expected a redirect, got ${response.status}: ${await response.text()}`);
  const location = new URL(response.headers.get("location")!);
  expect(location.searchParams.get("error")).toBeNull();
  return { code: location.searchParams.get("code")!, verifier: pair.verifier };
}

function redeemFields(code: string, verifier: string, extra: Record<string, string> = {}): Record<string, string> {
  return { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: CALLBACK, ...extra };
}

/** The connector's tokens, authenticated with client_secret_post. */
async function connectorTokens(appliance: TestAppliance, authorizeExtra: Record<string, string> = {}) {
  const { code, verifier } = await connectorCode(appliance, authorizeExtra);
  return tokens(appliance.url, redeemFields(code, verifier, { client_id: "connector", client_secret: SECRET }));
}

function token(appliance: TestAppliance, fields: Record<string, string> | string, headers: Record<string, string> = {}) {
  return postForm(appliance.url, "/token", fields, headers);
}

describe("/token client authentication (a confidential pre-registered client)", () => {
  const lengths = [0, 1, 31, 32, 33, 64, 1000];
  const wrong = (length: number) => "x".repeat(length);

  for (const length of lengths) {
    test(`a wrong ${length}-character secret over Basic: 401 invalid_client with WWW-Authenticate: Basic`, async () => {
      const { code, verifier } = await connectorCode(main);
      const response = await token(main, redeemFields(code, verifier), { authorization: basicAuth("connector", wrong(length)) });
      expect(response.headers.get("www-authenticate")).toStartWith("Basic ");
      expect(response.headers.get("www-authenticate")).toContain("realm=");
      await expectOAuthError(response, 401, "invalid_client");
    });

    test(`a wrong ${length}-character secret in the body: 401 invalid_client without a Basic challenge`, async () => {
      const { code, verifier } = await connectorCode(main);
      const response = await token(main, redeemFields(code, verifier, { client_id: "connector", client_secret: wrong(length) }));
      expect(response.headers.get("www-authenticate")).toBeNull();
      await expectOAuthError(response, 401, "invalid_client");
    });
  }

  test("a 10 000-character secret over Basic (beyond the 8 KiB Basic limit): 401 invalid_client", async () => {
    const response = await token(main, redeemFields("mcpc_x", pkce().verifier), { authorization: basicAuth("connector", wrong(10_000)) });
    expect(response.headers.get("www-authenticate")).toStartWith("Basic ");
    await expectOAuthError(response, 401, "invalid_client");
  });

  test("a 100 000-character secret in the body: 413 JSON (the 64 KiB form limit comes first)", async () => {
    const response = await token(main, redeemFields("mcpc_x", pkce().verifier, { client_id: "connector", client_secret: wrong(100_000) }));
    await expectOAuthError(response, 413, "invalid_request");
  });

  test("a 100 000-character secret over Basic: the HTTP server refuses the header (431), the process stays up", async () => {
    // Bun's own header-size limit answers before any route: no JSON body is possible here.
    const response = await token(main, redeemFields("mcpc_x", pkce().verifier), { authorization: basicAuth("connector", wrong(100_000)) });
    expect(response.status).toBe(431);
    await response.text();
    await expectHealthy(main.url);
  });

  test("near misses of the right secret (prefix, extension, other case) are refused alike", async () => {
    for (const secret of [SECRET.slice(0, -1), `${SECRET}x`, SECRET.toLowerCase(), ` ${SECRET}`]) {
      const { code, verifier } = await connectorCode(main);
      await expectOAuthError(
        await token(main, redeemFields(code, verifier), { authorization: basicAuth("connector", secret) }),
        401,
        "invalid_client",
      );
      await expectOAuthError(
        await token(main, redeemFields(code, verifier, { client_id: "connector", client_secret: secret })),
        401,
        "invalid_client",
      );
    }
  });

  test("a missing secret for a confidential client: 401 invalid_client", async () => {
    const { code, verifier } = await connectorCode(main);
    const response = await token(main, redeemFields(code, verifier, { client_id: "connector" }));
    expect(response.headers.get("www-authenticate")).toBeNull();
    await expectOAuthError(response, 401, "invalid_client");
  });

  test("the right secret authenticates either way (a bogus code then gets invalid_grant, not invalid_client)", async () => {
    await expectOAuthError(
      await token(main, redeemFields("mcpc_bogus", pkce().verifier), { authorization: basicAuth("connector", SECRET) }),
      400,
      "invalid_grant",
    );
    await expectOAuthError(
      await token(main, redeemFields("mcpc_bogus", pkce().verifier, { client_id: "connector", client_secret: SECRET })),
      400,
      "invalid_grant",
    );
  });

  test("Basic and client_secret_post at once: 400 invalid_request (RFC 6749 §2.3)", async () => {
    const { code, verifier } = await connectorCode(main);
    const response = await token(main, redeemFields(code, verifier, { client_id: "connector", client_secret: SECRET }), {
      authorization: basicAuth("connector", SECRET),
    });
    await expectOAuthError(response, 400, "invalid_request");
  });

  test("a body client_id that differs from the Basic one: 400 invalid_request", async () => {
    const response = await token(main, redeemFields("mcpc_x", pkce().verifier, { client_id: "someone-else" }), {
      authorization: basicAuth("connector", SECRET),
    });
    await expectOAuthError(response, 400, "invalid_request");
  });

  test("malformed Basic credentials: 401 invalid_client with a Basic challenge", async () => {
    const b64 = (text: string) => Buffer.from(text).toString("base64");
    for (const header of [
      "Basic !!!",
      `Basic ${b64("no-colon-here")}`,
      `Basic ${b64(":secret-without-id")}`,
      `Basic ${b64("connector:%zz")}`,
      "Basic",
    ]) {
      const response = await token(main, redeemFields("mcpc_x", pkce().verifier), { authorization: header });
      // "Basic" with nothing after it is not Basic credentials at all: then no client is identified.
      if (header !== "Basic") expect(response.headers.get("www-authenticate")).toStartWith("Basic ");
      await expectOAuthError(response, 401, "invalid_client");
    }
  });

  test("an unknown client: 401 invalid_client, over Basic with a Basic challenge", async () => {
    await expectOAuthError(
      await token(main, redeemFields("mcpc_x", pkce().verifier, { client_id: "no-such-client" })),
      401,
      "invalid_client",
    );
    const basic = await token(main, redeemFields("mcpc_x", pkce().verifier), { authorization: basicAuth("no-such-client", "whatever") });
    expect(basic.headers.get("www-authenticate")).toStartWith("Basic ");
    await expectOAuthError(basic, 401, "invalid_client");
  });

  test("no client identification at all: 401 invalid_client", async () => {
    await expectOAuthError(await token(main, redeemFields("mcpc_x", pkce().verifier)), 401, "invalid_client");
  });

  test("a public client that presents a secret: 401 invalid_client", async () => {
    const response = await token(
      main,
      redeemFields("mcpc_x", pkce().verifier, { client_id: loopbackClient.client_id, client_secret: "surprise" }),
    );
    await expectOAuthError(response, 401, "invalid_client");
  });
});

describe("/authorize errors before the redirect URI is trusted: a page, never a redirect", () => {
  const base = () => {
    const pair = pkce();
    return { response_type: "code", code_challenge: pair.challenge, code_challenge_method: "S256", state: "st" };
  };
  const get = (params: Record<string, string | undefined>) => fetch(authorizeUrl(main.url, params), { redirect: "manual" });

  test("an unknown client: 400 error page", async () => {
    const html = await expectErrorPage(await get({ ...base(), client_id: "no-such-client", redirect_uri: CALLBACK }), 400);
    expect(html).toContain("unknown client");
  });

  test("a missing client_id, a repeated client_id: 400 error page", async () => {
    await expectErrorPage(await get({ ...base(), redirect_uri: CALLBACK }), 400);
    const url = authorizeUrl(main.url, { ...base(), client_id: "connector", redirect_uri: CALLBACK });
    url.searchParams.append("client_id", "connector");
    await expectErrorPage(await fetch(url, { redirect: "manual" }), 400);
  });

  test("a redirect URI that does not match exactly: 400 error page (even for the auto-approved client)", async () => {
    for (const redirect of [
      "https://evil.example/api/mcp/auth_callback",
      `${CALLBACK}/`,
      `${CALLBACK}?x=1`,
      "https://claude.ai:8443/api/mcp/auth_callback",
      "http://claude.ai/api/mcp/auth_callback",
      "https://CLAUDE.AI/api/mcp/auth_callback",
      `${CALLBACK}#fragment`,
      "https://claude.ai/api/mcp/auth_callbackx",
      "https://claude.ai.evil.example/api/mcp/auth_callback",
    ]) {
      await expectErrorPage(await get({ ...base(), client_id: "connector", redirect_uri: redirect }), 400);
    }
  });

  test("the redirect URI is checked before PKCE: a mismatch without PKCE is still a page", async () => {
    await expectErrorPage(
      await get({ response_type: "code", client_id: "connector", redirect_uri: "https://evil.example/cb", state: "s" }),
      400,
    );
  });

  test("a repeated redirect_uri: 400 error page", async () => {
    const url = authorizeUrl(main.url, { ...base(), client_id: "connector", redirect_uri: CALLBACK });
    url.searchParams.append("redirect_uri", CALLBACK);
    await expectErrorPage(await fetch(url, { redirect: "manual" }), 400);
  });

  test("loopback redirects: other path, other loopback host or a look-alike host are pages", async () => {
    for (const redirect of [
      "http://localhost:51234/other",
      "http://127.0.0.1:51234/callback",
      "http://localhost.evil.example:51234/callback",
      "https://localhost:51234/callback",
      "http://localhost:51234/callback/",
    ]) {
      await expectErrorPage(await get({ ...base(), client_id: loopbackClient.client_id, redirect_uri: redirect }), 400);
    }
  });
});

describe("loopback redirect URIs match on any port (RFC 8252 §7.3)", () => {
  test("registered without a port, requested with one: the flow completes to that port and the code redeems", async () => {
    const redirectUri = "http://localhost:51234/callback";
    const { code, verifier, redirect } = await authorizeWithOwner(main.url, {
      clientId: loopbackClient.client_id,
      redirectUri,
      state: "lb",
    });
    expect(redirect.origin).toBe("http://localhost:51234");
    expect(redirect.pathname).toBe("/callback");
    expect(redirect.searchParams.get("state")).toBe("lb");
    const issued = await tokens(main.url, {
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: redirectUri,
      client_id: loopbackClient.client_id,
    });
    expect(await mcpStatus(main.mcpUrl("vault"), issued.access_token)).toBe(200);
  });

  test("registered with port 5555, requested with 6666 or none: accepted", async () => {
    for (const redirectUri of ["http://127.0.0.1:6666/cb", "http://127.0.0.1/cb"]) {
      const { redirect } = await authorizeWithOwner(main.url, { clientId: fixedPortClient.client_id, redirectUri });
      expect(redirect.href.split("?")[0]).toBe(redirectUri);
    }
  });
});

describe("/authorize errors after the redirect URI: redirected with error, state and iss", () => {
  const call = (params: Record<string, string | undefined>) =>
    fetch(authorizeUrl(main.url, { response_type: "code", client_id: "connector", redirect_uri: CALLBACK, ...params }), {
      redirect: "manual",
    });

  test("PKCE missing: invalid_request (the auto-approved client too)", async () => {
    expectErrorRedirect(await call({ state: "no-pkce" }), CALLBACK, "invalid_request", "no-pkce", main.url);
  });

  test("code_challenge_method plain, absent (means plain), lower-case s256 or unknown: invalid_request", async () => {
    const { challenge } = pkce();
    expectErrorRedirect(
      await call({ state: "p1", code_challenge: challenge, code_challenge_method: "plain" }),
      CALLBACK,
      "invalid_request",
      "p1",
      main.url,
    );
    expectErrorRedirect(await call({ state: "p2", code_challenge: challenge }), CALLBACK, "invalid_request", "p2", main.url);
    expectErrorRedirect(
      await call({ state: "p3", code_challenge: challenge, code_challenge_method: "s256" }),
      CALLBACK,
      "invalid_request",
      "p3",
      main.url,
    );
    expectErrorRedirect(
      await call({ state: "p4", code_challenge: challenge, code_challenge_method: "S512" }),
      CALLBACK,
      "invalid_request",
      "p4",
      main.url,
    );
  });

  test("a code_challenge that cannot be an S256 value: invalid_request", async () => {
    for (const challenge of ["short", `${pkce().challenge}=`, "!".repeat(43)]) {
      expectErrorRedirect(
        await call({ state: "c", code_challenge: challenge, code_challenge_method: "S256" }),
        CALLBACK,
        "invalid_request",
        "c",
        main.url,
      );
    }
  });

  test("response_type missing or not code: unsupported_response_type", async () => {
    const { challenge } = pkce();
    expectErrorRedirect(
      await call({ response_type: undefined, state: "r1", code_challenge: challenge, code_challenge_method: "S256" }),
      CALLBACK,
      "unsupported_response_type",
      "r1",
      main.url,
    );
    expectErrorRedirect(
      await call({ response_type: "token", state: "r2", code_challenge: challenge, code_challenge_method: "S256" }),
      CALLBACK,
      "unsupported_response_type",
      "r2",
      main.url,
    );
  });

  test("a foreign resource: invalid_target", async () => {
    const { challenge } = pkce();
    for (const resource of [
      "https://evil.example/vault/mcp",
      `${main.url}/other/mcp`,
      `${main.url}/vault`,
      `${main.url}/vault/mcp#frag`,
      "/vault/mcp",
      `http://user@127.0.0.1:${main.port}/vault/mcp`,
      `${two.url}/alpha/mcp`,
    ]) {
      expectErrorRedirect(
        await call({ state: "t", code_challenge: challenge, code_challenge_method: "S256", resource }),
        CALLBACK,
        "invalid_target",
        "t",
        main.url,
      );
    }
  });

  test("a repeated resource: invalid_target (RFC 8707 §2, as at /token)", async () => {
    const { challenge } = pkce();
    const url = authorizeUrl(main.url, {
      response_type: "code",
      client_id: "connector",
      redirect_uri: CALLBACK,
      code_challenge: challenge,
      code_challenge_method: "S256",
      state: "rr",
      resource: `${main.url}/vault/mcp`,
    });
    url.searchParams.append("resource", `${main.url}/vault/mcp`);
    expectErrorRedirect(await fetch(url, { redirect: "manual" }), CALLBACK, "invalid_target", "rr", main.url);
  });

  test("state comes back byte for byte; without state there is none in the redirect", async () => {
    const state = "a b&c=d/é?#%";
    expectErrorRedirect(await call({ state }), CALLBACK, "invalid_request", state, main.url);
    const none = expectErrorRedirect(await call({}), CALLBACK, "invalid_request", undefined, main.url);
    expect(none.searchParams.has("state")).toBe(false);
  });

  // SRC BUG (minor, left failing on purpose): src/oauth/authorization-request.ts cuts state to
  // MAX_STATE (2048) characters and carries on, so the client gets back a state it never sent
  // and rejects the response as forged. RFC 6749 §4.1.2: state is "the exact value received
  // from the client". Either return it whole or refuse the request; never alter it.
  test("a long state (3000 characters) is returned exactly or the request is refused, never cut", async () => {
    const state = "s".repeat(3000);
    const { challenge } = pkce();
    const response = await call({ state, code_challenge: challenge, code_challenge_method: "S256" });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location")!);
    if (location.searchParams.has("code")) {
      expect(location.searchParams.get("state")?.length).toBe(state.length);
      expect(location.searchParams.get("state") === state).toBe(true);
    } else {
      expect(location.searchParams.get("error")).toBe("invalid_request");
      expect(location.searchParams.has("state")).toBe(false);
    }
  });

  test("a resource with a trailing slash or an upper-case scheme and host is the same resource", async () => {
    const upper = `HTTP://127.0.0.1:${main.port}/vault/mcp/`;
    for (const resource of [`${main.url}/vault/mcp/`, upper]) {
      const issued = await connectorTokens(main, { resource });
      expect(issued.scope).toBe("mcp:vault");
      expect(await mcpStatus(main.mcpUrl("vault"), issued.access_token)).toBe(200);
    }
  });
});

describe("/token: the authorization code", () => {
  const auth = { client_id: "connector", client_secret: SECRET };

  test("a wrong code_verifier: invalid_grant", async () => {
    const { code } = await connectorCode(main);
    await expectOAuthError(await token(main, redeemFields(code, pkce().verifier, auth)), 400, "invalid_grant");
  });

  test("a code_verifier that is not RFC 7636 syntax: invalid_grant", async () => {
    for (const verifier of ["short", "a".repeat(129), `${"a".repeat(42)} `, "é".repeat(50)]) {
      const { code } = await connectorCode(main);
      await expectOAuthError(await token(main, redeemFields(code, verifier, auth)), 400, "invalid_grant");
    }
  });

  test("a missing code_verifier or code: invalid_request", async () => {
    const { code } = await connectorCode(main);
    await expectOAuthError(
      await token(main, { grant_type: "authorization_code", code, redirect_uri: CALLBACK, ...auth }),
      400,
      "invalid_request",
    );
    await expectOAuthError(
      await token(main, { grant_type: "authorization_code", code_verifier: pkce().verifier, redirect_uri: CALLBACK, ...auth }),
      400,
      "invalid_request",
    );
  });

  test("a replayed code: invalid_grant, and what the first redemption issued stops working", async () => {
    const { code, verifier } = await connectorCode(main);
    const first = await tokens(main.url, redeemFields(code, verifier, auth));
    expect(await mcpStatus(main.mcpUrl("vault"), first.access_token)).toBe(200);

    await expectOAuthError(await token(main, redeemFields(code, verifier, auth)), 400, "invalid_grant");

    const after = await mcpInitialize(main.mcpUrl("vault"), `Bearer ${first.access_token}`);
    expect(after.status).toBe(401);
    expect(challengeParams(after.challenge).error).toBe("invalid_token");
    await expectOAuthError(
      await token(main, { grant_type: "refresh_token", refresh_token: first.refresh_token!, ...auth }),
      400,
      "invalid_grant",
    );
    // A third attempt is refused the same way.
    await expectOAuthError(await token(main, redeemFields(code, verifier, auth)), 400, "invalid_grant");
  });

  test("a code this instance never issued (random, or issued by another appliance): invalid_grant", async () => {
    await expectOAuthError(
      await token(main, redeemFields(`mcpc_${randomBytes(32).toString("base64url")}`, pkce().verifier, auth)),
      400,
      "invalid_grant",
    );
    const foreign = await connectorCode(two, { resource: `${two.url}/alpha/mcp` });
    await expectOAuthError(await token(main, redeemFields(foreign.code, foreign.verifier, auth)), 400, "invalid_grant");
  });

  test("a code issued to another client: invalid_grant", async () => {
    const { code, verifier } = seedAuthorizationCode(main, {
      clientId: loopbackClient.client_id,
      redirectUri: "http://localhost:40000/callback",
    });
    await expectOAuthError(await token(main, redeemFields(code, verifier, auth)), 400, "invalid_grant");
  });

  test("a redirect_uri that differs from the authorization request's: invalid_grant", async () => {
    const { code, verifier } = await connectorCode(main);
    await expectOAuthError(
      await token(main, redeemFields(code, verifier, { ...auth, redirect_uri: "https://claude.ai/other" })),
      400,
      "invalid_grant",
    );
  });

  test("a resource at /token other than the one authorized: invalid_target", async () => {
    const { code, verifier } = await connectorCode(main);
    await expectOAuthError(
      await token(main, redeemFields(code, verifier, { ...auth, resource: "https://evil.example/vault/mcp" })),
      400,
      "invalid_target",
    );
  });
});

describe("/token: grants a client may not use, scopes that cannot be", () => {
  test("a DCR client registered without refresh_token: no refresh_token field (not null), and refresh is unauthorized_client", async () => {
    const client = await registerPublic(main.url, ["http://localhost/cb"], { grant_types: ["authorization_code"] });
    const { code, verifier } = seedAuthorizationCode(main, { clientId: client.client_id, redirectUri: "http://localhost:40002/cb" });
    const response = await token(main, {
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      client_id: client.client_id,
      redirect_uri: "http://localhost:40002/cb",
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect("refresh_token" in body).toBe(false);
    expect(Object.values(body)).not.toContain(null);
    await expectOAuthError(
      await token(main, { grant_type: "refresh_token", refresh_token: "mcpr_x", client_id: client.client_id }),
      400,
      "unauthorized_client",
    );
  });

  test("a scope that is not RFC 6749 syntax at /authorize: invalid_scope, redirected", async () => {
    const { challenge } = pkce();
    for (const scope of ['mcp:vault "quoted"', "mcp:vault\\x", "mcp:vault\u00e9"]) {
      const response = await fetch(
        authorizeUrl(main.url, {
          response_type: "code",
          client_id: "connector",
          redirect_uri: CALLBACK,
          code_challenge: challenge,
          code_challenge_method: "S256",
          state: "sc",
          scope,
        }),
        { redirect: "manual" },
      );
      expectErrorRedirect(response, CALLBACK, "invalid_scope", "sc", main.url);
    }
  });

  test("unknown extra scopes (offline_access) are ignored: the token has the server's scope", async () => {
    const issued = await connectorTokens(main, { scope: "mcp:vault offline_access openid" });
    expect(issued.scope).toBe("mcp:vault");
  });

  test("a resource at /token spelled with a trailing slash or upper-case scheme is the authorized one", async () => {
    for (const resource of [`${main.url}/vault/mcp/`, `HTTP://127.0.0.1:${main.port}/vault/mcp`]) {
      const { code, verifier } = await connectorCode(main);
      await tokens(main.url, redeemFields(code, verifier, { client_id: "connector", client_secret: SECRET, resource }));
    }
  });
});

describe("/token: refresh tokens", () => {
  const auth = { client_id: "connector", client_secret: SECRET };

  test("reuse of a just-rotated refresh token within the grace window gives the same working pair again", async () => {
    const first = await connectorTokens(main);
    const second = await tokens(main.url, { grant_type: "refresh_token", refresh_token: first.refresh_token!, ...auth });
    const again = await tokens(main.url, { grant_type: "refresh_token", refresh_token: first.refresh_token!, ...auth });
    expect(again.refresh_token).toBe(second.refresh_token);
    expect(again.access_token).toBe(second.access_token);
    expect(await mcpStatus(main.mcpUrl("vault"), again.access_token)).toBe(200);
  });

  test("an unknown refresh token, or one of another client: invalid_grant", async () => {
    await expectOAuthError(
      await token(main, { grant_type: "refresh_token", refresh_token: `mcpr_${randomBytes(32).toString("base64url")}`, ...auth }),
      400,
      "invalid_grant",
    );
    const theirs = await seededTokens(main, loopbackClient.client_id, "http://localhost:40001/callback");
    await expectOAuthError(
      await token(main, { grant_type: "refresh_token", refresh_token: theirs.refresh_token!, ...auth }),
      400,
      "invalid_grant",
    );
    // …and the theft attempt did not spend it.
    await tokens(main.url, { grant_type: "refresh_token", refresh_token: theirs.refresh_token!, client_id: loopbackClient.client_id });
  });

  test("an access token used as a refresh token: invalid_grant", async () => {
    const issued = await connectorTokens(main);
    await expectOAuthError(
      await token(main, { grant_type: "refresh_token", refresh_token: issued.access_token, ...auth }),
      400,
      "invalid_grant",
    );
  });

  test("a wider scope: invalid_scope; another resource: invalid_target; none given: invalid_request", async () => {
    const issued = await connectorTokens(main);
    await expectOAuthError(
      await token(main, { grant_type: "refresh_token", refresh_token: issued.refresh_token!, scope: "mcp:vault mcp:other", ...auth }),
      400,
      "invalid_scope",
    );
    await expectOAuthError(
      await token(main, { grant_type: "refresh_token", refresh_token: issued.refresh_token!, resource: `${main.url}/other/mcp`, ...auth }),
      400,
      "invalid_target",
    );
    await expectOAuthError(await token(main, { grant_type: "refresh_token", ...auth }), 400, "invalid_request");
    // None of the refusals spent it.
    await tokens(main.url, { grant_type: "refresh_token", refresh_token: issued.refresh_token!, ...auth });
  });
});

describe("/token: the request itself", () => {
  const auth = { client_id: "connector", client_secret: SECRET };

  test("an unsupported grant_type: unsupported_grant_type", async () => {
    for (const grant of ["password", "client_credentials", "implicit", "urn:ietf:params:oauth:grant-type:device_code", "x".repeat(500)]) {
      await expectOAuthError(await token(main, { grant_type: grant, ...auth }), 400, "unsupported_grant_type");
    }
  });

  test("a missing grant_type: invalid_request", async () => {
    await expectOAuthError(await token(main, { code: "mcpc_x", ...auth }), 400, "invalid_request");
  });

  test("a repeated parameter: invalid_request; a repeated resource: invalid_target", async () => {
    const { code, verifier } = await connectorCode(main);
    await expectOAuthError(
      await token(
        main,
        `grant_type=authorization_code&code=${code}&code=${code}&code_verifier=${verifier}&client_id=connector&client_secret=${SECRET}`,
      ),
      400,
      "invalid_request",
    );
    await expectOAuthError(
      await token(
        main,
        `grant_type=authorization_code&grant_type=authorization_code&code=${code}&code_verifier=${verifier}&client_id=connector&client_secret=${SECRET}`,
      ),
      400,
      "invalid_request",
    );
    const resource = encodeURIComponent(`${main.url}/vault/mcp`);
    await expectOAuthError(
      await token(
        main,
        `grant_type=authorization_code&code=${code}&code_verifier=${verifier}&client_id=connector&client_secret=${SECRET}&resource=${resource}&resource=${resource}`,
      ),
      400,
      "invalid_target",
    );
    // The refused requests did not consume the code.
    await tokens(main.url, redeemFields(code, verifier, auth));
  });

  test("a JSON body: invalid_request", async () => {
    const { code, verifier } = await connectorCode(main);
    const response = await fetch(new URL("/token", main.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(redeemFields(code, verifier, auth)),
    });
    await expectOAuthError(response, 400, "invalid_request");
  });

  test("a malformed %-encoding: invalid_request", async () => {
    await expectOAuthError(await token(main, "grant_type=authorization_code&code=%zz&client_id=connector"), 400, "invalid_request");
    await expectOAuthError(await token(main, "grant_type=authorization_code&code=%FF%FE&client_id=connector"), 400, "invalid_request");
  });

  test("an oversized body: 413 JSON with no-store", async () => {
    await expectOAuthError(await token(main, `grant_type=authorization_code&code=${"a".repeat(70_000)}`), 413, "invalid_request");
    // The declared length alone is enough to refuse.
    const raw = await rawExchange(
      main.port,
      `POST /token HTTP/1.1\r\nHost: 127.0.0.1:${main.port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 70000\r\nConnection: close\r\n\r\n${"a".repeat(70_000)}`,
    );
    expect(raw.status).toBe(413);
    expect(raw.body.toString()).toContain('"error":"invalid_request"');
  });

  test("a successful answer carries Cache-Control: no-store and Pragma: no-cache, and no null", async () => {
    const { code, verifier } = await connectorCode(main);
    const response = await token(main, redeemFields(code, verifier, auth));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toContain("no-store");
    expect(response.headers.get("pragma")).toBe("no-cache");
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.token_type).toBe("Bearer");
    expect(Object.values(body)).not.toContain(null);
  });
});

describe("the bearer guard on the MCP endpoint", () => {
  test("a token for /alpha/mcp used at /beta/mcp: 401 invalid_token naming beta's metadata", async () => {
    const issued = await connectorTokens(two, { resource: `${two.url}/alpha/mcp` });
    expect(issued.scope).toBe("mcp:alpha");
    expect(await mcpStatus(two.mcpUrl("alpha"), issued.access_token)).toBe(200);
    const beta = await mcpInitialize(two.mcpUrl("beta"), `Bearer ${issued.access_token}`);
    expect(beta.status).toBe(401);
    const params = challengeParams(beta.challenge);
    expect(params.error).toBe("invalid_token");
    expect(params.resource_metadata).toBe(`${two.url}/.well-known/oauth-protected-resource/beta/mcp`);
    expect(params.scope).toBe("mcp:beta");
    expect(JSON.parse(beta.body).error.message).toStartWith("invalid_token: ");
  });

  test("with two servers, /authorize without a resource is refused: invalid_target", async () => {
    const { challenge } = pkce();
    const response = await fetch(
      authorizeUrl(two.url, {
        response_type: "code",
        client_id: "connector",
        redirect_uri: CALLBACK,
        code_challenge: challenge,
        code_challenge_method: "S256",
        state: "x",
      }),
      { redirect: "manual" },
    );
    expectErrorRedirect(response, CALLBACK, "invalid_target", "x", two.url);
  });

  test("a scope of the other server with the resource of this one: invalid_scope", async () => {
    const { challenge } = pkce();
    const response = await fetch(
      authorizeUrl(two.url, {
        response_type: "code",
        client_id: "connector",
        redirect_uri: CALLBACK,
        code_challenge: challenge,
        code_challenge_method: "S256",
        state: "sc",
        resource: `${two.url}/alpha/mcp`,
        scope: "mcp:beta",
      }),
      { redirect: "manual" },
    );
    expectErrorRedirect(response, CALLBACK, "invalid_scope", "sc", two.url);
  });

  test("an expired access token (access_token_ttl 1 ms): 401 invalid_token", async () => {
    const issued = await connectorTokens(shortLived);
    expect(issued.expires_in).toBe(0);
    // Past access_token_ttl (1 ms): the appliance takes no clock a test could move (clocked.test.ts
    // drives the same expiry in process with a fake one).
    await Bun.sleep(5);
    const answer = await mcpInitialize(shortLived.mcpUrl("vault"), `Bearer ${issued.access_token}`);
    expect(answer.status).toBe(401);
    expect(challengeParams(answer.challenge).error).toBe("invalid_token");
    // The refresh token still yields a new (equally short-lived) access token.
    await tokens(shortLived.url, {
      grant_type: "refresh_token",
      refresh_token: issued.refresh_token!,
      client_id: "connector",
      client_secret: SECRET,
    });
  });

  describe("malformed and foreign Authorization headers", () => {
    let valid: string;
    beforeAll(async () => {
      valid = (await connectorTokens(main)).access_token;
    });

    const expectNoError = (answer: { status: number; challenge: string | null }) => {
      expect(answer.status).toBe(401);
      const params = challengeParams(answer.challenge);
      expect(params.error).toBeUndefined();
      expect(params.resource_metadata).toBe(`${main.url}/.well-known/oauth-protected-resource/vault/mcp`);
      expect(params.scope).toBe("mcp:vault");
    };

    test("no Authorization header: 401 with a challenge but no error", async () => {
      expectNoError(await mcpInitialize(main.mcpUrl("vault")));
    });

    test("another scheme (Basic, Digest, a token without a scheme): 401 with no error", async () => {
      for (const header of ["Basic xxx", `Basic ${Buffer.from("a:b").toString("base64")}`, 'Digest username="a"', valid, "Bearertoken"]) {
        expectNoError(await mcpInitialize(main.mcpUrl("vault"), header));
      }
    });

    test('"Bearer", "Bearer  ", "Bearer a b", "Bearer a,b": 400 invalid_request', async () => {
      for (const header of ["Bearer", "Bearer  ", "Bearer a b", "Bearer a,b", `Bearer ${valid}, Bearer ${valid}`, "Bearer =abc"]) {
        const answer = await mcpInitialize(main.mcpUrl("vault"), header);
        expect(answer.status).toBe(400);
        expect(challengeParams(answer.challenge).error).toBe("invalid_request");
        expect(JSON.parse(answer.body).error.message).toStartWith("invalid_request: ");
      }
    });

    test("a 10 KB Bearer header: 400 invalid_request", async () => {
      const answer = await mcpInitialize(main.mcpUrl("vault"), `Bearer ${"a".repeat(10 * 1024)}`);
      expect(answer.status).toBe(400);
      expect(challengeParams(answer.challenge).error).toBe("invalid_request");
    });

    test("non-ASCII in the Bearer credential (Latin-1 via fetch, raw UTF-8 over TCP): 400 invalid_request", async () => {
      const latin1 = await mcpInitialize(main.mcpUrl("vault"), "Bearer café");
      expect(latin1.status).toBe(400);
      const head = Buffer.concat([
        Buffer.from(
          `POST /vault/mcp HTTP/1.1\r\nHost: 127.0.0.1:${main.port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 2\r\nConnection: close\r\nAuthorization: Bearer `,
        ),
        Buffer.from("mcpa_üñï€😀", "utf8"),
        Buffer.from("\r\n\r\n{}"),
      ]);
      const raw = await rawExchange(main.port, head);
      expect(raw.status).toBe(400);
      expect(raw.head).toContain('error="invalid_request"');
    });

    test("an unknown token: 401 invalid_token", async () => {
      for (const unknown of [`mcpa_${randomBytes(32).toString("base64url")}`, "x", `${valid}x`]) {
        const answer = await mcpInitialize(main.mcpUrl("vault"), `Bearer ${unknown}`);
        expect(answer.status).toBe(401);
        expect(challengeParams(answer.challenge).error).toBe("invalid_token");
        expect(JSON.parse(answer.body).error.message).toStartWith("invalid_token: ");
      }
    });

    test('"bearer <valid>" (lower-case scheme) and "BEARER <valid>" work', async () => {
      for (const scheme of ["bearer", "BEARER", "Bearer", "bEaReR"]) {
        const answer = await mcpInitialize(main.mcpUrl("vault"), `${scheme} ${valid}`);
        expect(answer.status).toBe(200);
        expect(answer.session).not.toBeNull();
      }
    });

    test("a token in the query string is not accepted (header only): 401 with no error", async () => {
      const url = new URL(main.mcpUrl("vault"));
      url.searchParams.set("access_token", valid);
      expectNoError(await mcpInitialize(url));
    });

    test("a refresh token or a code used as an access token: 401 invalid_token", async () => {
      const issued = await connectorTokens(main);
      const { code } = await connectorCode(main);
      for (const wrong of [issued.refresh_token!, code]) {
        const answer = await mcpInitialize(main.mcpUrl("vault"), `Bearer ${wrong}`);
        expect(answer.status).toBe(401);
        expect(challengeParams(answer.challenge).error).toBe("invalid_token");
      }
    });
  });
});

test("every appliance of this file is still up, and nothing was logged as an unhandled error", async () => {
  for (const appliance of [main, two, shortLived]) {
    await expectHealthy(appliance.url);
    const failures = appliance.logs.filter((line) => line.includes('"level":"error"') || line.includes('"level":"fatal"'));
    expect(failures).toEqual([]);
  }
});
