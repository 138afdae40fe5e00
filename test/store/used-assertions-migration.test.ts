// Migration 4 from a version 3 database: used_assertions appears, empty, and what was there stays.
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

test("a version 3 database gains used_assertions and keeps its clients", () => {
  const dir = tempDir();
  dirs.push(dir);
  const v3 = new Database(join(dir, "state.db"));
  migrate(v3, "v3", 1, MIGRATIONS.slice(0, 3));
  v3.run(`INSERT INTO clients (client_id, kind, name, redirect_uris, grant_types, token_endpoint_auth_method,
    auto_approve, source, created_at) VALUES ('c1', 'dynamic', 'c', '[]', '[]', 'none', 0, 'state', 1)`);
  v3.close();

  const store = openStore(dir);
  try {
    expect(store.clients.get("c1")?.name).toBe("c");
    expect(store.usedAssertions.useOnce("c1\nj1", 2_000, 1_000, 10)).toBe("first");
    expect(store.usedAssertions.useOnce("c1\nj1", 2_000, 1_500, 10)).toBe("again");
    // Expired: the key may be used again (its assertion can no longer be valid anyway).
    expect(store.usedAssertions.useOnce("c1\nj1", 4_000, 2_000, 10)).toBe("first");
    expect(store.usedAssertions.deleteExpired(4_000)).toBe(1);
  } finally {
    store.close();
  }
});
