// One connection to the state file, with the settings every connection must have.
import { Database } from "bun:sqlite";

/** Open `path` (created if missing) with WAL, synchronous=NORMAL, foreign keys and a busy timeout. */
export function openConnection(path: string): Database {
  // strict: named parameters bind from plain keys ({ client_id }) and a missing one is an error.
  const db = new Database(path, { create: true, readwrite: true, strict: true });
  try {
    configure(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function configure(db: Database): void {
  // Wait for another connection's write lock instead of failing with SQLITE_BUSY at once
  // (a CLI command such as `client add` may write while the server runs). Set first: the
  // switch to WAL below itself needs a lock.
  db.run("PRAGMA busy_timeout = 5000");
  // WAL: readers (the bearer guard, on every MCP request) never wait for a writer.
  const mode = db.query<{ journal_mode: string }, []>("PRAGMA journal_mode = WAL").get();
  if (mode?.journal_mode !== "wal") throw new Error(`could not put ${db.filename} in WAL mode (got ${mode?.journal_mode})`);
  // NORMAL is durable against the process being killed (kill -9, OOM, a crash): a committed
  // transaction is in the WAL file, in the OS page cache, before COMMIT returns, and the next
  // open replays it. Only an OS crash or power loss can lose the last few commits (never
  // corrupt the file), and that is no worse for tokens than a response lost on the wire: the
  // client authorises again. FULL would fsync on every token issued for no gain against kill -9.
  db.run("PRAGMA synchronous = NORMAL");
  // Off by default in SQLite, per connection: the cascades from clients and grants need it.
  db.run("PRAGMA foreign_keys = ON");
}
