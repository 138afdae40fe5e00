import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { openStore, type Store } from "../../src/store/index.ts";
import { client, freshStore, hash, RESOURCE, SCOPE, T0, type TestStore } from "./fixtures.ts";
import { race } from "./processes.ts";

let t: TestStore;
beforeEach(() => {
  t = freshStore();
});
afterEach(() => t.cleanup());

/** The owner's approval as the authorize endpoint records it: a grant and its code, together. */
function approve(store: Store, label: string, expiresAt = T0 + 60_000) {
  return store.transaction(() => {
    if (!store.clients.get("c1")) store.clients.insert(client("c1"));
    const grant = store.grants.create({ client_id: "c1", resource: RESOURCE, scope: SCOPE });
    store.codes.insert({
      code_hash: hash(label),
      grant_id: grant.grant_id,
      client_id: "c1",
      redirect_uri: "https://app.example/cb",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
      resource: RESOURCE,
      scope: SCOPE,
      expires_at: expiresAt,
    });
    return grant;
  });
}

describe("authorization codes", () => {
  test("the first consume returns the record, the second reports a replay", () => {
    const grant = approve(t.store, "code");
    const first = t.store.codes.consume(hash("code"), T0 + 1)!;
    expect(first.replay).toBe(false);
    expect(first.expired).toBe(false);
    expect(first.code).toEqual({
      code_hash: hash("code"),
      grant_id: grant.grant_id,
      client_id: "c1",
      redirect_uri: "https://app.example/cb",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
      resource: RESOURCE,
      scope: SCOPE,
      created_at: T0,
      expires_at: T0 + 60_000,
      used_at: T0 + 1,
    });
    const second = t.store.codes.consume(hash("code"), T0 + 2)!;
    expect(second.replay).toBe(true);
    expect(second.code.used_at).toBe(T0 + 1); // the first use's time stays
  });

  test("unknown code → undefined; an expired one is reported as such (and still marked used)", () => {
    expect(t.store.codes.consume(hash("never"), T0)).toBeUndefined();
    approve(t.store, "late", T0 + 60_000);
    const late = t.store.codes.consume(hash("late"), T0 + 60_000)!;
    expect(late).toMatchObject({ expired: true, replay: false });
    expect(t.store.codes.get(hash("late"))?.used_at).toBe(T0 + 60_000);
  });

  test("a code cannot exist without its grant", () => {
    expect(() =>
      t.store.codes.insert({
        code_hash: hash("orphan"),
        grant_id: "no-such-grant",
        client_id: "c1",
        redirect_uri: "https://app.example/cb",
        code_challenge: "x",
        code_challenge_method: "S256",
        resource: RESOURCE,
        scope: SCOPE,
        expires_at: T0 + 60_000,
      }),
    ).toThrow(/FOREIGN KEY/);
  });

  test("a replayed code lets the caller revoke what it issued; the code is gone after", () => {
    const grant = approve(t.store, "code");
    const { access, refresh } = t.store.transaction(() => {
      const consumed = t.store.codes.consume(hash("code"), T0)!;
      const common = { grant_id: consumed.code.grant_id, client_id: "c1", resource: RESOURCE, scope: SCOPE };
      t.store.accessTokens.insert({ ...common, token_hash: hash("a"), expires_at: T0 + 1000 });
      t.store.refreshTokens.insert({ ...common, token_hash: hash("r"), family_id: grant.grant_id, expires_at: T0 + 9000 });
      return { access: hash("a"), refresh: hash("r") };
    });
    const replayed = t.store.codes.consume(hash("code"), T0 + 5)!;
    expect(replayed.replay).toBe(true);
    expect(t.store.grants.revokeGrant(replayed.code.grant_id, T0 + 5)).toBe(true);
    expect(t.store.accessTokens.findActive(access, T0 + 6)).toBeUndefined();
    expect(t.store.refreshTokens.findActive(refresh, T0 + 6)).toBeUndefined();
    expect(t.store.codes.consume(hash("code"), T0 + 7)).toBeUndefined();
  });

  test("consumed by two connections of one process: one first use", () => {
    approve(t.store, "shared");
    const other = openStore(t.dir, { now: () => T0 }); // a second, independent connection
    const results = [other.codes.consume(hash("shared"), T0)!, t.store.codes.consume(hash("shared"), T0)!];
    other.close();
    expect(results.map((r) => r.replay).sort()).toEqual([false, true]);
  });

  test("consumed by eight processes released at once: exactly one is not a replay", async () => {
    approve(t.store, "raced", Date.now() + 60_000);
    const answers = (await race(Array.from({ length: 8 }, () => [t.dir, "consume", hash("raced")]))) as {
      replay: boolean;
    }[];
    expect(answers).toHaveLength(8);
    expect(answers.filter((a) => a.replay === false)).toHaveLength(1);
    expect(answers.filter((a) => a.replay === true)).toHaveLength(7);
  });
});
