// Grants: one per approval by the owner. Every authorization code, access token and refresh
// token belongs to one grant, so "revoke everything this approval produced" is one call:
// a replayed code (RFC 6749 §4.1.2), a reused rotated refresh token (RFC 9700 §4.14.2),
// a revoked refresh token (RFC 7009 §2.1) all end here.
import type { Database, Statement } from "bun:sqlite";
import { type GrantRecord, type Insert, type Row, withoutNulls } from "./types.ts";

export class GrantRepository {
  private readonly insertStmt: Statement<Row, [string, string, string, string, number]>;
  private readonly getStmt: Statement<Row, [string]>;
  private readonly revokeGrantStmt: Statement<Row, [number, string]>;
  private readonly revokeAccessStmt: Statement<Row, [number, string]>;
  private readonly revokeRefreshStmt: Statement<Row, [number, string]>;
  private readonly dropCodesStmt: Statement<Row, [string]>;
  private readonly activeOfStmt: Statement<Row, [string]>;

  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {
    this.insertStmt = db.prepare("INSERT INTO grants (grant_id, client_id, resource, scope, created_at) VALUES (?, ?, ?, ?, ?)");
    this.getStmt = db.prepare("SELECT * FROM grants WHERE grant_id = ?");
    this.activeOfStmt = db.prepare("SELECT * FROM grants WHERE client_id = ? AND revoked_at IS NULL");
    this.revokeGrantStmt = db.prepare("UPDATE grants SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL");
    this.revokeAccessStmt = db.prepare("UPDATE access_tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL");
    this.revokeRefreshStmt = db.prepare("UPDATE refresh_tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL");
    // Codes of a revoked grant go: one not yet exchanged must not yield tokens for it.
    this.dropCodesStmt = db.prepare("DELETE FROM authorization_codes WHERE grant_id = ?");
  }

  /** A new grant; grant_id defaults to a random UUID. Throws when the client does not exist. */
  create(grant: Omit<Insert<GrantRecord>, "grant_id" | "revoked_at"> & { grant_id?: string }): GrantRecord {
    const record: GrantRecord = {
      grant_id: grant.grant_id ?? crypto.randomUUID(),
      client_id: grant.client_id,
      resource: grant.resource,
      scope: grant.scope,
      created_at: grant.created_at ?? this.now(),
    };
    this.insertStmt.run(record.grant_id, record.client_id, record.resource, record.scope, record.created_at);
    return record;
  }

  /** The client's grants not revoked. */
  activeOf(clientId: string): GrantRecord[] {
    return this.activeOfStmt.all(clientId).map((row) => withoutNulls(row) as unknown as GrantRecord);
  }

  get(grantId: string): GrantRecord | undefined {
    const row = this.getStmt.get(grantId);
    return row ? (withoutNulls(row) as unknown as GrantRecord) : undefined;
  }

  /**
   * Revoke the grant and every access and refresh token of it, in one transaction: no reader
   * can see the grant revoked and one of its tokens still active. Rows stay (until their expiry)
   * so that a later use of a token is recognised and refused. True when the grant was active.
   */
  revokeGrant(grantId: string, now: number = this.now()): boolean {
    return this.db
      .transaction(() => {
        const changed = this.revokeGrantStmt.run(now, grantId).changes > 0;
        this.revokeAccessStmt.run(now, grantId);
        this.revokeRefreshStmt.run(now, grantId);
        this.dropCodesStmt.run(grantId);
        return changed;
      })
      .immediate();
  }
}
