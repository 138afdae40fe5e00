// The management commands through the compiled executable: passwd from a pipe and on a real
// terminal (a pseudo-terminal from script(1)), client and token add/list/remove, init. Only
// hashes reach the state database; secrets are printed once and never listed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { sha256Hex } from "../../src/oauth/crypto.ts";
import { OWNER_PASSWORD_SETTING } from "../../src/oauth/owner.ts";
import { ensureBinary } from "../helpers/binary.ts";
import { everyStoredValue, loadWritten, type Workspace, workspace } from "./cli-fixtures.ts";

let binary: string;
let w: Workspace;

beforeAll(() => {
  binary = ensureBinary();
  w = workspace("", `public_url = "https://mcp.example.com"`);
});
afterAll(() => w.cleanup());

function runBinary(args: string[], stdin?: string) {
  const result = Bun.spawnSync([binary, ...args], {
    cwd: w.dir,
    stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

const storedPasswordHash = () => w.peek((store) => store.settings.get(OWNER_PASSWORD_SETTING));

describe("the compiled executable's management commands", () => {
  test("help lists every command", () => {
    const help = runBinary(["help"]);
    for (const command of ["init", "passwd", "client add", "client list", "client remove", "token add", "token list", "token remove"]) {
      expect(help.stdout).toContain(`mcp-appliance ${command}`);
    }
  });

  test("passwd from a pipe: the first line becomes the owner password; a short one is refused", async () => {
    const password = "piped owner password 1";
    const set = runBinary(["passwd", "--config", w.config], `${password}\n`);
    expect(set.code).toBe(0);
    expect(set.stdout).toBe("Owner password updated.\n");
    expect(set.stdout + set.stderr).not.toContain(password);
    expect(await Bun.password.verify(password, storedPasswordHash()!)).toBe(true);
    expect(everyStoredValue(w.stateDir)).not.toContain(password);

    const short = runBinary(["passwd", "--config", w.config], "too short\n");
    expect(short.code).toBe(65);
    expect(await Bun.password.verify(password, storedPasswordHash()!)).toBe(true);
  });

  test("passwd on a terminal: asked twice with echo off", async () => {
    const password = "typed on a terminal 42";
    const command = [binary, "passwd", "--config", w.config].map((arg) => `'${arg}'`).join(" ");
    const proc = Bun.spawn(["script", "-q", "-e", "-c", command, "/dev/null"], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    let screen = "";
    const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
    const waitFor = async (text: string) => {
      while (!screen.includes(text)) {
        const { done, value } = await reader.read();
        if (done) throw new Error(`ended before "${text}":\n${screen}`);
        screen += new TextDecoder().decode(value);
      }
    };
    await waitFor("New owner password: ");
    proc.stdin.write(`${password}\r`);
    await proc.stdin.flush();
    await waitFor("Repeat the new owner password: ");
    proc.stdin.write(`${password}\r`);
    await proc.stdin.flush();
    await waitFor("Owner password updated.");
    proc.stdin.end();
    expect(await proc.exited).toBe(0);
    expect(screen).not.toContain(password);
    expect(await Bun.password.verify(password, storedPasswordHash()!)).toBe(true);
  });

  test("client add / list / remove: the secret printed once, only its hash stored, never listed", () => {
    const added = runBinary(["client", "add", "claude", "--config", w.config, "--redirect-uri", "https://claude.ai/api/mcp/auth_callback"]);
    expect(added.code).toBe(0);
    const secret = /Client secret:\s+(mcps_\S+)\n/.exec(added.stdout)![1]!;
    const clientId = /Client ID:\s+(\S+)\n/.exec(added.stdout)![1]!;
    expect(added.stdout).toContain("cannot be shown again");
    expect(w.peek((store) => store.clients.get(clientId))!.secret_hash).toBe(sha256Hex(secret));
    expect(everyStoredValue(w.stateDir)).not.toContain(secret);

    const refused = runBinary(["client", "add", "x", "--config", w.config, "--redirect-uri", "http://example.com/cb"]);
    expect(refused.code).toBe(64);
    expect(refused.stderr).toContain("http is only allowed for loopback redirects");

    for (const flags of [[], ["--json"]]) {
      const listed = runBinary(["client", "list", ...flags, "--config", w.config]);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(clientId);
      expect(listed.stdout).not.toContain(secret);
      expect(listed.stdout).not.toContain(sha256Hex(secret));
    }

    const removed = runBinary(["client", "remove", "claude", "--config", w.config]);
    expect(removed.code).toBe(0);
    expect(w.peek((store) => store.clients.get(clientId))).toBeUndefined();
    const again = runBinary(["client", "remove", "claude", "--config", w.config]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`no client is named or has the client ID "claude"`);
  });

  test("token add / list / remove: the token printed once, only its hash stored, never listed", () => {
    const added = runBinary(["token", "add", "backup", "--server", "vault", "--config", w.config]);
    expect(added.code).toBe(0);
    const token = /Token:\s+(mcpt_\S+)\n/.exec(added.stdout)![1]!;
    expect(w.peek((store) => store.staticTokens.findByHash(sha256Hex(token)))?.servers).toEqual(["vault"]);
    expect(everyStoredValue(w.stateDir)).not.toContain(token);
    expect(runBinary(["token", "add", "x", "--server", "blog", "--config", w.config]).code).toBe(64);

    for (const flags of [[], ["--json"]]) {
      const listed = runBinary(["token", "list", ...flags, "--config", w.config]);
      expect(listed.stdout).toContain("backup");
      expect(listed.stdout).not.toContain(token);
      expect(listed.stdout).not.toContain(sha256Hex(token));
    }
    expect(runBinary(["token", "remove", "backup", "--config", w.config]).code).toBe(0);
    expect(w.peek((store) => store.staticTokens.list())).toEqual([]);
    expect(runBinary(["token", "remove", "backup", "--config", w.config]).code).toBe(1);
  });

  test("init writes a file that loads, naming this executable as the example server's command", async () => {
    const path = join(w.dir, "init.toml");
    rmSync(path, { force: true });
    const written = runBinary(["init", "--config", path, "--public-url", "https://mcp.example.com"]);
    expect(written.code).toBe(0);
    expect(written.stdout).toContain("mcp-appliance passwd");
    expect(statSync(path).mode & 0o777).toBe(0o644);
    const config = await loadWritten(readFileSync(path, "utf8"), path);
    expect(config.servers[0]!.command).toBe(binary);
    expect(config.servers[0]!.args).toEqual(["demo-vault-server", "--dir", "/var/lib/mcp-appliance/vault"]);
    expect(runBinary(["init", "--config", path]).code).toBe(73);
    expect(runBinary(["init", "--config", path, "--force"]).code).toBe(0);
  });
});
