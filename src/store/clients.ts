// OAuth clients: pre-registered (config or `client add`), dynamically registered (RFC 7591)
// and client ID metadata documents. Removing a client cascades to its grants, codes, tokens
// and consent (foreign keys), so a client dropped from the config loses its access at once.
import type { Database, Statement } from "bun:sqlite";
import { type ClientKind, type ClientRecord, type Insert, type Row, withoutNulls } from "./types.ts";

type Params = Record<string, string | number | null>;
/** The kinds a stranger can create rows of, which are therefore bounded and expire unused. */
type SelfRegisteredKind = Exclude<ClientKind, "preregistered">;

const COLUMNS =
  "client_id, kind, name, secret_hash, redirect_uris, grant_types, token_endpoint_auth_method, scope, " +
  "metadata_json, auto_approve, source, created_at, last_used_at, expires_at";
const VALUES =
  "$client_id, $kind, $name, $secret_hash, $redirect_uris, $grant_types, $token_endpoint_auth_method, $scope, " +
  "$metadata_json, $auto_approve, $source, $created_at, $last_used_at, $expires_at";
// An update in place, never a REPLACE (which deletes the row and cascades to its tokens).
// created_at and last_used_at stay as they were: the client is the same one.
const UPDATE_ON_CONFLICT = `ON CONFLICT (client_id) DO UPDATE SET
  kind = excluded.kind, name = excluded.name, secret_hash = excluded.secret_hash,
  redirect_uris = excluded.redirect_uris, grant_types = excluded.grant_types,
  token_endpoint_auth_method = excluded.token_endpoint_auth_method, scope = excluded.scope,
  metadata_json = excluded.metadata_json, auto_approve = excluded.auto_approve,
  source = excluded.source, expires_at = excluded.expires_at`;

export class ClientRepository {
  private readonly insertStmt: Statement<Row, [Params]>;
  private readonly upsertStmt: Statement<Row, [Params]>;
  private readonly getStmt: Statement<Row, [string]>;
  private readonly listAllStmt: Statement<Row, []>;
  private readonly listKindStmt: Statement<Row, [string]>;
  private readonly removeStmt: Statement<Row, [string]>;
  private readonly touchStmt: Statement<Row, [number, string]>;
  private readonly countStmt: Statement<{ n: number }, [string]>;
  private readonly deleteUnusedStmt: Statement<Row, [string, number]>;
  private readonly deleteOldestUnusedStmt: Statement<Row, [string, number]>;
  private readonly configIdsStmt: Statement<{ client_id: string }, []>;

  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {
    this.insertStmt = db.prepare(`INSERT INTO clients (${COLUMNS}) VALUES (${VALUES})`);
    this.upsertStmt = db.prepare(`INSERT INTO clients (${COLUMNS}) VALUES (${VALUES}) ${UPDATE_ON_CONFLICT}`);
    this.getStmt = db.prepare("SELECT * FROM clients WHERE client_id = ?");
    this.listAllStmt = db.prepare("SELECT * FROM clients ORDER BY created_at, client_id");
    this.listKindStmt = db.prepare("SELECT * FROM clients WHERE kind = ? ORDER BY created_at, client_id");
    this.removeStmt = db.prepare("DELETE FROM clients WHERE client_id = ?");
    this.touchStmt = db.prepare("UPDATE clients SET last_used_at = ? WHERE client_id = ?");
    this.countStmt = db.prepare("SELECT count(*) AS n FROM clients WHERE kind = ?");
    this.deleteUnusedStmt = db.prepare("DELETE FROM clients WHERE kind = ? AND last_used_at IS NULL AND created_at < ?");
    // Oldest first; registrations of the same instant in the order they were made (rowid).
    this.deleteOldestUnusedStmt = db.prepare(
      "DELETE FROM clients WHERE client_id IN (SELECT client_id FROM clients WHERE kind = ? AND last_used_at IS NULL " +
        "ORDER BY created_at, rowid LIMIT ?)",
    );
    this.configIdsStmt = db.prepare("SELECT client_id FROM clients WHERE source = 'config'");
  }

