// Refresh tokens, rotated on every use (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2). A rotated token
// is kept (marked, until its own expiry) so that its reuse is recognised. Within the grace window
// the rotation is idempotent: the same successor is handed out again (the caller re-derives its
// value from the salt kept for that window and the presented token). Any other reuse — after the
// window, or once the successor has itself been rotated — means two parties hold the token, and
// the whole grant (the family) is revoked.
import type { Database, Statement } from "bun:sqlite";
import type { GrantRepository } from "./grants.ts";
import { type Insert, type RefreshTokenRecord, type Row, withoutNulls } from "./types.ts";

/** The token that replaces the presented one; grant, family and resource are inherited from it. */
interface RefreshReplacement {
  token_hash: string;
  /** The authenticated client. A token presented by another client is "invalid" (RFC 6749 §6). */
  client_id: string;
  /** What the caller derived `token_hash` from; kept on the presented token for the grace window only. */
  successor_salt: string;
  expires_at: number;
  /** Defaults to the presented token's scope; a narrower one may be asked for (RFC 6749 §6). */
  scope?: string;
  created_at?: number;
}

type RotateResult =
  | { status: "rotated"; previous: RefreshTokenRecord; issued: RefreshTokenRecord }
  /**
   * A retry (or a concurrent refresh) with the token just rotated: nothing changed; `issued` is
   * the successor of the first rotation and `salt` what its value was derived from.
   */
  | { status: "rotated_in_grace"; previous: RefreshTokenRecord; issued: RefreshTokenRecord; salt: string }
  /** The grant (every access and refresh token of it) has been revoked. */
  | { status: "reuse_detected"; grant_id: string }
  /** Unknown, expired, revoked, of a revoked grant, or of another client. Nothing changed. */
  | { status: "invalid" };

type Params = Record<string, string | number | null>;

export class RefreshTokenRepository {
  private readonly insertStmt: Statement<Row, [Params]>;
  private readonly getStmt: Statement<Row & { grant_revoked_at: number | null; successor_salt: string | null }, [string]>;
  private readonly markRotatedStmt: Statement<Row, [number, string, string, string]>;
  private readonly forgetSaltsStmt: Statement<Row, [number]>;
  private readonly deleteExpiredStmt: Statement<Row, [number]>;

