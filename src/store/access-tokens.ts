// Access tokens: opaque to clients, looked up by hash on every MCP request (the guard).
import type { Database, Statement } from "bun:sqlite";
import { type AccessTokenRecord, type Insert, type Row, withoutNulls } from "./types.ts";

export class AccessTokenRepository {
  private readonly insertStmt: Statement<Row, [string, string, string, string, string, number, number]>;
  private readonly findActiveStmt: Statement<Row, [string, number]>;
  private readonly getStmt: Statement<Row, [string]>;
  private readonly revokeStmt: Statement<Row, [number, string]>;
  private readonly deleteExpiredStmt: Statement<Row, [number]>;

  constructor(
    db: Database,
    private readonly now: () => number,
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO access_tokens (token_hash, grant_id, client_id, resource, scope, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    // The grant is checked too: revoking a grant must stop its access tokens at once, even if
    // an UPDATE of the token rows were ever missed.
    this.findActiveStmt = db.prepare(
      `SELECT a.* FROM access_tokens a JOIN grants g ON g.grant_id = a.grant_id
       WHERE a.token_hash = ? AND a.expires_at > ? AND a.revoked_at IS NULL AND g.revoked_at IS NULL`,
    );
    this.getStmt = db.prepare("SELECT * FROM access_tokens WHERE token_hash = ?");
    this.revokeStmt = db.prepare("UPDATE access_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL");
    this.deleteExpiredStmt = db.prepare("DELETE FROM access_tokens WHERE expires_at <= ?");
  }

  /** Throws when the grant does not exist. */
  insert(token: Omit<Insert<AccessTokenRecord>, "revoked_at">): void {
    const { token_hash, grant_id, client_id, resource, scope, expires_at } = token;
    this.insertStmt.run(token_hash, grant_id, client_id, resource, scope, token.created_at ?? this.now(), expires_at);
  }

  /** The token when it is unexpired, unrevoked and of an unrevoked grant; otherwise undefined. */
  findActive(tokenHash: string, now: number = this.now()): AccessTokenRecord | undefined {
    const row = this.findActiveStmt.get(tokenHash, now);
    return row ? (withoutNulls(row) as unknown as AccessTokenRecord) : undefined;
  }

  /** Whatever its state: the revocation endpoint checks the owner client first (RFC 7009 §2.1). */
  get(tokenHash: string): AccessTokenRecord | undefined {
    const row = this.getStmt.get(tokenHash);
    return row ? (withoutNulls(row) as unknown as AccessTokenRecord) : undefined;
  }

  /**
   * Revoke this access token only. RFC 7009 §2.1 lets the server also revoke the refresh
   * token when an access token is revoked ("MAY"); it does not, so a client that drops one
   * access token keeps its session. True when an active row changed.
   */
  revoke(tokenHash: string, now: number = this.now()): boolean {
    return this.revokeStmt.run(now, tokenHash).changes > 0;
  }

  deleteExpired(now: number = this.now()): number {
    return this.deleteExpiredStmt.run(now).changes;
  }
}