  /** Throws when client_id is taken. */
  insert(client: Insert<ClientRecord>): void {
    this.insertStmt.run(this.params(client));
  }

  /** Insert, or update in place keeping created_at and last_used_at (a refetched metadata document). */
  upsert(client: Insert<ClientRecord>): void {
    this.upsertStmt.run(this.params(client));
  }

  get(clientId: string): ClientRecord | undefined {
    const row = this.getStmt.get(clientId);
    return row ? fromRow(row) : undefined;
  }

  list(kind?: ClientKind): ClientRecord[] {
    return (kind === undefined ? this.listAllStmt.all() : this.listKindStmt.all(kind)).map(fromRow);
  }

  /** True when a client was removed (with its grants, tokens and consent). */
  remove(clientId: string): boolean {
    return this.removeStmt.run(clientId).changes > 0;
  }

  touchLastUsed(clientId: string, now: number = this.now()): void {
    this.touchStmt.run(now, clientId);
  }

  countByKind(kind: ClientKind): number {
    return this.countStmt.get(kind)?.n ?? 0;
  }

  /**
   * Clients of a kind anyone can create (dynamic registrations, metadata-document clients) that
   * never obtained a token and were created before `cutoff` are dropped; returns how many.
   */
  deleteUnusedOlderThan(kind: SelfRegisteredKind, cutoff: number): number {
    return this.deleteUnusedStmt.run(kind, cutoff).changes;
  }

  /** The `count` oldest clients of that kind that never obtained a token are dropped; returns how many. */
  deleteOldestUnused(kind: SelfRegisteredKind, count: number): number {
    return this.deleteOldestUnusedStmt.run(kind, count).changes;
  }

  /**
   * Room for one more client of `kind` under `limit`: those never used and created before
   * `unusedCutoff` go first, then the oldest never used. A flood (none of which obtains a token)
   * then only pushes out its own kind instead of refusing every real client; only a table full
   * of clients that obtained tokens says no (false).
   */
  makeRoomForOne(kind: SelfRegisteredKind, limit: number, unusedCutoff: number): boolean {
    const excess = () => this.countByKind(kind) - limit + 1;
    if (excess() <= 0) return true;
    this.deleteUnusedOlderThan(kind, unusedCutoff);
    if (excess() > 0) this.deleteOldestUnused(kind, excess());
    return excess() <= 0;
  }

  /**
   * Make the config-sourced clients exactly `clients`, in one transaction: new ones inserted,
   * known ones updated in place (their grants and tokens stay), those gone from the config
   * removed (their grants and tokens go with them). A config client whose client_id was
   * created at run time takes that record over: the config is the operator's last word.
   */
  replaceConfigClients(clients: readonly Omit<Insert<ClientRecord>, "source">[]): void {
    this.db
      .transaction(() => {
        const wanted = new Set(clients.map((c) => c.client_id));
        for (const { client_id } of this.configIdsStmt.all()) if (!wanted.has(client_id)) this.removeStmt.run(client_id);
        for (const client of clients) this.upsertStmt.run(this.params({ ...client, source: "config" }));
      })
      .immediate();
  }

  private params(client: Insert<ClientRecord>): Params {
    return {
      client_id: client.client_id,
      kind: client.kind,
      name: client.name,
      secret_hash: client.secret_hash ?? null,
      redirect_uris: JSON.stringify(client.redirect_uris),
      grant_types: JSON.stringify(client.grant_types),
      token_endpoint_auth_method: client.token_endpoint_auth_method,
      scope: client.scope ?? null,
      metadata_json: client.metadata_json ?? null,
      auto_approve: client.auto_approve ? 1 : 0,
      source: client.source,
      created_at: client.created_at ?? this.now(),
      last_used_at: client.last_used_at ?? null,
      expires_at: client.expires_at ?? null,
    };
  }
}

function fromRow(row: Row): ClientRecord {
  const record = withoutNulls(row);
  return {
    ...record,
    redirect_uris: JSON.parse(String(row.redirect_uris)),
    grant_types: JSON.parse(String(row.grant_types)),
    auto_approve: row.auto_approve === 1,
  } as unknown as ClientRecord;
}
