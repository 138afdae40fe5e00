// Migration 3 from a version 2 database: refresh_tokens gains successor_salt (kept for the
// grace window only, so a retried rotation can hand out the same successor again); the rows
// already there are kept, and a token rotated before the upgrade is refused on a retry within
// the window (there is no salt to derive its successor from) without revoking anything.
import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../../src/store/index.ts";
import { MIGRATIONS, migrate } from "../../src/store/migrations.ts";
import { tempDir } from "./fixtures.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

test("a version 2 database gains refresh_tokens.successor_salt and keeps its tokens", () => {
  const dir = tempDir();
  dirs.push(dir);
  const v2 = new Database(join(dir, "state.db"));
  migrate(v2, "v2", 1, MIGRATIONS.slice(0, 2));
  v2.run(`INSERT INTO clients (client_id, kind, name, redirect_uris, grant_types, token_endpoint_auth_method,
    auto_approve, source, created_at) VALUES ('c1', 'dynamic', 'c', '[]', '[]', 'none', 0, 'state', 1)`);
  v2.run("INSERT INTO grants (grant_id, client_id, resource, scope, created_at) VALUES ('g1', 'c1', 'r', 's', 1)");
  // One token rotated at 1000 (into h2), as a version 2 build wrote it; h2 is the live one.
  v2.run(`INSERT INTO refresh_tokens (token_hash, grant_id, family_id, client_id, resource, scope, created_at, expires_at,
    rotated_at, replaced_by) VALUES ('h1', 'g1', 'g1', 'c1', 'r', 's', 1, 999999, 1000, 'h2')`);
  v2.run(`INSERT INTO refresh_tokens (token_hash, grant_id, family_id, client_id, resource, scope, created_at, expires_at)
    VALUES ('h2', 'g1', 'g1', 'c1', 'r', 's', 1000, 999999)`);
  v2.close();

  const store = openStore(dir);
  try {
    const db = new Database(join(dir, "state.db"));
    const columns = db
      .query<{ name: string }, []>("PRAGMA table_info(refresh_tokens)")
      .all()
      .map((c) => c.name);
    expect(columns).toContain("successor_salt");
    expect(db.query("SELECT max(version) AS v FROM schema_version").get()).toEqual({ v: MIGRATIONS.length });
    expect(db.query("SELECT token_hash, successor_salt FROM refresh_tokens ORDER BY token_hash").all()).toEqual([
      { token_hash: "h1", successor_salt: null },
      { token_hash: "h2", successor_salt: null },
    ]);
    db.close();

    const next = { token_hash: "h3", successor_salt: "salt", client_id: "c1", expires_at: 999999 };
    // A retry of h1 within the window: refused, nothing revoked, h2 still live.
    expect(store.refreshTokens.rotate("h1", next, 1001, 30_000)).toEqual({ status: "invalid" });
    expect(store.grants.get("g1")?.revoked_at).toBeUndefined();
    // h2 rotates as ever, now with a salt; its retry gets h3 again.
    expect(store.refreshTokens.rotate("h2", next, 1002, 30_000).status).toBe("rotated");
    const again = store.refreshTokens.rotate("h2", { ...next, token_hash: "h4", successor_salt: "other" }, 1003, 30_000);
    expect(again).toMatchObject({ status: "rotated_in_grace", salt: "salt", issued: { token_hash: "h3" } });
  } finally {
    store.close();
  }
});
