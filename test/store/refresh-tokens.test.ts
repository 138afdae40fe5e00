import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { freshStore, HOUR, hash, issue, RESOURCE, SCOPE, T0, type TestStore } from "./fixtures.ts";
import { race } from "./processes.ts";

const GRACE = 30_000;
const LATER = T0 + 24 * HOUR;
let t: TestStore;
beforeEach(() => {
  t = freshStore();
});
afterEach(() => t.cleanup());

const next = (label: string, extra: { client_id?: string; scope?: string } = {}) => ({
  token_hash: hash(label),
  successor_salt: `salt-${label}`,
  client_id: "c1",
  expires_at: LATER + 30 * 24 * HOUR,
  ...extra,
});

describe("refresh token rotation", () => {
  test("an active token is rotated: marked, replaced, successor in the same grant and family", () => {
    const { grant, refresh } = issue(t.store, "x");
    const result = t.store.refreshTokens.rotate(refresh, next("r2"), LATER, GRACE);
    expect(result.status).toBe("rotated");
    if (result.status !== "rotated") return;
    expect(result.previous).toMatchObject({ token_hash: refresh, rotated_at: LATER, replaced_by: hash("r2") });
    expect(result.issued).toEqual({
      token_hash: hash("r2"),
      grant_id: grant.grant_id,
      family_id: grant.grant_id,
      client_id: "c1",
      resource: RESOURCE,
      scope: SCOPE,
      created_at: LATER,
      expires_at: LATER + 30 * 24 * HOUR,
    });
    expect(t.store.refreshTokens.get(refresh)).toMatchObject({ rotated_at: LATER, replaced_by: hash("r2") });
    expect(t.store.refreshTokens.findActive(refresh, LATER)).toBeUndefined(); // rotated: not usable as such
    expect(t.store.refreshTokens.findActive(hash("r2"), LATER)).toEqual(result.issued);
  });

  test("the housekeeping's sweep forgets the salts of rotations past the window, without any rotation", () => {
    const { refresh } = issue(t.store, "x");
    t.store.refreshTokens.rotate(refresh, next("r2"), LATER, GRACE);
    const db = new Database(t.store.path);
    const saltOf = () =>
      db.query<{ s: string | null }, [string]>("SELECT successor_salt AS s FROM refresh_tokens WHERE token_hash = ?").get(refresh)?.s;
    t.store.refreshTokens.forgetSaltsRotatedBefore(LATER - 1);
    expect(saltOf()).toBe("salt-r2");
    t.store.refreshTokens.forgetSaltsRotatedBefore(LATER);
    expect(saltOf()).toBeNull();
    db.close();
  });

  test("a narrower scope may be asked for; the default is the presented token's", () => {
    const { refresh } = issue(t.store, "x");
    const result = t.store.refreshTokens.rotate(refresh, next("r2", { scope: "mcp:narrow" }), LATER, GRACE);
    expect(result.status === "rotated" && result.issued.scope).toBe("mcp:narrow");
  });

  test("within the grace window the rotation is idempotent: the same successor and its salt, nothing written", () => {
    const { refresh } = issue(t.store, "x");
    t.store.refreshTokens.rotate(refresh, next("r2"), LATER, GRACE);
    const again = t.store.refreshTokens.rotate(refresh, next("r2-concurrent"), LATER + GRACE - 1, GRACE);
    expect(again.status).toBe("rotated_in_grace");
    if (again.status !== "rotated_in_grace") return;
    expect(again.issued.token_hash).toBe(hash("r2"));
    expect(again.salt).toBe("salt-r2");
    expect(t.store.refreshTokens.get(hash("r2-concurrent"))).toBeUndefined(); // no second branch
    expect(t.store.refreshTokens.findActive(hash("r2"), LATER + GRACE)).toBeDefined();
    // The salt is never part of a record handed out.
    expect(Object.keys(t.store.refreshTokens.get(refresh)!)).not.toContain("successor_salt");
  });

  test("a rotated token whose successor was itself rotated: the family is revoked, even within the window", () => {
    const { grant, access, refresh } = issue(t.store, "x");
    t.store.refreshTokens.rotate(refresh, next("r2"), LATER, GRACE);
    t.store.refreshTokens.rotate(hash("r2"), next("r3"), LATER + 1, GRACE);
    expect(t.store.refreshTokens.rotate(refresh, next("r4"), LATER + 2, GRACE)).toEqual({
      status: "reuse_detected",
      grant_id: grant.grant_id,
    });
    expect(t.store.refreshTokens.findActive(hash("r3"), LATER + 3)).toBeUndefined();
    expect(t.store.accessTokens.findActive(access, LATER + 3)).toBeUndefined();
    expect(t.store.refreshTokens.get(hash("r4"))).toBeUndefined();
  });

  test("a salt lives for the grace window only: the next rotation of any token drops the old ones", () => {
    const { refresh } = issue(t.store, "x");
    const other = issue(t.store, "other");
    t.store.refreshTokens.rotate(refresh, next("r2"), LATER, GRACE);
    const db = new Database(t.store.path);
    const salted = () => (db.query("SELECT count(*) AS n FROM refresh_tokens WHERE successor_salt IS NOT NULL").get() as { n: number }).n;
    expect(salted()).toBe(1);
    t.store.refreshTokens.rotate(other.refresh, next("o2"), LATER + GRACE - 1, GRACE);
    expect(salted()).toBe(2);
    t.store.refreshTokens.rotate(hash("o2"), next("o3"), LATER + GRACE, GRACE);
    expect(salted()).toBe(2); // r2's salt went (its window ended), o2's and o3's predecessors keep theirs
    expect(db.query("SELECT token_hash FROM refresh_tokens WHERE successor_salt IS NOT NULL ORDER BY rotated_at").all()).toEqual([
      { token_hash: other.refresh },
      { token_hash: hash("o2") },
    ]);
    db.close();
  });

  test("a token rotated before the salt existed (schema 2): a retry in the window is refused, nothing revoked", () => {
    const { grant, refresh } = issue(t.store, "x");
    t.store.refreshTokens.rotate(refresh, next("r2"), LATER, GRACE);
    const db = new Database(t.store.path);
    db.run("UPDATE refresh_tokens SET successor_salt = NULL");
    db.close();
    expect(t.store.refreshTokens.rotate(refresh, next("r3"), LATER + 1, GRACE)).toEqual({ status: "invalid" });
    expect(t.store.grants.get(grant.grant_id)?.revoked_at).toBeUndefined();
    expect(t.store.refreshTokens.findActive(hash("r2"), LATER + 1)).toBeDefined();
  });

  test("reuse after the grace window (at graceMs exactly) revokes the whole grant", () => {
    const { grant, access, refresh } = issue(t.store, "x");
    t.store.refreshTokens.rotate(refresh, next("r2"), LATER, GRACE);
    const reuse = t.store.refreshTokens.rotate(refresh, next("r3"), LATER + GRACE, GRACE);
    expect(reuse).toEqual({ status: "reuse_detected", grant_id: grant.grant_id });
    expect(t.store.refreshTokens.get(hash("r3"))).toBeUndefined(); // nothing issued
    expect(t.store.grants.get(grant.grant_id)?.revoked_at).toBe(LATER + GRACE);
    expect(t.store.refreshTokens.findActive(hash("r2"), LATER + GRACE)).toBeUndefined();
    expect(t.store.accessTokens.findActive(access, T0 + 1)).toBeUndefined();
    // The legitimate holder of r2 now finds it dead, and a second reuse is plainly invalid.
    expect(t.store.refreshTokens.rotate(hash("r2"), next("r4"), LATER + GRACE + 1, GRACE)).toEqual({ status: "invalid" });
    expect(t.store.refreshTokens.rotate(refresh, next("r5"), LATER + GRACE + 2, GRACE)).toEqual({ status: "invalid" });
  });

  test("reuse revokes every token of the family, a retry in grace having added none", () => {
    const { grant, refresh } = issue(t.store, "x");
    t.store.refreshTokens.rotate(refresh, next("r2"), LATER, GRACE);
    expect(t.store.refreshTokens.rotate(refresh, next("r2b"), LATER + 1, GRACE).status).toBe("rotated_in_grace");
    t.store.refreshTokens.rotate(hash("r2"), next("r3"), LATER + 2, GRACE);
    expect(t.store.refreshTokens.rotate(hash("r2"), next("r4"), LATER + 2 + GRACE, GRACE).status).toBe("reuse_detected");
    expect(t.store.refreshTokens.get(hash("r2b"))).toBeUndefined();
    for (const label of ["r2", "r3"]) {
      expect(t.store.refreshTokens.get(hash(label))).toMatchObject({ grant_id: grant.grant_id, revoked_at: LATER + 2 + GRACE });
    }
  });

  test("invalid, with nothing changed: unknown, expired, revoked, revoked grant, another client", () => {
    expect(t.store.refreshTokens.rotate(hash("unknown"), next("n1"), LATER, GRACE)).toEqual({ status: "invalid" });

    const expired = issue(t.store, "expired");
    const expiry = t.store.refreshTokens.get(expired.refresh)!.expires_at;
    expect(t.store.refreshTokens.rotate(expired.refresh, next("n2"), expiry, GRACE).status).toBe("invalid");

    const foreign = issue(t.store, "foreign");
    expect(t.store.refreshTokens.rotate(foreign.refresh, next("n3", { client_id: "c2" }), LATER, GRACE).status).toBe("invalid");
    expect(t.store.refreshTokens.findActive(foreign.refresh, LATER)).toBeDefined(); // still the owner's

    const revoked = issue(t.store, "revoked");
    t.store.grants.revokeGrant(revoked.grant.grant_id, T0 + 1);
    expect(t.store.refreshTokens.rotate(revoked.refresh, next("n4"), LATER, GRACE).status).toBe("invalid");

    for (const label of ["n1", "n2", "n3", "n4"]) expect(t.store.refreshTokens.get(hash(label))).toBeUndefined();
  });

  test("concurrent rotations of one token from six processes: one rotated, the others given that same successor", async () => {
    const { grant, refresh } = issue(t.store, "x");
    const answers = (await race(
      Array.from({ length: 6 }, (_, i) => [t.dir, "rotate", refresh, hash(`n${i}`), String(LATER), String(GRACE)]),
    )) as { status: string; issued: string }[];
    expect(answers.filter((a) => a.status === "rotated")).toHaveLength(1);
    expect(answers.filter((a) => a.status === "rotated_in_grace")).toHaveLength(5);
    expect(new Set(answers.map((a) => a.issued)).size).toBe(1);
    const successor = answers[0]!.issued;
    expect(t.store.refreshTokens.get(successor)?.family_id).toBe(grant.grant_id);
    const rows = t.store.refreshTokens;
    expect(Array.from({ length: 6 }, (_, i) => rows.get(hash(`n${i}`))).filter((r) => r !== undefined)).toHaveLength(1);
  });
});

