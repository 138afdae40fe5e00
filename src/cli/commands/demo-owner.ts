// The demo's owner password: generated on the first start, kept as a hash in the demo's state
// and in plain text in a 0600 file beside it, so the person trying the demo can sign in. The
// file is never reached through a symbolic link (O_NOFOLLOW), and a new one is created with
// O_EXCL, so nothing prepared in its place can receive the password.
import { randomBytes } from "node:crypto";
import { closeSync, constants, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { OWNER_PASSWORD_SETTING } from "../../oauth/owner.ts";
import { openStore } from "../../store/index.ts";

const DEMO_PASSWORD_FILE = "owner-password.txt";

/** Returns the path of the file holding the password. */
export async function ensureDemoOwnerPassword(stateDir: string): Promise<string> {
  const file = join(stateDir, DEMO_PASSWORD_FILE);
  const store = openStore(stateDir);
  try {
    const hash = store.settings.get(OWNER_PASSWORD_SETTING);
    const kept = readKept(file);
    if (hash && kept && (await Bun.password.verify(kept, hash).catch(() => false))) return file;
    const password = randomBytes(12).toString("base64url");
    store.settings.set(OWNER_PASSWORD_SETTING, await Bun.password.hash(password, { algorithm: "argon2id" }));
    rmSync(file, { force: true }); // removes a link itself, not what it points to
    const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, `${password}\n`);
    } finally {
      closeSync(fd);
    }
    return file;
  } finally {
    store.close();
  }
}

/** The password kept from an earlier start; none when the file is missing or is not a plain file. */
function readKept(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    return readFileSync(fd, "utf8").trim();
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
