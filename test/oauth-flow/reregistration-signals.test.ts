// What /token tells a client to do next (CLIENTS.md: Claude.ai and the SDKs act on the code):
// a client that no longer exists — removed (`client remove`), its registration expired — is
// 401 invalid_client, so the client registers again; a grant that is dead — revoked, expired,
// its family revoked — is 400 invalid_grant, so the client authorizes again with the same
// registration. And a code presented by another client than its own is spent: its own client's
// redemption afterwards is refused and the grant revoked (OAuth 2.1 §4.1.3, RFC 6749 §4.1.2).
import { Database } from "bun:sqlite";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openStore } from "../../src/store/index.ts";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { expectHealthy, expectOAuthError, postForm, registerPublic, sha256Hex, tokens } from "../helpers/oauth-http.ts";
import { seedAuthorizationCode, seededTokens } from "../helpers/oauth-seed.ts";

const CALLBACK = "http://127.0.0.1/callback";

let appliance: TestAppliance;

beforeAll(async () => {
  appliance = await startTestAppliance([stdioServer("vault", "behaviour-server.mjs")], {
    auth: "oauth",
    oauthOverrides: { tokenRate: { count: 100_000, windowMs: 60_000 }, registrationRate: { count: 100_000, windowMs: 60_000 } },
  });
});
afterAll(async () => {
  await appliance?.stop();
});
afterEach(async () => {
  await expectHealthy(appliance.url);
});

const refresh = (clientId: string, refreshToken: string) =>
  postForm(appliance.url, "/token", { grant_type: "refresh_token", refresh_token: refreshToken, client_id: clientId });

/** A registered public client with a token pair. */
async function clientWithTokens() {
  const { client_id } = await registerPublic(appliance.url, [CALLBACK]);
  return { clientId: client_id, pair: await seededTokens(appliance, client_id, CALLBACK) };
}

/** A write straight into the appliance's state database (the appliance reads it on its next request). */
function sql(statement: string, ...params: string[]): void {
  const db = new Database(join(appliance.config.stateDir, "state.db"));
  try {
    db.run(statement, params);
  } finally {
    db.close();
  }
}

describe("a client that no longer exists: 401 invalid_client", () => {
  test("removed (as `client remove` does): refresh and code redemption", async () => {
    const { clientId, pair } = await clientWithTokens();
    const seeded = seedAuthorizationCode(appliance, { clientId, redirectUri: CALLBACK });
    const store = openStore(appliance.config.stateDir);
    expect(store.clients.remove(clientId)).toBe(true);
    store.close();
    await expectOAuthError(await refresh(clientId, pair.refresh_token!), 401, "invalid_client");
    const redeem = { grant_type: "authorization_code", code: seeded.code, code_verifier: seeded.verifier, client_id: clientId };
    await expectOAuthError(await postForm(appliance.url, "/token", redeem), 401, "invalid_client");
  });

  test("its registration expired", async () => {
    const { clientId, pair } = await clientWithTokens();
    sql("UPDATE clients SET expires_at = 1 WHERE client_id = ?", clientId);
    await expectOAuthError(await refresh(clientId, pair.refresh_token!), 401, "invalid_client");
  });
});

describe("a dead grant: 400 invalid_grant", () => {
  test("revoked", async () => {
    const { clientId, pair } = await clientWithTokens();
    sql(
      "UPDATE grants SET revoked_at = 1 WHERE grant_id = (SELECT grant_id FROM refresh_tokens WHERE token_hash = ?)",
      sha256Hex(pair.refresh_token!),
    );
    await expectOAuthError(await refresh(clientId, pair.refresh_token!), 400, "invalid_grant");
  });

  test("the refresh token expired", async () => {
    const { clientId, pair } = await clientWithTokens();
    sql("UPDATE refresh_tokens SET expires_at = 1 WHERE token_hash = ?", sha256Hex(pair.refresh_token!));
    await expectOAuthError(await refresh(clientId, pair.refresh_token!), 400, "invalid_grant");
  });

  test("its family revoked (a rotated token reused after its successor moved on)", async () => {
    const { clientId, pair } = await clientWithTokens();
    const second = await tokens(appliance.url, { grant_type: "refresh_token", refresh_token: pair.refresh_token!, client_id: clientId });
    const third = await tokens(appliance.url, { grant_type: "refresh_token", refresh_token: second.refresh_token!, client_id: clientId });
    await expectOAuthError(await refresh(clientId, pair.refresh_token!), 400, "invalid_grant");
    await expectOAuthError(await refresh(clientId, third.refresh_token!), 400, "invalid_grant");
  });
});

describe("a code presented by another client is spent", () => {
  test("the other client gets invalid_grant; the code's own client then too, and the grant is revoked", async () => {
    const { client_id: owner } = await registerPublic(appliance.url, [CALLBACK]);
    const { client_id: other } = await registerPublic(appliance.url, [CALLBACK]);
    const seeded = seedAuthorizationCode(appliance, { clientId: owner, redirectUri: CALLBACK });
    const redeem = (clientId: string) =>
      postForm(appliance.url, "/token", {
        grant_type: "authorization_code",
        code: seeded.code,
        code_verifier: seeded.verifier,
        redirect_uri: CALLBACK,
        client_id: clientId,
      });
    await expectOAuthError(await redeem(other), 400, "invalid_grant");
    await expectOAuthError(await redeem(owner), 400, "invalid_grant");
    const store = openStore(appliance.config.stateDir);
    try {
      expect(store.grants.get(seeded.grantId)?.revoked_at).toBeNumber();
    } finally {
      store.close();
    }
  });
});
