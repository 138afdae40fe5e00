// kill -9 in the middle of issuing: every multi-row write is one transaction, so after the
// crash the file is intact and no grant exists without its tokens, nor a token without its grant.

import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { openStore } from "../../src/store/index.ts";
import { tempDir } from "./fixtures.ts";
import { ChildProcess } from "./processes.ts";

const dir = tempDir("mcp-store-crash-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Rows that break "a grant and its tokens exist together", by kind. Checked with foreign keys off. */
function orphans(db: Database): Record<string, number> {
  const count = (sql: string) => db.query<{ n: number }, []>(`SELECT count(*) AS n FROM ${sql}`).get()?.n ?? -1;
  return {
    accessWithoutGrant: count("access_tokens a WHERE NOT EXISTS (SELECT 1 FROM grants g WHERE g.grant_id = a.grant_id)"),
    refreshWithoutGrant: count("refresh_tokens r WHERE NOT EXISTS (SELECT 1 FROM grants g WHERE g.grant_id = r.grant_id)"),
    grantWithoutAccess: count("grants g WHERE NOT EXISTS (SELECT 1 FROM access_tokens a WHERE a.grant_id = g.grant_id)"),
    grantWithoutRefresh: count("grants g WHERE NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.grant_id = g.grant_id)"),
    grantWithoutClient: count("grants g WHERE NOT EXISTS (SELECT 1 FROM clients c WHERE c.client_id = g.client_id)"),
  };
}

describe("kill -9 while issuing tokens", () => {
  test("three rounds of SIGKILL mid-loop: integrity ok, no orphan rows, everything committed kept", async () => {
    let before = 0;
    for (let round = 0; round < 3; round++) {
      const child = new ChildProcess([dir, "issue-loop"]);
      // The child prints "issued N" after committing grant N; kill it wherever it then is.
      const reported = await child.lines(4 + round);
      const committed = Number(reported.at(-1)!.split(" ")[1]) + 1;
      child.proc.kill("SIGKILL");
      expect(await child.proc.exited).not.toBe(0);
      expect(child.proc.signalCode).toBe("SIGKILL");

      // A raw connection first, with foreign keys off, so the orphan queries see the truth.
      const db = new Database(`${dir}/state.db`);
      expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
      expect(db.query("PRAGMA foreign_key_check").all()).toEqual([]);
      expect(orphans(db)).toEqual({
        accessWithoutGrant: 0,
        refreshWithoutGrant: 0,
        grantWithoutAccess: 0,
        grantWithoutRefresh: 0,
        grantWithoutClient: 0,
      });
      const grants = db.query<{ n: number }, []>("SELECT count(*) AS n FROM grants").get()!.n;
      const access = db.query<{ n: number }, []>("SELECT count(*) AS n FROM access_tokens").get()!.n;
      db.close();
      expect(grants - before).toBeGreaterThanOrEqual(committed); // what was committed is there
      expect(access).toBe(grants); // one access token per grant in the loop
      before = grants;

      // And the store opens it again as usual.
      const store = openStore(dir);
      expect(store.clients.get("loop-client")).toBeDefined();
      store.close();
    }
  });
});
