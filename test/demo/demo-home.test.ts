// The demo's private directory and its owner password file (issue 13): a fixed, predictable
// $TMPDIR/mcp-appliance-demo let another local user create it first and read the password.
import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDemoOwnerPassword } from "../../src/cli/commands/demo-owner.ts";
import { privateDemoHome } from "../../src/demo/demo-home.ts";
import { run } from "../cli/cli-fixtures.ts";

const UID = process.getuid!();
const NOBODY = 65534;
const made: string[] = [];
function base(): string {
  const dir = mkdtempSync(join(tmpdir(), "mcp-appliance-demo-home-"));
  made.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the demo's directory", () => {
  test("is made per user, 0700, and found again on the next start", () => {
    const parent = base();
    const home = privateDemoHome(parent, UID);
    expect(home).toEqual({ ok: true, value: join(parent, `mcp-appliance-demo-${UID}`) });
    const made = lstatSync(join(parent, `mcp-appliance-demo-${UID}`));
    expect(made.mode & 0o777).toBe(0o700);
    expect(made.uid).toBe(UID);
    expect(privateDemoHome(parent, UID)).toEqual(home);
  });

  test("one that exists with another owner is refused, with a message saying why and what to do", () => {
    const parent = base();
    const home = join(parent, `mcp-appliance-demo-${UID}`);
    mkdirSync(home, { mode: 0o700 });
    chownSync(home, NOBODY, NOBODY);
    const refused = privateDemoHome(parent, UID);
    expect(refused.ok).toBe(false);
    const error = refused.ok ? "" : refused.error;
    expect(error).toContain(home);
    expect(error).toContain(`belongs to uid ${NOBODY}, not to you (uid ${UID})`);
    expect(error).toContain("set TMPDIR to a directory of your own");
  });

  test("a symbolic link is refused, even to a directory of this user's own", () => {
    const parent = base();
    const target = join(parent, "elsewhere");
    mkdirSync(target, { mode: 0o700 });
    symlinkSync(target, join(parent, `mcp-appliance-demo-${UID}`));
    const refused = privateDemoHome(parent, UID);
    expect(refused.ok ? "" : refused.error).toContain("is a symbolic link");
  });

  test("one that others may enter is refused, a plain file too", () => {
    const open = base();
    mkdirSync(join(open, `mcp-appliance-demo-${UID}`));
    chmodSync(join(open, `mcp-appliance-demo-${UID}`), 0o777);
    const refusedOpen = privateDemoHome(open, UID);
    expect(refusedOpen.ok ? "" : refusedOpen.error).toContain("may be used by others (mode 0777)");
    const file = base();
    writeFileSync(join(file, `mcp-appliance-demo-${UID}`), "");
    const refusedFile = privateDemoHome(file, UID);
    expect(refusedFile.ok ? "" : refusedFile.error).toContain("is not a directory");
  });

  test("`mcp-appliance demo` stops with that message (exit 1) before it serves anything", async () => {
    const parent = base();
    const home = join(parent, `mcp-appliance-demo-${UID}`);
    mkdirSync(home, { mode: 0o700 });
    chownSync(home, NOBODY, NOBODY);
    const ran = await run(["demo", "--listen", "127.0.0.1:0"], { env: { TMPDIR: parent } });
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(`mcp-appliance: the demo directory ${home} belongs to uid ${NOBODY}`);
  });
});

describe("the owner password file", () => {
  test("is a new 0600 file; a symbolic link planted in its place is replaced, its target left alone", async () => {
    const parent = base();
    const home = privateDemoHome(parent, UID);
    if (!home.ok) throw new Error(home.error);
    const state = join(home.value, "state");
    mkdirSync(state, { mode: 0o700 });
    const target = join(parent, "planted");
    writeFileSync(target, "nothing here\n", { mode: 0o644 });
    symlinkSync(target, join(state, "owner-password.txt"));
    const file = await ensureDemoOwnerPassword(state);
    expect(readFileSync(target, "utf8")).toBe("nothing here\n");
    const written = lstatSync(file);
    expect(written.isFile()).toBe(true);
    expect(written.mode & 0o777).toBe(0o600);
    const password = readFileSync(file, "utf8").trim();
    expect(password.length).toBeGreaterThanOrEqual(16);
    // The next start keeps it.
    expect(await ensureDemoOwnerPassword(state)).toBe(file);
    expect(readFileSync(file, "utf8").trim()).toBe(password);
  });
});
