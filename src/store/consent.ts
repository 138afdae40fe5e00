// Remembered consent: the owner ticked "remember" for a client, a resource and some scopes,
// and is not asked again while a request stays within them. Scopes are space-delimited
// (RFC 6749 §3.3); remembering more scopes later adds to what was remembered.
import type { Database, Statement } from "bun:sqlite";
import type { ConsentRecord, Row } from "./types.ts";

const scopeSet = (scope: string) => new Set(scope.split(" ").filter((s) => s !== ""));

export class ConsentRepository {
  private readonly getStmt: Statement<ConsentRecord, [string, string]>;
  private readonly upsertStmt: Statement<Row, [string, string, string, number, number]>;
  private readonly forgetStmt: Statement<Row, [string]>;

  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {
    this.getStmt = db.prepare("SELECT * FROM consents WHERE client_id = ? AND resource = ?");
    this.upsertStmt = db.prepare(
      `INSERT INTO consents (client_id, resource, scope, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (client_id, resource) DO UPDATE SET scope = excluded.scope, updated_at = excluded.updated_at`,
    );
    this.forgetStmt = db.prepare("DELETE FROM consents WHERE client_id = ?");
  }

  /** Add `scope` to what is remembered for this client and resource. Throws for an unknown client. */
  remember(clientId: string, resource: string, scope: string, now: number = this.now()): void {
    this.db
      .transaction(() => {
        const known = this.getStmt.get(clientId, resource);
        const merged = scopeSet(known?.scope ?? "");
        for (const s of scopeSet(scope)) merged.add(s);
        this.upsertStmt.run(clientId, resource, [...merged].sort().join(" "), now, now);
      })
      .immediate();
  }

  /** True when consent was remembered for this client and resource, covering every scope asked. */
  has(clientId: string, resource: string, scope: string): boolean {
    const known = this.getStmt.get(clientId, resource);
    if (!known) return false;
    const granted = scopeSet(known.scope);
    return [...scopeSet(scope)].every((s) => granted.has(s));
  }

  get(clientId: string, resource: string): ConsentRecord | undefined {
    return this.getStmt.get(clientId, resource) ?? undefined;
  }

  /** Forget every remembered consent of the client; returns how many resources it covered. */
  forget(clientId: string): number {
    return this.forgetStmt.run(clientId).changes;
  }
}
