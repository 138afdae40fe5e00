// Where the state lives on disk, and who may read it. The file holds client secret hashes,
// token hashes and the cookie signing key (not a hash): owner-only, like ~/.ssh.
import { chmodSync, chownSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, statSync } from "node:fs";
import { join } from "node:path";

const STATE_FILE = "state.db";

/**
 * Make `<stateDir>/state.db` exist with mode 0600 before SQLite opens it. SQLite gives the
 * -wal and -shm files it creates later the mode of the database file, so they follow.
 * A missing directory is created 0700; an existing one is left as the operator set it
 * (systemd's StateDirectory= or the package may own it).
 */
export function prepareStateFile(stateDir: string): string {
  if (!existsSync(stateDir)) {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    chmodSync(stateDir, 0o700); // the mode given to mkdir is filtered by the umask; say it exactly
  }
  const path = join(stateDir, STATE_FILE);
  tighten(path, true);
  matchDirectoryOwner(stateDir, path);
  // A WAL or shared-memory file left with a wider mode (copied, restored from a backup) is tightened too.
  for (const suffix of ["-wal", "-shm"]) if (existsSync(path + suffix)) tighten(path + suffix, false);
  return path;
}

/**
 * An existing file is never opened here: closing any descriptor of a database file drops every
 * POSIX lock the process holds on it (fcntl locks are per process), so a second store opened
 * beside a running one would take away SQLite's locks. A missing one is created exclusively.
 */
function tighten(path: string, create: boolean): void {
  if (create && !existsSync(path)) {
    try {
      closeSync(openSync(path, "wx", 0o600));
      return;
    } catch (error) {
      // Created meanwhile by another opener: tightened as an existing one.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  const stat = lstatSync(path);
  // A symbolic link is followed by SQLite as by chmod: its target's mode is the operator's choice.
  if (!stat.isSymbolicLink() && (stat.mode & 0o077) !== 0) chmodSync(path, 0o600);
}

/**
 * Run as root (an admin's `mcp-appliance passwd` or `client add`) in a state directory that
 * belongs to the service user, a new database file would be root's, and the service could no
 * longer open it. It is given to the directory's owner instead; SQLite itself gives its -wal and
 * -shm files the owner of the database file when running as root.
 */
function matchDirectoryOwner(stateDir: string, path: string): void {
  if (process.getuid?.() !== 0) return;
  const dir = statSync(stateDir);
  if (dir.uid === 0) return;
  const file = lstatSync(path);
  if (!file.isSymbolicLink() && (file.uid !== dir.uid || file.gid !== dir.gid)) chownSync(path, dir.uid, dir.gid);
}
