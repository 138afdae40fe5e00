// The demo's owner password: generated on the first start, kept as a hash in the demo's state
// and in plain text in a 0600 file beside it, so the person trying the demo can sign in.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
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
    const kept = existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
    if (hash && kept && (await Bun.password.verify(kept, hash).catch(() => false))) return file;
    const password = randomBytes(12).toString("base64url");
    store.settings.set(OWNER_PASSWORD_SETTING, await Bun.password.hash(password, { algorithm: "argon2id" }));
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
    return file;
  } finally {
    store.close();
  }
}
