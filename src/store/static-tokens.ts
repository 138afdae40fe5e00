// Static API tokens for headless clients that cannot run an OAuth flow: a name, the hash of
// the token and the servers it opens. Declared in the config (synced at start) or created at run time.
import type { Database, Statement } from "bun:sqlite";
import type { Insert, Row, StaticTokenRecord } from "./types.ts";

type StaticTokenRow = Omit<StaticTokenRecord, "servers"> & { servers: string };

const fromRow = (row: StaticTokenRow): StaticTokenRecord => ({ ...row, servers: JSON.parse(row.servers) });

export class StaticTokenRepository {
  private readonly insertStmt: Statement<Row, [string, string, string, string, number]>;
  private readonly upsertStmt: Statement<Row, [string, string, string, string, number]>;
  private readonly findStmt: Statement<StaticTokenRow, [string]>;
  private readonly listStmt: Statement<StaticTokenRow, []>;
  private readonly removeStmt: Statement<Row, [string]>;

  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {
    const insert = "INSERT INTO static_tokens (name, token_hash, servers, source, created_at) VALUES (?, ?, ?, ?, ?)";
    this.insertStmt = db.prepare(insert);
    // Updated in place: created_at stays when only the servers or the hash change.
    this.upsertStmt = db.prepare(
      `${insert} ON CONFLICT (name) DO UPDATE SET token_hash = excluded.token_hash,
       servers = excluded.servers, source = excluded.source`,
    );
    this.findStmt = db.prepare("SELECT * FROM static_tokens WHERE token_hash = ?");
    this.listStmt = db.prepare("SELECT * FROM static_tokens ORDER BY name");
    this.removeStmt = db.prepare("DELETE FROM static_tokens WHERE name = ?");
  }

  /** Throws when the name or the hash is taken. */
  insert(token: Insert<StaticTokenRecord>): void {
    const { name, token_hash, servers, source } = token;
    this.insertStmt.run(name, token_hash, JSON.stringify(servers), source, token.created_at ?? this.now());
  }

  findByHash(tokenHash: string): StaticTokenRecord | undefined {
    const row = this.findStmt.get(tokenHash);
    return row ? fromRow(row) : undefined;
  }

  list(): StaticTokenRecord[] {
    return this.listStmt.all().map(fromRow);
  }

  remove(name: string): boolean {
    return this.removeStmt.run(name).changes > 0;
  }

  /**
   * Make the config-sourced tokens exactly `tokens`, in one transaction (no moment where a
   * configured token is missing). A config token named like a run-time one takes it over.
   */
  replaceConfigTokens(tokens: readonly Omit<Insert<StaticTokenRecord>, "source">[]): void {
    this.db
      .transaction(() => {
        const keep = new Set(tokens.map((t) => t.name));
        for (const row of this.listStmt.all()) {
          if (row.source === "config" && !keep.has(row.name)) this.removeStmt.run(row.name);
        }
        for (const t of tokens) {
          this.upsertStmt.run(t.name, t.token_hash, JSON.stringify(t.servers), "config", t.created_at ?? this.now());
        }
      })
      .immediate();
  }
}