  constructor(
    private readonly db: Database,
    private readonly grants: GrantRepository,
    private readonly now: () => number,
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO refresh_tokens (token_hash, grant_id, family_id, client_id, resource, scope, created_at, expires_at)
       VALUES ($token_hash, $grant_id, $family_id, $client_id, $resource, $scope, $created_at, $expires_at)`,
    );
    this.getStmt = db.prepare(
      `SELECT r.*, g.revoked_at AS grant_revoked_at FROM refresh_tokens r JOIN grants g ON g.grant_id = r.grant_id
       WHERE r.token_hash = ?`,
    );
    this.markRotatedStmt = db.prepare(
      "UPDATE refresh_tokens SET rotated_at = ?, replaced_by = ?, successor_salt = ? WHERE token_hash = ? AND rotated_at IS NULL",
    );
    // Past the window a salt serves no one, and with the database and an old token it would
    // give the successor's value: it goes at the next rotation of any token.
    this.forgetSaltsStmt = db.prepare(
      "UPDATE refresh_tokens SET successor_salt = NULL WHERE successor_salt IS NOT NULL AND rotated_at <= ?",
    );
    this.deleteExpiredStmt = db.prepare("DELETE FROM refresh_tokens WHERE expires_at <= ?");
  }

  /** Throws when the grant does not exist. */
  insert(token: Omit<Insert<RefreshTokenRecord>, "rotated_at" | "replaced_by" | "revoked_at">): RefreshTokenRecord {
    const record: RefreshTokenRecord = {
      token_hash: token.token_hash,
      grant_id: token.grant_id,
      family_id: token.family_id,
      client_id: token.client_id,
      resource: token.resource,
      scope: token.scope,
      created_at: token.created_at ?? this.now(),
      expires_at: token.expires_at,
    };
    const { token_hash, grant_id, family_id, client_id, resource, scope, created_at, expires_at } = record;
    this.insertStmt.run({ token_hash, grant_id, family_id, client_id, resource, scope, created_at, expires_at });
    return record;
  }

  /** Whatever its state (the revocation endpoint checks the owner client first, RFC 7009 §2.1). */
  get(tokenHash: string): RefreshTokenRecord | undefined {
    return this.read(tokenHash)?.token;
  }

  /** Usable for a refresh right now: unexpired, unrevoked, not yet rotated, grant unrevoked. */
  findActive(tokenHash: string, now: number = this.now()): RefreshTokenRecord | undefined {
    const found = this.read(tokenHash);
    if (!found || found.grantRevoked || found.token.rotated_at !== undefined) return undefined;
    if (found.token.revoked_at !== undefined || found.token.expires_at <= now) return undefined;
    return found.token;
  }

  /** Salts of rotations older than the grace window go (periodically, when nothing rotates). */
  forgetSaltsRotatedBefore(cutoff: number): void {
    this.forgetSaltsStmt.run(cutoff);
  }

  /**
   * Exchange `oldHash` for `next`, atomically (BEGIN IMMEDIATE: concurrent rotations of one
   * token, from any process, are serialised, and each sees the one before it).
   */
  rotate(oldHash: string, next: RefreshReplacement, now: number, graceMs: number): RotateResult {
    return this.db
      .transaction((): RotateResult => {
        this.forgetSaltsStmt.run(now - graceMs);
        const found = this.read(oldHash);
        if (!found) return { status: "invalid" };
        const previous = found.token;
        const dead = found.grantRevoked || previous.revoked_at !== undefined || previous.expires_at <= now;
        if (dead || previous.client_id !== next.client_id) return { status: "invalid" };
        if (previous.rotated_at === undefined) {
          this.markRotatedStmt.run(now, next.token_hash, next.successor_salt, oldHash);
          const issued = this.insertSuccessor(previous, next, now);
          return { status: "rotated", previous: { ...previous, rotated_at: now, replaced_by: next.token_hash }, issued };
        }
        const successor = previous.replaced_by === undefined ? undefined : this.read(previous.replaced_by)?.token;
        if (now - previous.rotated_at < graceMs && successor?.rotated_at === undefined) {
          // A row rotated before schema version 3 has no salt: its successor cannot be given
          // again. Refused without revoking: whoever made the first rotation holds it.
          if (!successor || found.salt === undefined || successor.expires_at <= now) return { status: "invalid" };
          return { status: "rotated_in_grace", previous, issued: successor, salt: found.salt };
        }
        // RFC 9700 §4.14.2: a rotated token presented again after the window, or after its
        // successor moved on, means two parties hold it; revoke the family.
        this.grants.revokeGrant(previous.grant_id, now);
        return { status: "reuse_detected", grant_id: previous.grant_id };
      })
      .immediate();
  }

  /**
   * Revoking a refresh token revokes its grant: RFC 7009 §2.1 says the server SHOULD then also
   * invalidate the access tokens of the same authorization grant. Returns the grant's id, or
   * undefined for an unknown token (RFC 7009 §2.2: not an error for the caller).
   */
  revoke(tokenHash: string, now: number = this.now()): string | undefined {
    const grantId = this.read(tokenHash)?.token.grant_id;
    if (grantId !== undefined) this.grants.revokeGrant(grantId, now);
    return grantId;
  }

  deleteExpired(now: number = this.now()): number {
    return this.deleteExpiredStmt.run(now).changes;
  }

  private read(tokenHash: string): { token: RefreshTokenRecord; grantRevoked: boolean; salt?: string } | undefined {
    const row = this.getStmt.get(tokenHash);
    if (!row) return undefined;
    // The salt stays in here: no record handed out carries what a token can be derived from.
    const { grant_revoked_at, successor_salt, ...rest } = row;
    return {
      token: withoutNulls(rest) as unknown as RefreshTokenRecord,
      grantRevoked: grant_revoked_at !== null,
      ...(successor_salt !== null ? { salt: successor_salt } : {}),
    };
  }

  private insertSuccessor(previous: RefreshTokenRecord, next: RefreshReplacement, now: number): RefreshTokenRecord {
    return this.insert({
      token_hash: next.token_hash,
      grant_id: previous.grant_id,
      family_id: previous.family_id,
      client_id: previous.client_id,
      resource: previous.resource,
      scope: next.scope ?? previous.scope,
      created_at: next.created_at ?? now,
      expires_at: next.expires_at,
    });
  }
}
