// Opening the state file: modes, connection settings, migrations, a newer schema refused.

import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openConnection } from "../../src/store/connection.ts";
import { openStore, StoreVersionError } from "../../src/store/index.ts";
import { MIGRATIONS, migrate } from "../../src/store/migrations.ts";
import { tempDir } from "./fixtures.ts";

const dirs: string[] = [];
const scratch = () => {
  const dir = tempDir();
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const mode = (path: string) => statSync(path).mode & 0o777;

/** The newest schema version this build knows. */
const SCHEMA_VERSION = MIGRATIONS.length;
const schemaVersion = (db: Database) =>
  db.query<{ version: number }, []>("SELECT max(version) AS version FROM schema_version").get()?.version;

describe("the state directory and file", () => {
  test("a missing directory is created 0700 (parents too) and the file 0600, even under umask 000", () => {
    const dir = join(scratch(), "deep", "state");
    const old = process.umask(0o000);
    try {
      const store = openStore(dir);
      store.settings.set("x", "y"); // a write, so the -wal file exists
      expect(mode(dir)).toBe(0o700);
      expect(mode(join(dir, ".."))).toBe(0o700);
      expect(mode(join(dir, "state.db"))).toBe(0o600);
      expect(mode(join(dir, "state.db-wal"))).toBe(0o600);
      expect(mode(join(dir, "state.db-shm"))).toBe(0o600);
      store.close();
    } finally {
      process.umask(old);
    }
  });

  test("an existing directory keeps its mode; an existing world-readable file is tightened to 0600", () => {
    const dir = scratch();
    chmodSync(dir, 0o750);
    writeFileSync(join(dir, "state.db"), "");
    chmodSync(join(dir, "state.db"), 0o644);
    openStore(dir).close();
    expect(mode(dir)).toBe(0o750);
    expect(mode(join(dir, "state.db"))).toBe(0o600);
  });

  test("connection settings: WAL, synchronous NORMAL, foreign keys, busy timeout", () => {
    const db = openConnection(join(scratch(), "state.db"));
    expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    expect(db.query("PRAGMA synchronous").get()).toEqual({ synchronous: 1 }); // 1 = NORMAL
    expect(db.query("PRAGMA foreign_keys").get()).toEqual({ foreign_keys: 1 });
    expect(db.query("PRAGMA busy_timeout").get()).toEqual({ timeout: 5000 });
    db.close();
  });

  test("data survives close and reopen", () => {
    const dir = scratch();
    const first = openStore(dir);
    first.settings.set("owner_password_hash", "$argon2id$...");
    first.close();
    const second = openStore(dir);
    expect(second.settings.get("owner_password_hash")).toBe("$argon2id$...");
    second.close();
  });
});

describe("migrations", () => {
  test("an empty database file gets every step and the newest version", () => {
    const dir = scratch();
    writeFileSync(join(dir, "state.db"), ""); // zero bytes: a valid empty SQLite database
    openStore(dir).close();
    const db = new Database(join(dir, "state.db"));
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    const tables = db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    expect(tables.map((t) => t.name)).toEqual([
      "access_tokens",
      "authorization_codes",
      "clients",
      "consents",
      "grants",
      "refresh_tokens",
      "schema_version",
      "settings",
      "static_tokens",
      "used_assertions",
    ]);
    db.close();
  });

  test("reopening applies nothing twice", () => {
    const dir = scratch();
    openStore(dir).close();
    openStore(dir).close();
    const db = new Database(join(dir, "state.db"));
    const rows = db.query<{ n: number }, []>("SELECT count(*) AS n FROM schema_version").get();
    expect(rows?.n).toBe(SCHEMA_VERSION);
    db.close();
  });

  test("an older database gets only the missing steps, all in one transaction", () => {
    const db = new Database(":memory:");
    const steps = ["CREATE TABLE a (x)", "CREATE TABLE b (x)", "CREATE TABLE c (x)"];
    expect(migrate(db, "mem", 1, steps.slice(0, 1))).toBe(1);
    expect(migrate(db, "mem", 2, steps)).toBe(3);
    expect(db.query("SELECT version, applied_at FROM schema_version ORDER BY version").all()).toEqual([
      { version: 1, applied_at: 1 },
      { version: 2, applied_at: 2 },
      { version: 3, applied_at: 2 },
    ]);
    // A failing step rolls back the ones before it in the same run: the version stays put.
    expect(() => migrate(db, "mem", 3, [...steps, "CREATE TABLE d (x)", "this is not SQL"])).toThrow();
    expect(schemaVersion(db)).toBe(3);
    expect(db.query("SELECT name FROM sqlite_master WHERE name = 'd'").get()).toBeNull();
    db.close();
  });

  test("a version 1 database loses authorization_codes.owner_session and keeps its codes", () => {
    const dir = scratch();
    const v1 = new Database(join(dir, "state.db"));
    migrate(v1, "v1", 1, MIGRATIONS.slice(0, 1));
    v1.run(`INSERT INTO clients (client_id, kind, name, redirect_uris, grant_types, token_endpoint_auth_method,
      auto_approve, source, created_at) VALUES ('c1', 'dynamic', 'c', '[]', '[]', 'none', 0, 'state', 1)`);
    v1.run("INSERT INTO grants (grant_id, client_id, resource, scope, created_at) VALUES ('g1', 'c1', 'r', 's', 1)");
    v1.run(`INSERT INTO authorization_codes (code_hash, grant_id, client_id, redirect_uri, code_challenge,
      code_challenge_method, resource, scope, owner_session, created_at, expires_at)
      VALUES ('h1', 'g1', 'c1', 'https://app.example/cb', 'x', 'S256', 'r', 's', 'sess-1', 1, 2)`);
    v1.close();
    openStore(dir).close();
    const db = new Database(join(dir, "state.db"));
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    const columns = db
      .query<{ name: string }, []>("PRAGMA table_info(authorization_codes)")
      .all()
      .map((c) => c.name);
    expect(columns).not.toContain("owner_session");
    expect(columns).toContain("code_challenge");
    expect(db.query("SELECT code_hash, grant_id, scope FROM authorization_codes").all()).toEqual([
      { code_hash: "h1", grant_id: "g1", scope: "s" },
    ]);
    db.close();
  });

  test("a database from a newer build is refused with a clear error, and left untouched", () => {
    const dir = scratch();
    openStore(dir).close();
    const db = new Database(join(dir, "state.db"));
    db.run("INSERT INTO schema_version (version, applied_at) VALUES (?, 0)", [SCHEMA_VERSION + 1]);
    db.close();
    let error: unknown;
    try {
      openStore(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreVersionError);
    expect(String(error)).toContain(`schema version ${SCHEMA_VERSION + 1}`);
    expect(String(error)).toContain("newer");
    const after = new Database(join(dir, "state.db"));
    expect(schemaVersion(after)).toBe(SCHEMA_VERSION + 1);
    after.close();
  });

  test("a directory that cannot be created is an error naming it", () => {
    const parent = scratch();
    writeFileSync(join(parent, "file"), "");
    expect(() => openStore(join(parent, "file", "state"))).toThrow(/file/);
  });
});

describe("state files made by root for the service user", () => {
  test("a new database in a directory owned by another user is given to that user", () => {
    if (process.getuid?.() !== 0) throw new Error("this test needs root (CI and the developers' machines run as root)");
    const dir = mkdtempSync(join(tmpdir(), "state-owner-"));
    chownSync(dir, 65534, 65534); // nobody:nogroup stands for the service user
    const store = openStore(dir);
    try {
      store.settings.set("k", "v");
      for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).uid).toBe(65534);
    } finally {
      store.close();
    }
  });
});
