import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { client, freshStore, HOUR, hash, issue, RESOURCE, SCOPE, T0, type TestStore } from "./fixtures.ts";

let t: TestStore;
beforeEach(() => {
  t = freshStore();
});
afterEach(() => t.cleanup());

const DAY = 24 * HOUR;

function pendingCode(label: string, expiresAt: number) {
  return t.store.transaction(() => {
    if (!t.store.clients.get("c1")) t.store.clients.insert(client("c1"));
    const grant = t.store.grants.create({ client_id: "c1", resource: RESOURCE, scope: SCOPE });
    t.store.codes.insert({
      code_hash: hash(label),
      grant_id: grant.grant_id,
      client_id: "c1",
      redirect_uri: "https://app.example/cb",
      code_challenge: "x",
      code_challenge_method: "S256",
      resource: RESOURCE,
      scope: SCOPE,
      expires_at: expiresAt,
    });
    return grant;
  });
}

describe("purgeExpired", () => {
  test("nothing live is touched", () => {
    const live = issue(t.store, "live");
    pendingCode("fresh", T0 + 60_000);
    expect(t.store.purgeExpired(T0 + 1)).toEqual({ codes: 0, accessTokens: 0, refreshTokens: 0, grants: 0 });
    expect(t.store.accessTokens.findActive(live.access, T0 + 1)).toBeDefined();
    expect(t.store.codes.get(hash("fresh"))).toBeDefined();
  });

  test("expired access tokens go; the grant stays while its refresh token lives", () => {
    const { grant, access, refresh } = issue(t.store, "x");
    expect(t.store.purgeExpired(T0 + HOUR)).toMatchObject({ accessTokens: 1, grants: 0 });
    expect(t.store.accessTokens.get(access)).toBeUndefined();
    expect(t.store.grants.get(grant.grant_id)).toBeDefined();
    expect(t.store.refreshTokens.findActive(refresh, T0 + HOUR)).toBeDefined();
  });

  test("an unexchanged code goes at expiry, and its empty grant with it", () => {
    const grant = pendingCode("stale", T0 + 60_000);
    expect(t.store.purgeExpired(T0 + 60_000)).toEqual({ codes: 1, accessTokens: 0, refreshTokens: 0, grants: 1 });
    expect(t.store.grants.get(grant.grant_id)).toBeUndefined();
  });

  test("a used code stays while its grant lives (a late replay is still recognised), then goes with it", () => {
    const grant = pendingCode("used", T0 + 60_000);
    t.store.transaction(() => {
      t.store.codes.consume(hash("used"), T0 + 1);
      t.store.refreshTokens.insert({
        token_hash: hash("r"),
        grant_id: grant.grant_id,
        family_id: grant.grant_id,
        client_id: "c1",
        resource: RESOURCE,
        scope: SCOPE,
        expires_at: T0 + DAY,
      });
    });
    t.store.purgeExpired(T0 + HOUR);
    expect(t.store.codes.consume(hash("used"), T0 + HOUR)?.replay).toBe(true);
    expect(t.store.purgeExpired(T0 + DAY)).toMatchObject({ refreshTokens: 1, grants: 1 });
    expect(t.store.codes.get(hash("used"))).toBeUndefined();
  });

  test("rotated refresh tokens are kept until their own expiry, so reuse stays detectable", () => {
    const { refresh } = issue(t.store, "x");
    const expiry = t.store.refreshTokens.get(refresh)!.expires_at;
    t.store.refreshTokens.rotate(
      refresh,
      { token_hash: hash("r2"), successor_salt: "s", client_id: "c1", expires_at: expiry + 30 * DAY },
      T0 + DAY,
      30_000,
    );
    t.store.purgeExpired(expiry - 1);
    expect(t.store.refreshTokens.get(refresh)?.rotated_at).toBe(T0 + DAY);
    expect(t.store.purgeExpired(expiry)).toMatchObject({ refreshTokens: 1, grants: 0 });
    expect(t.store.refreshTokens.get(refresh)).toBeUndefined();
    expect(t.store.refreshTokens.get(hash("r2"))).toBeDefined();
  });

  test("a revoked grant goes once its tokens have expired", () => {
    const { grant } = issue(t.store, "x");
    t.store.grants.revokeGrant(grant.grant_id, T0 + 1);
    expect(t.store.purgeExpired(T0 + 2).grants).toBe(0);
    expect(t.store.purgeExpired(T0 + 31 * DAY)).toEqual({ codes: 0, accessTokens: 1, refreshTokens: 1, grants: 1 });
  });

  test("the store's clock is the default", () => {
    issue(t.store, "x");
    t.clock.t = T0 + 31 * DAY;
    expect(t.store.purgeExpired().grants).toBe(1);
  });
});
