// Named values the appliance keeps across restarts: the owner password hash, the cookie
// signing key. Plain strings; the caller decides what they mean.
import type { Database, Statement } from "bun:sqlite";
import type { Row } from "./types.ts";

export class SettingsRepository {
  private readonly getStmt: Statement<{ value: string }, [string]>;
  private readonly setStmt: Statement<Row, [string, string, number]>;
  private readonly insertStmt: Statement<Row, [string, string, number]>;
  private readonly deleteStmt: Statement<Row, [string]>;

  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {
    this.getStmt = db.prepare("SELECT value FROM settings WHERE name = ?");
    this.setStmt = db.prepare(
      `INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.insertStmt = db.prepare("INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?)");
    this.deleteStmt = db.prepare("DELETE FROM settings WHERE name = ?");
  }

  get(name: string): string | undefined {
    return this.getStmt.get(name)?.value;
  }

  set(name: string, value: string): void {
    this.setStmt.run(name, value, this.now());
  }

  delete(name: string): boolean {
    return this.deleteStmt.run(name).changes > 0;
  }

  /**
   * The stored value, or `make()`'s, stored first. Read and insert share one IMMEDIATE
   * transaction, so two processes starting together agree on one secret (a cookie key made
   * twice would sign out whoever got the first one). `make` runs only when nothing is stored.
   */
  getOrCreateSecret(name: string, make: () => string): string {
    return this.db
      .transaction(() => {
        const known = this.getStmt.get(name);
        if (known) return known.value;
        const value = make();
        this.insertStmt.run(name, value, this.now());
        return value;
      })
      .immediate();
  }
}
