// The paths of the negative matrix that need time to pass (an authorization code older than its
// 60 s, a rotated refresh token reused after the 30 s grace window, an access token past its
// lifetime), which the HTTP tests cannot wait for. The appliance takes no clock, so these drive
// the real AuthorizationServer in process with a fake one: the same endpoint objects the HTTP
// routes call, the same store, the same guard; only HTTP parsing is left out.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { defaultOAuthConfig } from "../../src/config/oauth.ts";
import { silentLogger } from "../../src/log.ts";
import { AuthorizationServer } from "../../src/oauth/authorization-server.ts";
import { LIFETIMES } from "../../src/oauth/context.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { stdioServer, testConfig } from "../helpers/appliance.ts";
import { pkce, sha256Hex } from "../helpers/oauth-http.ts";

const ISSUER = "https://mcp.example.com";
const CALLBACK = "https://claude.ai/api/mcp/auth_callback";
const SECRET = "clocked-connector-secret";

let clock: number;
let store: Store;
let server: AuthorizationServer;

beforeEach(() => {
  clock = Date.UTC(2026, 0, 1);
  const config = testConfig([stdioServer("vault", "behaviour-server.mjs")], {
    auth: "oauth",
    log: { level: "info" },
    oauth: {
      ...defaultOAuthConfig(),
      clients: [
        { name: "Connector", clientId: "connector", clientSecretSha256: sha256Hex(SECRET), redirectUris: [CALLBACK], autoApprove: true },
      ],
    },
  });
  store = openStore(config.stateDir, { now: () => clock });
  server = new AuthorizationServer({ config, issuer: ISSUER, store, log: silentLogger, now: () => clock });
});
afterEach(() => {
  store.close();
});

const auth = { client_id: "connector", client_secret: SECRET };

async function code(): Promise<{ code: string; verifier: string }> {
  const pair = pkce();
  const query = new URLSearchParams({
    response_type: "code",
    client_id: "connector",
    redirect_uri: CALLBACK,
    code_challenge: pair.challenge,
    code_challenge_method: "S256",
  });
  const outcome = await server.authorization.start(query, undefined);
  if (outcome.kind !== "redirect") throw new Error(`expected a redirect, got ${outcome.kind}`);
  return { code: new URL(outcome.location).searchParams.get("code")!, verifier: pair.verifier };
}

function exchange(fields: Record<string, string>) {
  return server.token.exchange(new Map(Object.entries(fields)), null, "192.0.2.1");
}

async function issued() {
  const { code: value, verifier } = await code();
  const result = await exchange({ grant_type: "authorization_code", code: value, code_verifier: verifier, ...auth });
  if (!result.ok) throw new Error(`token request refused: ${result.error.code}`);
  return result.value;
}

function guard(accessToken: string) {
  return server.guard.check(`Bearer ${accessToken}`, server.serverFor("vault")!, clock);
}

describe("what only time can show", () => {
  test("an authorization code redeemed after its lifetime: invalid_grant", async () => {
    const { code: value, verifier } = await code();
    clock += LIFETIMES.authorizationCodeMs;
    const result = await exchange({ grant_type: "authorization_code", code: value, code_verifier: verifier, ...auth });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe("invalid_grant");
      expect(result.error.status).toBe(400);
    }
  });

  test("a code redeemed just inside its lifetime works", async () => {
    const { code: value, verifier } = await code();
    clock += LIFETIMES.authorizationCodeMs - 1;
    expect((await exchange({ grant_type: "authorization_code", code: value, code_verifier: verifier, ...auth })).ok).toBe(true);
  });

  test("a rotated refresh token reused after the grace window: invalid_grant and the whole family revoked", async () => {
    const first = await issued();
    const second = await exchange({ grant_type: "refresh_token", refresh_token: first.refresh_token!, ...auth });
    if (!second.ok) throw new Error("refresh refused");
    expect(guard(second.value.access_token).ok).toBe(true);

    clock += LIFETIMES.refreshGraceMs;
    const reuse = await exchange({ grant_type: "refresh_token", refresh_token: first.refresh_token!, ...auth });
    expect(reuse.ok).toBe(false);
    if (!reuse.ok) expect(reuse.error.code).toBe("invalid_grant");

    // The family is gone: the legitimate successor and every access token of the grant.
    const successor = await exchange({ grant_type: "refresh_token", refresh_token: second.value.refresh_token!, ...auth });
    expect(successor.ok).toBe(false);
    if (!successor.ok) expect(successor.error.code).toBe("invalid_grant");
    for (const token of [first.access_token, second.value.access_token]) {
      const decision = guard(token);
      expect(decision.ok).toBe(false);
      if (!decision.ok) {
        expect(decision.status).toBe(401);
        expect(decision.error?.code).toBe("invalid_token");
      }
    }
  });

  test("a rotated refresh token reused inside the grace window: the same pair again, the family intact", async () => {
    const first = await issued();
    const second = await exchange({ grant_type: "refresh_token", refresh_token: first.refresh_token!, ...auth });
    clock += LIFETIMES.refreshGraceMs - 1;
    const again = await exchange({ grant_type: "refresh_token", refresh_token: first.refresh_token!, ...auth });
    expect(second.ok && again.ok).toBe(true);
    if (second.ok && again.ok) {
      expect(again.value.refresh_token).toBe(second.value.refresh_token);
      expect(again.value.access_token).toBe(second.value.access_token);
      // The access token's remaining lifetime, not a new one.
      expect(again.value.expires_in).toBe(second.value.expires_in - Math.ceil((LIFETIMES.refreshGraceMs - 1) / 1000));
      expect(guard(again.value.access_token).ok).toBe(true);
    }
  });

  test("an access token past its lifetime: 401 invalid_token (also once it sat in the guard's cache)", async () => {
    const tokens = await issued();
    expect(guard(tokens.access_token).ok).toBe(true); // now cached
    clock += defaultOAuthConfig().accessTokenTtlMs;
    const decision = guard(tokens.access_token);
    expect(decision.ok).toBe(false);
    if (!decision.ok) {
      expect(decision.status).toBe(401);
      expect(decision.error?.code).toBe("invalid_token");
    }
  });

  test("a refresh token past its lifetime: invalid_grant", async () => {
    const tokens = await issued();
    clock += defaultOAuthConfig().refreshTokenTtlMs;
    const result = await exchange({ grant_type: "refresh_token", refresh_token: tokens.refresh_token!, ...auth });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe("invalid_grant");
  });
});
