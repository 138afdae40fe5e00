// A pre-registered client's scope ([[oauth.clients]] scope) is enforced (RFC 6749 §3.3): a
// client limited to mcp:vault gets no token for the notes server — not at /authorize (a
// scope it may not have is invalid_scope, a resource it may not reach invalid_target, RFC 8707
// §2), not at /token with a code granted before the limit, not at refresh. A dynamically
// registered client's scope is its own claim and limits nothing (oauth/scopes.ts says why).
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { openStore } from "../../src/store/index.ts";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import {
  authorizeUrl,
  expectErrorRedirect,
  expectHealthy,
  expectOAuthError,
  pkce,
  postForm,
  registerPublic,
  sha256Hex,
  tokens,
} from "../helpers/oauth-http.ts";
import { seedAuthorizationCode } from "../helpers/oauth-seed.ts";

const SECRET = "client-scope-secret-0123456789abcdef";
const CALLBACK = "https://claude.ai/api/mcp/auth_callback";
const LOOPBACK = "http://127.0.0.1/callback";

let appliance: TestAppliance;
let vault: string;
let notes: string;

const connector = (clientId: string, scope?: string) => ({
  name: clientId,
  clientId,
  clientSecretSha256: sha256Hex(SECRET),
  redirectUris: [CALLBACK],
  autoApprove: true,
  ...(scope !== undefined ? { scope } : {}),
});

beforeAll(async () => {
  appliance = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs"), stdioServer("notes", "behaviour-server.mjs")], {
    auth: "oauth",
    oauthOverrides: {
      tokenRate: { count: 100_000, windowMs: 60_000 },
      registrationRate: { count: 100_000, windowMs: 60_000 },
      clients: [connector("vault-only", "mcp:vault offline_access"), connector("unlimited")],
    },
  });
  vault = appliance.mcpUrl("vault").href;
  notes = appliance.mcpUrl("notes").href;
});
afterAll(async () => {
  await appliance?.stop();
});
afterEach(async () => {
  await expectHealthy(appliance.url);
});

function authorize(clientId: string, params: Record<string, string>, challenge = pkce().challenge): Promise<Response> {
  const url = authorizeUrl(appliance.url, {
    response_type: "code",
    client_id: clientId,
    redirect_uri: CALLBACK,
    code_challenge: challenge,
    code_challenge_method: "S256",
    ...params,
  });
  return fetch(url, { redirect: "manual" });
}

async function tokensFor(clientId: string, resource: string, scope?: string) {
  const pair = pkce();
  const response = await authorize(clientId, { resource, state: "ok", ...(scope ? { scope } : {}) }, pair.challenge);
  expect(response.status).toBe(303);
  const code = new URL(response.headers.get("location")!).searchParams.get("code");
  if (!code) throw new Error(`no code: ${response.headers.get("location")}`);
  return tokens(appliance.url, {
    grant_type: "authorization_code",
    code,
    code_verifier: pair.verifier,
    redirect_uri: CALLBACK,
    client_id: clientId,
    client_secret: SECRET,
  });
}

describe("/authorize", () => {
  test("the client's own server works (offline_access asked for too)", async () => {
    expect((await tokensFor("vault-only", vault, "mcp:vault offline_access")).scope).toBe("mcp:vault");
  });

  test("another server's resource: invalid_target; its scope asked for: invalid_scope", async () => {
    expectErrorRedirect(await authorize("vault-only", { resource: notes, state: "r" }), CALLBACK, "invalid_target", "r", appliance.url);
    expectErrorRedirect(
      await authorize("vault-only", { resource: notes, scope: "mcp:notes", state: "s" }),
      CALLBACK,
      "invalid_scope",
      "s",
      appliance.url,
    );
  });

  test("a client without a configured scope reaches every server", async () => {
    expect((await tokensFor("unlimited", notes)).scope).toBe("mcp:notes");
  });

  test("a dynamically registered client's scope limits nothing (its own claim)", async () => {
    const registered = await registerPublic(appliance.url, [LOOPBACK], { scope: "mcp:vault" });
    const response = await fetch(
      authorizeUrl(appliance.url, {
        response_type: "code",
        client_id: registered.client_id,
        redirect_uri: LOOPBACK,
        code_challenge: pkce().challenge,
        code_challenge_method: "S256",
        resource: notes,
      }),
      { redirect: "manual" },
    );
    // The owner's login page: the request itself was accepted.
    expect(response.status).toBe(200);
    expect(response.headers.get("location")).toBeNull();
  });
});

describe("/token", () => {
  test("a code granted for another server (before the limit was configured): invalid_scope", async () => {
    const pair = pkce();
    const { code } = seedAuthorizationCode(appliance, {
      clientId: "vault-only",
      redirectUri: CALLBACK,
      resource: notes,
      scope: "mcp:notes",
      pkce: pair,
    });
    const response = await postForm(appliance.url, "/token", {
      grant_type: "authorization_code",
      code,
      code_verifier: pair.verifier,
      redirect_uri: CALLBACK,
      client_id: "vault-only",
      client_secret: SECRET,
    });
    await expectOAuthError(response, 400, "invalid_scope");
  });

  test("a refresh token of a grant for another server: invalid_scope, and the token is not spent", async () => {
    const refresh = `mcpr_${randomBytes(32).toString("base64url")}`;
    const store = openStore(appliance.config.stateDir);
    try {
      store.transaction(() => {
        const grant = store.grants.create({ client_id: "vault-only", resource: notes, scope: "mcp:notes" });
        store.refreshTokens.insert({
          token_hash: sha256Hex(refresh),
          grant_id: grant.grant_id,
          family_id: grant.grant_id,
          client_id: "vault-only",
          resource: notes,
          scope: "mcp:notes",
          expires_at: Date.now() + 3_600_000,
        });
      });
      const fields = { grant_type: "refresh_token", refresh_token: refresh, client_id: "vault-only", client_secret: SECRET };
      await expectOAuthError(await postForm(appliance.url, "/token", fields), 400, "invalid_scope");
      expect(store.refreshTokens.findActive(sha256Hex(refresh))).toBeDefined();
    } finally {
      store.close();
    }
  });

  test("its own server's refresh works, offline_access in the refresh request changing nothing", async () => {
    const first = await tokensFor("vault-only", vault);
    const next = await tokens(appliance.url, {
      grant_type: "refresh_token",
      refresh_token: first.refresh_token!,
      scope: "mcp:vault offline_access",
      client_id: "vault-only",
      client_secret: SECRET,
    });
    expect(next.scope).toBe("mcp:vault");
  });
});
