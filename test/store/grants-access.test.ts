import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { freshStore, HOUR, hash, issue, RESOURCE, SCOPE, T0, type TestStore } from "./fixtures.ts";

let t: TestStore;
beforeEach(() => {
  t = freshStore();
});
afterEach(() => t.cleanup());

describe("grants", () => {
  test("create (random id by default), get", () => {
    const { grant } = issue(t.store, "one");
    expect(grant.grant_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(t.store.grants.get(grant.grant_id)).toEqual({
      grant_id: grant.grant_id,
      client_id: "c1",
      resource: RESOURCE,
      scope: SCOPE,
      created_at: T0,
    });
    const second = t.store.grants.create({ grant_id: "g-2", client_id: "c1", resource: RESOURCE, scope: SCOPE });
    expect(second.grant_id).toBe("g-2");
    expect(t.store.grants.get("g-2")?.client_id).toBe("c1");
    expect(() => t.store.grants.create({ client_id: "unknown", resource: RESOURCE, scope: SCOPE })).toThrow(/FOREIGN KEY/);
  });

  test("revokeGrant cascades to every access and refresh token of the grant, and only that grant", () => {
    const a = issue(t.store, "a");
    const b = issue(t.store, "b");
    const extraAccess = hash("a-extra");
    t.store.accessTokens.insert({
      token_hash: extraAccess,
      grant_id: a.grant.grant_id,
      client_id: "c1",
      resource: RESOURCE,
      scope: SCOPE,
      expires_at: T0 + HOUR,
    });
    t.clock.t = T0 + 10;
    expect(t.store.grants.revokeGrant(a.grant.grant_id)).toBe(true);
    expect(t.store.grants.revokeGrant(a.grant.grant_id)).toBe(false); // already revoked
    expect(t.store.grants.get(a.grant.grant_id)?.revoked_at).toBe(T0 + 10);
    for (const token of [a.access, extraAccess]) {
      expect(t.store.accessTokens.findActive(token, T0 + 11)).toBeUndefined();
      expect(t.store.accessTokens.get(token)?.revoked_at).toBe(T0 + 10);
    }
    expect(t.store.refreshTokens.get(a.refresh)?.revoked_at).toBe(T0 + 10);
    expect(t.store.accessTokens.findActive(b.access, T0 + 11)).toBeDefined();
    expect(t.store.refreshTokens.findActive(b.refresh, T0 + 11)).toBeDefined();
  });

  test("revokeGrant of an unknown grant changes nothing", () => {
    expect(t.store.grants.revokeGrant("nope")).toBe(false);
  });
});

describe("access tokens", () => {
  test("findActive returns the record while valid", () => {
    const { grant, access } = issue(t.store, "x");
    expect(t.store.accessTokens.findActive(access, T0 + 1)).toEqual({
      token_hash: access,
      grant_id: grant.grant_id,
      client_id: "c1",
      resource: RESOURCE,
      scope: SCOPE,
      created_at: T0,
      expires_at: T0 + HOUR,
    });
    expect(t.store.accessTokens.findActive(hash("unknown"), T0)).toBeUndefined();
  });

  test("expired at expires_at exactly", () => {
    const { access } = issue(t.store, "x");
    expect(t.store.accessTokens.findActive(access, T0 + HOUR - 1)).toBeDefined();
    expect(t.store.accessTokens.findActive(access, T0 + HOUR)).toBeUndefined();
  });

  test("revoke stops one access token, not its refresh token nor its siblings", () => {
    const { access, refresh } = issue(t.store, "x");
    expect(t.store.accessTokens.revoke(access, T0 + 1)).toBe(true);
    expect(t.store.accessTokens.revoke(access, T0 + 2)).toBe(false);
    expect(t.store.accessTokens.findActive(access, T0 + 3)).toBeUndefined();
    expect(t.store.accessTokens.get(access)?.revoked_at).toBe(T0 + 1);
    expect(t.store.refreshTokens.findActive(refresh, T0 + 3)).toBeDefined();
  });

  test("a token of a revoked grant is not active even if its own row was not marked", () => {
    const { grant, access } = issue(t.store, "x");
    // Simulate a grant revoked by a path that did not touch the token rows.
    t.store.transaction(() => {
      t.store.grants.revokeGrant(grant.grant_id, T0 + 1);
      t.store.accessTokens.insert({
        token_hash: hash("late"),
        grant_id: grant.grant_id,
        client_id: "c1",
        resource: RESOURCE,
        scope: SCOPE,
        expires_at: T0 + HOUR,
      });
    });
    expect(t.store.accessTokens.findActive(access, T0 + 2)).toBeUndefined();
    expect(t.store.accessTokens.get(hash("late"))?.revoked_at).toBeUndefined();
    expect(t.store.accessTokens.findActive(hash("late"), T0 + 2)).toBeUndefined();
  });

  test("an access token cannot exist without its grant", () => {
    expect(() =>
      t.store.accessTokens.insert({
        token_hash: hash("orphan"),
        grant_id: "missing",
        client_id: "c1",
        resource: RESOURCE,
        scope: SCOPE,
        expires_at: T0 + HOUR,
      }),
    ).toThrow(/FOREIGN KEY/);
  });

  test("deleteExpired removes expired rows only", () => {
    const { access: early } = issue(t.store, "early");
    const { access: later } = issue(t.store, "later", "c1", T0 + 10);
    expect(t.store.accessTokens.deleteExpired(T0 + HOUR)).toBe(1);
    expect(t.store.accessTokens.get(early)).toBeUndefined();
    expect(t.store.accessTokens.get(later)).toBeDefined();
  });

  test("a transaction that throws leaves nothing behind", () => {
    let grantId = "";
    expect(() =>
      t.store.transaction(() => {
        grantId = issue(t.store, "half").grant.grant_id;
        throw new Error("crash after the grant");
      }),
    ).toThrow("crash after the grant");
    expect(t.store.accessTokens.get(hash("a-half"))).toBeUndefined();
    expect(t.store.grants.get(grantId)).toBeUndefined();
    expect(t.store.clients.get("c1")).toBeUndefined();
  });
});
