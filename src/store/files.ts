// Where the state lives on disk, and who may read it. The file holds client secret hashes,
// token hashes and the cookie signing key (not a hash): owner-only, like ~/.ssh.
import { chmodSync, closeSync, existsSync, fchmodSync, fchownSync, fstatSync, mkdirSync, openSync, statSync } from "node:fs";
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

function tighten(path: string, create: boolean): void {
  const fd = openSync(path, create ? "a" : "r", 0o600);
  try {
    if ((fstatSync(fd).mode & 0o077) !== 0) fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
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
  const fd = openSync(path, "r");
  try {
    const file = fstatSync(fd);
    if (file.uid !== dir.uid || file.gid !== dir.gid) fchownSync(fd, dir.uid, dir.gid);
  } finally {
    closeSync(fd);
  }
}
