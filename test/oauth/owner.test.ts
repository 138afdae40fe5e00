// The owner in-process: password checks bounded in all (issue 13), and owner sessions that a
// sign-out or a new password hash (as `mcp-appliance passwd` writes it from another process) end.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OWNER_PASSWORD_SETTING, Owner } from "../../src/oauth/owner.ts";
import { SignedValues } from "../../src/oauth/signed-value.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { OWNER_PASSWORD, ownerPasswordHash } from "../helpers/oauth.ts";

const signer = new SignedValues("k".repeat(32));
const opened: Store[] = [];

function store(stateDir = mkdtempSync(join(tmpdir(), "mcp-appliance-owner-"))): { store: Store; stateDir: string } {
  const s = openStore(stateDir);
  opened.push(s);
  return { store: s, stateDir };
}

afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

describe("Owner", () => {
  test("300 guesses at once from 300 addresses: four passwords are checked, the rest refused unchecked", async () => {
    const owner = new Owner(store().store, signer, await ownerPasswordHash());
    // All started in one turn of the event loop, before any check ends.
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => owner.login("a wrong guess", `198.51.${i >> 8}.${i & 255}`, 0)),
    );
    const kinds = results.map((r) => (r.ok ? "ok" : r.error.kind));
    expect(kinds.filter((k) => k === "wrong")).toHaveLength(4);
    expect(kinds.filter((k) => k === "throttled")).toHaveLength(296);
    // The places are free again once the checks are over.
    expect((await owner.login(OWNER_PASSWORD, "198.51.200.1", 0)).ok).toBe(true);
  });

  test("a sign-out ends every owner session; a new sign-in works", async () => {
    const owner = new Owner(store().store, signer, await ownerPasswordHash());
    const first = await owner.login(OWNER_PASSWORD, "198.51.100.1", 0);
    const second = await owner.login(OWNER_PASSWORD, "198.51.100.2", 0);
    if (!first.ok || !second.ok) throw new Error("sign-in failed");
    const cookies = [owner.cookieValue(first.value, 0), owner.cookieValue(second.value, 0)];
    expect(cookies.map((c) => owner.sessionFrom(c, 1) !== undefined)).toEqual([true, true]);
    owner.signOut();
    expect(cookies.map((c) => owner.sessionFrom(c, 1))).toEqual([undefined, undefined]);
    const again = await owner.login(OWNER_PASSWORD, "198.51.100.1", 0);
    if (!again.ok) throw new Error("sign-in failed");
    expect(owner.sessionFrom(owner.cookieValue(again.value, 0), 1)).toEqual(again.value);
  });

  test("a new password hash written by another process ends the sessions signed in with the old one", async () => {
    const { store: appliance, stateDir } = store();
    appliance.settings.set(OWNER_PASSWORD_SETTING, await ownerPasswordHash());
    const owner = new Owner(appliance, signer, undefined);
    const session = await owner.login(OWNER_PASSWORD, "198.51.100.1", 0);
    if (!session.ok) throw new Error("sign-in failed");
    const cookie = owner.cookieValue(session.value, 0);
    expect(owner.sessionFrom(cookie, 1)).toBeDefined();
    // The same password hashed again (a new salt) is a new password as far as sessions go.
    const passwd = store(stateDir).store;
    passwd.settings.set(
      OWNER_PASSWORD_SETTING,
      await Bun.password.hash(OWNER_PASSWORD, { algorithm: "argon2id", memoryCost: 4096, timeCost: 2 }),
    );
    expect(owner.sessionFrom(cookie, 1)).toBeUndefined();
  });

  test("a cookie signed before sessions carried a generation is refused", () => {
    const owner = new Owner(store().store, signer, "$argon2id$unused");
    expect(owner.sessionFrom(signer.sign("owner", { sid: "old" }, 10), 1)).toBeUndefined();
  });
});
