// Client assertions already used (RFC 7523 §3 (7): the server MAY keep a JWT's jti until it
// expires, so that it is used once): in the state database, so that a restart, or another
// process on the same state, cannot be shown the same assertion again. A row lives until the
// assertion's own expiry (minutes); the housekeeping drops the rest.
import type { Database, Statement } from "bun:sqlite";
import type { Row } from "./types.ts";

export type UseOutcome = "first" | "again" | "full";

export class UsedAssertionRepository {
  private readonly getStmt: Statement<{ expires_at: number }, [string]>;
  private readonly countStmt: Statement<{ n: number }, [number]>;
  private readonly upsertStmt: Statement<Row, [string, number]>;
  private readonly deleteExpiredStmt: Statement<Row, [number]>;

  constructor(private readonly db: Database) {
    this.getStmt = db.prepare("SELECT expires_at FROM used_assertions WHERE key = ?");
    this.countStmt = db.prepare("SELECT count(*) AS n FROM used_assertions WHERE expires_at > ?");
    this.upsertStmt = db.prepare(
      "INSERT INTO used_assertions (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at",
    );
    this.deleteExpiredStmt = db.prepare("DELETE FROM used_assertions WHERE expires_at <= ?");
  }

  /**
   * Remember `key` until `expiresAt`, unless it is remembered already ("again": a replay). At
   * `most` unexpired keys a new one is refused ("full"): forgetting an unexpired one to make
   * room would let it be replayed. One IMMEDIATE transaction, so two processes cannot both see
   * a key for the first time.
   */
  useOnce(key: string, expiresAt: number, now: number, most: number): UseOutcome {
    return this.db
      .transaction((): UseOutcome => {
        const seen = this.getStmt.get(key);
        if (seen && seen.expires_at > now) return "again";
        if ((this.countStmt.get(now)?.n ?? 0) >= most) return "full";
        this.upsertStmt.run(key, expiresAt);
        return "first";
      })
      .immediate();
  }

  deleteExpired(now: number): number {
    return this.deleteExpiredStmt.run(now).changes;
  }
}
