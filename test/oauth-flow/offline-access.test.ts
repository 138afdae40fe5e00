// offline_access (SEP-2207): a scope of the authorization server — listed in its metadata's
// scopes_supported, accepted in authorization and refresh requests (never an error, changing
// nothing: refresh tokens come with the refresh_token grant anyway) — and never a protected
// resource's: not in RFC 9728 metadata, not in a WWW-Authenticate challenge.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import {
  authorizeUrl,
  challengeParams,
  expectHealthy,
  mcpInitialize,
  pkce,
  registerPublic,
  sha256Hex,
  tokens,
} from "../helpers/oauth-http.ts";

const SECRET = "offline-access-secret-0123456789abcdef";
const CALLBACK = "https://claude.ai/api/mcp/auth_callback";

let appliance: TestAppliance;

beforeAll(async () => {
  appliance = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs"), stdioServer("notes", "behaviour-server.mjs")], {
    auth: "oauth",
    oauthOverrides: {
      tokenRate: { count: 100_000, windowMs: 60_000 },
      clients: [
        { name: "Connector", clientId: "connector", clientSecretSha256: sha256Hex(SECRET), redirectUris: [CALLBACK], autoApprove: true },
      ],
    },
  });
});
afterAll(async () => {
  await appliance?.stop();
});
afterEach(async () => {
  await expectHealthy(appliance.url);
});

async function json(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(new URL(path, appliance.url));
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

test("the authorization server's metadata lists offline_access, at both well-known paths", async () => {
  for (const path of ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"]) {
    expect((await json(path)).scopes_supported).toEqual(["mcp:vault", "mcp:notes", "offline_access"]);
  }
});

test("no protected resource metadata lists it", async () => {
  for (const path of [
    "/.well-known/oauth-protected-resource",
    "/.well-known/oauth-protected-resource/vault/mcp",
    "/.well-known/oauth-protected-resource/notes/mcp",
  ]) {
    expect((await json(path)).scopes_supported as string[]).not.toContain("offline_access");
  }
});

test("no WWW-Authenticate challenge names it (no token, a bad token)", async () => {
  for (const authorization of [undefined, "Bearer mcpa_not-a-token"]) {
    const answer = await mcpInitialize(appliance.mcpUrl("vault"), authorization);
    expect(answer.status).toBe(401);
    expect(challengeParams(answer.challenge).scope).toBe("mcp:vault");
    expect(answer.challenge).not.toContain("offline_access");
  }
});

test("asked for at /authorize and at refresh: accepted, a refresh token issued, the scope the server's", async () => {
  const pair = pkce();
  const response = await fetch(
    authorizeUrl(appliance.url, {
      response_type: "code",
      client_id: "connector",
      redirect_uri: CALLBACK,
      code_challenge: pair.challenge,
      code_challenge_method: "S256",
      resource: appliance.mcpUrl("vault").href,
      scope: "offline_access mcp:vault",
    }),
    { redirect: "manual" },
  );
  expect(response.status).toBe(303);
  const code = new URL(response.headers.get("location")!).searchParams.get("code")!;
  const auth = { client_id: "connector", client_secret: SECRET };
  const first = await tokens(appliance.url, { grant_type: "authorization_code", code, code_verifier: pair.verifier, ...auth });
  expect(first.scope).toBe("mcp:vault");
  expect(first.refresh_token).toBeString();
  const next = await tokens(appliance.url, {
    grant_type: "refresh_token",
    refresh_token: first.refresh_token!,
    scope: "offline_access",
    ...auth,
  });
  expect(next.scope).toBe("mcp:vault");
});

test("a dynamic registration asking for offline_access alone is accepted too", async () => {
  const registered = await registerPublic(appliance.url, ["http://127.0.0.1/callback"], { scope: "offline_access" });
  expect(registered.client_id).toBeString();
});