describe("refresh token revocation and expiry", () => {
  test("revoking a refresh token revokes its grant and the grant's access tokens (RFC 7009 §2.1)", () => {
    const { grant, access, refresh } = issue(t.store, "x");
    const other = issue(t.store, "other");
    expect(t.store.refreshTokens.revoke(refresh, T0 + 5)).toBe(grant.grant_id);
    expect(t.store.grants.get(grant.grant_id)?.revoked_at).toBe(T0 + 5);
    expect(t.store.accessTokens.findActive(access, T0 + 6)).toBeUndefined();
    expect(t.store.refreshTokens.findActive(refresh, T0 + 6)).toBeUndefined();
    expect(t.store.accessTokens.findActive(other.access, T0 + 6)).toBeDefined();
    expect(t.store.refreshTokens.revoke(hash("unknown"))).toBeUndefined();
  });

  test("findActive: expired at expires_at exactly", () => {
    const { refresh } = issue(t.store, "x");
    const expiry = t.store.refreshTokens.get(refresh)!.expires_at;
    expect(t.store.refreshTokens.findActive(refresh, expiry - 1)).toBeDefined();
    expect(t.store.refreshTokens.findActive(refresh, expiry)).toBeUndefined();
  });

  test("deleteExpired removes expired rows, rotated or not", () => {
    const { refresh } = issue(t.store, "x");
    t.store.refreshTokens.rotate(refresh, { ...next("r2"), expires_at: LATER * 2 }, LATER, GRACE);
    const expiry = t.store.refreshTokens.get(refresh)!.expires_at;
    expect(t.store.refreshTokens.deleteExpired(expiry - 1)).toBe(0);
    expect(t.store.refreshTokens.deleteExpired(expiry)).toBe(1);
    expect(t.store.refreshTokens.get(hash("r2"))).toBeDefined();
  });
});
