// Grants outlive a restart; the configuration may not. After the owner narrows a pre-registered
// client's scope (RFC 6749 §3.3) or stops serving a server, the grants made before yield no
// more tokens: a refresh is invalid_scope, or invalid_grant for a server no longer served (the
// client authorizes afresh). In process, as clocked.test.ts: the real AuthorizationServer over
// one state directory, started twice with two configurations.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { defaultOAuthConfig } from "../../src/config/oauth.ts";
import type { OAuthClientConfig } from "../../src/config/types.ts";
import { silentLogger } from "../../src/log.ts";
import { AuthorizationServer } from "../../src/oauth/authorization-server.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { stdioServer, testConfig } from "../helpers/appliance.ts";
import { pkce, sha256Hex } from "../helpers/oauth-http.ts";

const ISSUER = "https://mcp.example.com";
const CALLBACK = "https://claude.ai/api/mcp/auth_callback";
const SECRET = "narrowed-connector-secret";
const auth = { client_id: "connector", client_secret: SECRET };

let stores: Store[] = [];
let stateDir: string;

function start(serverNames: string[], scope?: string): AuthorizationServer {
  const client: OAuthClientConfig = {
    name: "Connector",
    clientId: "connector",
    clientSecretSha256: sha256Hex(SECRET),
    redirectUris: [CALLBACK],
    autoApprove: true,
    ...(scope ? { scope } : {}),
  };
  const config = testConfig(
    serverNames.map((name) => stdioServer(name, "behaviour-server.mjs")),
    { auth: "oauth", oauth: { ...defaultOAuthConfig(), clients: [client] }, ...(stateDir ? { stateDir } : {}) },
  );
  stateDir = config.stateDir;
  const store = openStore(config.stateDir);
  stores.push(store);
  return new AuthorizationServer({ config, issuer: ISSUER, store, log: silentLogger });
}

beforeEach(() => {
  stateDir = "";
});
afterEach(() => {
  for (const store of stores) store.close();
  stores = [];
  rmSync(stateDir, { recursive: true, force: true });
});

async function notesTokens(server: AuthorizationServer) {
  const pair = pkce();
  const query = new URLSearchParams({
    response_type: "code",
    client_id: "connector",
    redirect_uri: CALLBACK,
    code_challenge: pair.challenge,
    code_challenge_method: "S256",
    resource: `${ISSUER}/notes/mcp`,
  });
  const outcome = await server.authorization.start(query, undefined);
  if (outcome.kind !== "redirect") throw new Error(`expected a redirect, got ${outcome.kind}`);
  const code = new URL(outcome.location).searchParams.get("code")!;
  const result = await server.token.exchange(
    new Map(Object.entries({ grant_type: "authorization_code", code, code_verifier: pair.verifier, ...auth })),
    null,
    "192.0.2.1",
  );
  if (!result.ok) throw new Error(`token request refused: ${result.error.code}`);
  return result.value;
}

function refresh(server: AuthorizationServer, refreshToken: string) {
  return server.token.exchange(
    new Map(Object.entries({ grant_type: "refresh_token", refresh_token: refreshToken, ...auth })),
    null,
    "192.0.2.1",
  );
}

test("the client's scope narrowed to mcp:vault: its notes grant refreshes no more (invalid_scope)", async () => {
  const before = start(["vault", "notes"]);
  const issued = await notesTokens(before);
  const after = start(["vault", "notes"], "mcp:vault");
  const result = await refresh(after, issued.refresh_token!);
  expect(result.ok ? "ok" : result.error.code).toBe("invalid_scope");
});

test("the client's scope narrowed: the access token of its notes grant stops opening the notes server at once", async () => {
  const before = start(["vault", "notes"]);
  const issued = await notesTokens(before);
  const notes = before.serverFor("notes")!;
  expect(before.guard.check(`Bearer ${issued.access_token}`, notes, Date.now()).ok).toBe(true);
  const after = start(["vault", "notes"], "mcp:vault");
  expect(after.guard.check(`Bearer ${issued.access_token}`, after.serverFor("notes")!, Date.now()).ok).toBe(false);
});

test("the notes server no longer served: its grant refreshes no more (invalid_grant)", async () => {
  const before = start(["vault", "notes"]);
  const issued = await notesTokens(before);
  const after = start(["vault"]);
  const result = await refresh(after, issued.refresh_token!);
  expect(result.ok ? "ok" : result.error.code).toBe("invalid_grant");
});

test("nothing changed: the refresh works", async () => {
  const before = start(["vault", "notes"]);
  const issued = await notesTokens(before);
  const again = start(["vault", "notes"]);
  expect((await refresh(again, issued.refresh_token!)).ok).toBe(true);
});
