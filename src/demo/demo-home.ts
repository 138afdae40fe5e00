// Where the demo keeps its notes, its state and the owner password: a directory of this user's
// own under the temp dir. A fixed name in a shared /tmp could be created first by another local
// user, who would then read the password (and, with the demo run as root, be handed state.db);
// so the name carries the uid, the directory is created 0700, and one that is a symbolic link,
// belongs to someone else or lets others in is refused rather than used or repaired.
import { chmodSync, lstatSync, mkdirSync } from "node:fs";
import { join } from "node:path";

/** `<base>/mcp-appliance-demo-<uid>`, made or checked; else a sentence saying what is wrong. */
export function privateDemoHome(base: string, uid: number): { ok: true; value: string } | { ok: false; error: string } {
  const home = join(base, `mcp-appliance-demo-${uid}`);
  const refuse = (why: string) => ({
    ok: false as const,
    error: `the demo directory ${home} ${why}: another user may have made it to read the demo's owner password; remove it, or set TMPDIR to a directory of your own`,
  });
  try {
    mkdirSync(home, { mode: 0o700 });
    chmodSync(home, 0o700); // the mode given to mkdir is filtered by the umask
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
      return { ok: false, error: `cannot create the demo directory ${home}: ${(error as Error).message}` };
    }
  }
  // lstat: a symbolic link is judged itself, never the directory it points to.
  const found = lstatSync(home);
  if (found.isSymbolicLink()) return refuse("is a symbolic link");
  if (!found.isDirectory()) return refuse("is not a directory");
  if (found.uid !== uid) return refuse(`belongs to uid ${found.uid}, not to you (uid ${uid})`);
  if ((found.mode & 0o077) !== 0) return refuse(`may be used by others (mode ${(found.mode & 0o777).toString(8).padStart(4, "0")})`);
  return { ok: true, value: home };
}
