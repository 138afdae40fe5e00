// Authorization codes (RFC 6749 §4.1.2): short-lived, single use. Only the hash is stored.
import type { Database, Statement } from "bun:sqlite";
import { type AuthorizationCodeRecord, type Insert, type Row, withoutNulls } from "./types.ts";

interface ConsumedCode {
  code: AuthorizationCodeRecord;
  /** The code had been consumed before: a replay. RFC 6749 §4.1.2: deny, and revoke what it issued. */
  replay: boolean;
  /** expires_at is not after `now`. Reported, not judged: the caller refuses it. */
  expired: boolean;
}

type Params = Record<string, string | number | null>;

export class AuthorizationCodeRepository {
  private readonly insertStmt: Statement<Row, [Params]>;
  private readonly consumeStmt: Statement<Row & { use_count: number }, [number, string]>;
  private readonly getStmt: Statement<Row, [string]>;

  constructor(
    db: Database,
    private readonly now: () => number,
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO authorization_codes (code_hash, grant_id, client_id, redirect_uri, code_challenge,
         code_challenge_method, resource, scope, created_at, expires_at)
       VALUES ($code_hash, $grant_id, $client_id, $redirect_uri, $code_challenge,
         $code_challenge_method, $resource, $scope, $created_at, $expires_at)`,
    );
    // Single use by construction: one UPDATE counts the use and returns the row in the same
    // statement, under SQLite's write lock, so of any number of concurrent calls (threads or
    // processes) exactly one sees use_count = 1. used_at keeps the first use's time.
    this.consumeStmt = db.prepare(
      `UPDATE authorization_codes SET use_count = use_count + 1, used_at = coalesce(used_at, ?)
       WHERE code_hash = ? RETURNING *`,
    );
    this.getStmt = db.prepare("SELECT * FROM authorization_codes WHERE code_hash = ?");
  }

  /** Throws when the grant does not exist. */
  insert(code: Omit<Insert<AuthorizationCodeRecord>, "used_at">): void {
    this.insertStmt.run({
      code_hash: code.code_hash,
      grant_id: code.grant_id,
      client_id: code.client_id,
      redirect_uri: code.redirect_uri,
      code_challenge: code.code_challenge,
      code_challenge_method: code.code_challenge_method,
      resource: code.resource,
      scope: code.scope,
      created_at: code.created_at ?? this.now(),
      expires_at: code.expires_at,
    });
  }

  /** Mark the code used and return it; undefined for an unknown (or purged, or revoked) code. */
  consume(codeHash: string, now: number = this.now()): ConsumedCode | undefined {
    const row = this.consumeStmt.get(now, codeHash);
    if (!row) return undefined;
    const { use_count, ...rest } = row;
    const code = withoutNulls(rest) as unknown as AuthorizationCodeRecord;
    return { code, replay: use_count > 1, expired: code.expires_at <= now };
  }

  /** Read without consuming (tests, diagnostics). */
  get(codeHash: string): AuthorizationCodeRecord | undefined {
    const row = this.getStmt.get(codeHash);
    if (!row) return undefined;
    const { use_count: _, ...rest } = row;
    return withoutNulls(rest) as unknown as AuthorizationCodeRecord;
  }
}
