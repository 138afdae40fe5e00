// The schema, as forward-only steps. Step i (0-based) takes the database to version i + 1.
// Never edit a released step: append a new one. A database stamped with a version above
// MIGRATIONS.length was written by a newer build and is refused (its meaning is unknown here).
import type { Database } from "bun:sqlite";

export const MIGRATIONS: readonly string[] = [
  // 1: clients, grants and everything hanging from a grant, consent, settings, static tokens.
  // Tokens and codes reference their grant with ON DELETE CASCADE: removing a client removes
  // its grants, and with them every code and token, in the same statement.
  // Never write `INSERT OR REPLACE` on these tables: REPLACE deletes the row first, which cascades.
  `
  CREATE TABLE clients (
    client_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('preregistered', 'dynamic', 'metadata_document')),
    name TEXT NOT NULL,
    secret_hash TEXT,
    redirect_uris TEXT NOT NULL,
    grant_types TEXT NOT NULL,
    token_endpoint_auth_method TEXT NOT NULL,
    scope TEXT,
    metadata_json TEXT,
    auto_approve INTEGER NOT NULL CHECK (auto_approve IN (0, 1)),
    source TEXT NOT NULL CHECK (source IN ('config', 'state')),
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    expires_at INTEGER
  ) STRICT;
  CREATE INDEX clients_by_kind ON clients (kind, created_at);

  CREATE TABLE grants (
    grant_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    resource TEXT NOT NULL,
    scope TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  ) STRICT;
  CREATE INDEX grants_by_client ON grants (client_id);

  CREATE TABLE authorization_codes (
    code_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL REFERENCES grants (grant_id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    code_challenge_method TEXT NOT NULL,
    resource TEXT NOT NULL,
    scope TEXT NOT NULL,
    owner_session TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    use_count INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  CREATE INDEX codes_by_grant ON authorization_codes (grant_id);
  CREATE INDEX codes_by_expiry ON authorization_codes (expires_at);

  CREATE TABLE access_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL REFERENCES grants (grant_id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    resource TEXT NOT NULL,
    scope TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
  ) STRICT;
  CREATE INDEX access_by_grant ON access_tokens (grant_id);
  CREATE INDEX access_by_expiry ON access_tokens (expires_at);

  CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL REFERENCES grants (grant_id) ON DELETE CASCADE,
    family_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    resource TEXT NOT NULL,
    scope TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    rotated_at INTEGER,
    replaced_by TEXT,
    revoked_at INTEGER
  ) STRICT;
  CREATE INDEX refresh_by_grant ON refresh_tokens (grant_id);
  CREATE INDEX refresh_by_expiry ON refresh_tokens (expires_at);

  CREATE TABLE consents (
    client_id TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    resource TEXT NOT NULL,
    scope TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, resource)
  ) STRICT;

  CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE static_tokens (
    name TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    servers TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('config', 'state')),
    created_at INTEGER NOT NULL
  ) STRICT;
  `,
  // 2: authorization_codes.owner_session, which nothing ever wrote or read. DROP COLUMN needs
  // SQLite 3.35 or later; the column has no index or constraint that would stop it.
  "ALTER TABLE authorization_codes DROP COLUMN owner_session;",
  // 3: refresh_tokens.successor_salt: the random salt from which a rotation derived its successor
  // pair, kept only for the grace window, so that a retry within it gets the same pair again
  // (RFC 9700 §4.14.2) while the store holds no token in the clear. The partial index keeps the
  // sweep of salts past their window cheap: only a handful of rows ever carry one.
  `
  ALTER TABLE refresh_tokens ADD COLUMN successor_salt TEXT;
  CREATE INDEX refresh_salted ON refresh_tokens (rotated_at) WHERE successor_salt IS NOT NULL;
  `,
  // 4: used_assertions: the client assertions (private_key_jwt) already used, by client and jti,
  // until each expires (RFC 7523 §3 (7)), so that a restart does not forget them.
  `
  CREATE TABLE used_assertions (
    key TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX used_assertions_expiry ON used_assertions (expires_at);
  `,
];

export class StoreVersionError extends Error {}

/** The schema version recorded in the database; 0 for a database that has none yet. */
function schemaVersion(db: Database): number {
  const table = db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (!table) return 0;
  const row = db.query<{ version: number | null }, []>("SELECT max(version) AS version FROM schema_version").get();
  return row?.version ?? 0;
}

/**
 * Bring the database to the newest schema: every missing step in one transaction, so a crash
 * mid-way leaves the old version intact. IMMEDIATE takes the write lock before reading the
 * version, so two processes opening one fresh file cannot both apply step 1.
 */
export function migrate(db: Database, path: string, now: number, steps: readonly string[] = MIGRATIONS): number {
  return db
    .transaction(() => {
      db.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT");
      const current = schemaVersion(db);
      if (current > steps.length) {
        throw new StoreVersionError(
          `${path} has schema version ${current}, newer than this build of mcp-appliance understands (${steps.length}): ` +
            "it was written by a newer version; run that version, or move the state file aside to start afresh",
        );
      }
      for (let version = current + 1; version <= steps.length; version++) {
        db.run(steps[version - 1]!);
        db.run("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", [version, now]);
      }
      return steps.length;
    })
    .immediate();
}
