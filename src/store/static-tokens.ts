// Static API tokens for headless clients that cannot run an OAuth flow: a name, the hash of
// the token and the servers it opens. Those declared in the config are checked from the config
// itself (oauth/authorization-server.ts); this table holds the ones created at run time.
import type { Database, Statement } from "bun:sqlite";
import type { Insert, Row, StaticTokenRecord } from "./types.ts";

type StaticTokenRow = Omit<StaticTokenRecord, "servers"> & { servers: string };

const fromRow = (row: StaticTokenRow): StaticTokenRecord => ({ ...row, servers: JSON.parse(row.servers) });

export class StaticTokenRepository {
  private readonly insertStmt: Statement<Row, [string, string, string, string, number]>;
  private readonly findStmt: Statement<StaticTokenRow, [string]>;
  private readonly listStmt: Statement<StaticTokenRow, []>;
  private readonly removeStmt: Statement<Row, [string]>;

  constructor(
    db: Database,
    private readonly now: () => number,
  ) {
    this.insertStmt = db.prepare("INSERT INTO static_tokens (name, token_hash, servers, source, created_at) VALUES (?, ?, ?, ?, ?)");
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
}
