// Removing what can no longer be used. Run periodically; every step is idempotent.
import type { Database, Statement } from "bun:sqlite";
import type { Row } from "./types.ts";

export interface PurgeCounts {
  codes: number;
  accessTokens: number;
  refreshTokens: number;
  grants: number;
}

export class Housekeeping {
  private readonly codesStmt: Statement<Row, [number]>;
  private readonly accessStmt: Statement<Row, [number]>;
  private readonly refreshStmt: Statement<Row, [number]>;
  private readonly grantsStmt: Statement<Row, []>;

  constructor(private readonly db: Database) {
    // Used codes stay while their grant lives, so a replay late in a grant's life is still
    // recognised as one and revokes what the code issued (RFC 6749 §4.1.2). They go with the grant.
    this.codesStmt = db.prepare("DELETE FROM authorization_codes WHERE used_at IS NULL AND expires_at <= ?");
    this.accessStmt = db.prepare("DELETE FROM access_tokens WHERE expires_at <= ?");
    // Rotated refresh tokens are kept until their own expiry: until then a reuse is detectable.
    this.refreshStmt = db.prepare("DELETE FROM refresh_tokens WHERE expires_at <= ?");
    // A grant with no token left and no code waiting to be exchanged can produce nothing more.
    // Grants are created together with their code, and codes exchanged together with the
    // tokens they give, in one transaction each, so no live grant is ever seen empty here.
    this.grantsStmt = db.prepare(
      `DELETE FROM grants WHERE
         NOT EXISTS (SELECT 1 FROM access_tokens a WHERE a.grant_id = grants.grant_id)
         AND NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.grant_id = grants.grant_id)
         AND NOT EXISTS (SELECT 1 FROM authorization_codes c WHERE c.grant_id = grants.grant_id AND c.used_at IS NULL)`,
    );
  }

  /** Delete expired codes and tokens, then the grants they leave empty; one transaction. */
  purgeExpired(now: number): PurgeCounts {
    return this.db
      .transaction(() => ({
        codes: this.codesStmt.run(now).changes,
        accessTokens: this.accessStmt.run(now).changes,
        refreshTokens: this.refreshStmt.run(now).changes,
        grants: this.grantsStmt.run().changes,
      }))
      .immediate();
  }
}
