// token and passwd run in-process against a real state database: what they print, what they
// store (hashes only) and how they refuse.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { sha256Hex } from "../../src/oauth/crypto.ts";
import { OWNER_PASSWORD_SETTING } from "../../src/oauth/owner.ts";
import { everyStoredValue, managementWorkspace, run, type Workspace, workspace } from "./cli-fixtures.ts";

let w: Workspace;
beforeEach(() => {
  w = managementWorkspace();
});
afterEach(() => w.cleanup());

describe("token add / list / remove", () => {
  test("the token is printed once, only its hash stored, scoped to the servers named", async () => {
    const added = await run(["token", "add", "backup", "--server", "vault", "--server", "notes", "--config", w.config]);
    expect(added.code).toBe(0);
    const token = /Token:\s+(mcpt_[A-Za-z0-9_-]{43})\n/.exec(added.stdout)![1]!;
    expect(added.stdout).toContain("shown only this once and cannot be shown again");
    expect(added.stdout).toContain("https://mcp.example.com/vault/mcp");
    const stored = w.peek((store) => store.staticTokens.findByHash(sha256Hex(token)))!;
    expect(stored).toMatchObject({ name: "backup", servers: ["vault", "notes"], source: "state" });
    expect(everyStoredValue(w.stateDir)).not.toContain(token);

    const listed = await run(["token", "list", "--config", w.config]);
    expect(listed.stdout).toMatch(/^NAME\s+SERVERS\s+SOURCE\s+CREATED\n/);
    expect(listed.stdout).toMatch(/\ncron\s+vault\s+config\s+-\n/);
    expect(listed.stdout).toMatch(/\nbackup\s+vault notes\s+state\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\n/);
    const json = await run(["token", "list", "--json", "--config", w.config]);
    expect(JSON.parse(json.stdout).map((t: { name: string; source: string }) => [t.name, t.source])).toEqual([
      ["cron", "config"],
      ["backup", "state"],
    ]);
    for (const output of [listed.stdout, json.stdout]) {
      expect(output).not.toContain(token);
      expect(output).not.toContain(sha256Hex(token));
      expect(output).not.toContain(sha256Hex("mcpt_from-the-config"));
    }

    expect((await run(["token", "remove", "backup", "--config", w.config])).stdout).toBe(`Static token "backup" removed.\n`);
    expect(w.peek((store) => store.staticTokens.list())).toEqual([]);
  });

  test("unknown servers, a taken name, a config token and an unknown token are refused", async () => {
    const unknown = await run(["token", "add", "x", "--server", "vault", "--server", "blog", "--config", w.config]);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain(`"blog" is not a server of ${w.config} (the servers are "vault", "notes")`);
    const taken = await run(["token", "add", "CRON", "--server", "vault", "--config", w.config]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(`a static token named "cron" exists already (in ${w.config})`);
    const config = await run(["token", "remove", "cron", "--config", w.config]);
    expect(config.code).toBe(78);
    expect(config.stderr).toContain("[[oauth.static_tokens]]");
    expect((await run(["token", "remove", "nope", "--config", w.config])).code).toBe(1);
    expect(w.peek((store) => store.staticTokens.list())).toEqual([]);
  });
});

describe("passwd", () => {
  const PASSWORD = "correct horse battery staple";
  const storedHash = () => w.peek((store) => store.settings.get(OWNER_PASSWORD_SETTING));

  test("from a pipe: the first line, stored as an Argon2id hash, never printed", async () => {
    const set = await run(["passwd", "--config", w.config], { piped: `${PASSWORD}\nignored second line\n` });
    expect(set.code).toBe(0);
    expect(set.stdout).toBe("Owner password updated.\n");
    expect(set.stdout + set.stderr).not.toContain(PASSWORD);
    const hash = storedHash()!;
    expect(hash).toStartWith("$argon2id$");
    expect(await Bun.password.verify(PASSWORD, hash)).toBe(true);
    expect(everyStoredValue(w.stateDir)).not.toContain(PASSWORD);
  });

  test("on a terminal: asked twice; the same password twice sets it, two different ones change nothing", async () => {
    const ok = await run(["passwd", "--config", w.config], {
      typed: [
        { ok: true, value: PASSWORD },
        { ok: true, value: PASSWORD },
      ],
    });
    expect(ok.code).toBe(0);
    expect(ok.prompts).toEqual(["New owner password: ", "Repeat the new owner password: "]);
    const before = storedHash();
    const differ = await run(["passwd", "--config", w.config], {
      typed: [
        { ok: true, value: "another long password" },
        { ok: true, value: "another long passw0rd" },
      ],
    });
    expect(differ.code).toBe(65);
    expect(differ.stderr).toContain("the two passwords differ; nothing was changed");
    expect(storedHash()).toBe(before);
    const interrupted = await run(["passwd", "--config", w.config], { typed: [{ ok: false, error: "interrupted" }] });
    expect(interrupted.code).toBe(130);
    expect(storedHash()).toBe(before);
  });

  test("too short (in characters, not bytes), empty or too long is refused with exit 65", async () => {
    const short = await run(["passwd", "--config", w.config], { piped: "éééééééééé1\n" });
    expect(short.code).toBe(65);
    expect(short.stderr).toContain("at least 12 characters");
    expect((await run(["passwd", "--config", w.config], { piped: "" })).code).toBe(65);
    expect((await run(["passwd", "--config", w.config], { piped: "x".repeat(1025) })).code).toBe(65);
    // Asked on a terminal, a short first answer is refused before the second prompt.
    const typedShort = await run(["passwd", "--config", w.config], { typed: [{ ok: true, value: "short" }] });
    expect(typedShort.code).toBe(65);
    expect(typedShort.prompts.length).toBe(1);
    expect(storedHash()).toBeUndefined();
  });

  test("a config with owner_password_hash refuses: that one wins and is changed there (exit 78)", async () => {
    const hash = await Bun.password.hash("config owner password", { algorithm: "argon2id" });
    const withHash = workspace(`[oauth]\nowner_password_hash = "${hash}"\n`);
    try {
      const refused = await run(["passwd", "--config", withHash.config], { piped: `${PASSWORD}\n` });
      expect(refused.code).toBe(78);
      expect(refused.stderr).toContain("sets owner_password_hash in [oauth], and the configuration wins");
      expect(withHash.peek((store) => store.settings.get(OWNER_PASSWORD_SETTING))).toBeUndefined();
    } finally {
      withHash.cleanup();
    }
  });
});
