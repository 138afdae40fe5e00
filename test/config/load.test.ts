import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ConfigError, loadConfigFile, parseConfig } from "../../src/config/load.ts";

const VALID = 'auth = "none"\n\n[servers.vault]\ncommand = "node"\nenv = { TOKEN = "env:TOKEN" }\n';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mcp-config-"));
  writeFileSync(join(dir, "mcp.toml"), VALID);
  writeFileSync(join(dir, "latin1.toml"), Buffer.from([0x61, 0x20, 0x3d, 0x20, 0x22, 0xe9, 0x22, 0x0a]));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function problemsOf(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfigFile", () => {
  test("reads, validates and records the absolute path", async () => {
    const config = await loadConfigFile(relative(process.cwd(), join(dir, "mcp.toml")), { TOKEN: "t" });
    expect(config.file).toBe(join(dir, "mcp.toml"));
    expect(config.servers[0]?.env).toEqual({ TOKEN: "t" });
  });

  test("uses process.env by default", async () => {
    process.env.TOKEN = "from-process";
    try {
      expect((await loadConfigFile(join(dir, "mcp.toml"))).servers[0]?.env.TOKEN).toBe("from-process");
    } finally {
      delete process.env.TOKEN;
    }
  });

  test("a missing file", async () => {
    const path = join(dir, "absent.toml");
    expect(await problemsOf(loadConfigFile(path))).toEqual([`${path}: cannot read the configuration file (no such file)`]);
  });

  test("a directory", async () => {
    expect(await problemsOf(loadConfigFile(dir))).toEqual([`${dir}: cannot read the configuration file (it is a directory)`]);
  });

  test("a file that is not UTF-8", async () => {
    const path = join(dir, "latin1.toml");
    expect(await problemsOf(loadConfigFile(path))).toEqual([`${path}: cannot read the configuration file (it is not valid UTF-8)`]);
  });
});

describe("parseConfig", () => {
  test("ConfigError: one line per problem, message joins them", async () => {
    const problems = await problemsOf(parseConfig('listen = "0.0.0.0:1"\nauth = "none"\n', "/etc/mcp.toml", {}));
    expect(problems).toEqual([
      "/etc/mcp.toml: servers: at least one [servers.<name>] table is needed",
      '/etc/mcp.toml: auth: "none" needs a loopback listen address (listen is 0.0.0.0:1)',
    ]);
  });

  test("a secret's value never appears in errors", async () => {
    const text =
      'listen = "0.0.0.0:1"\nauth = "none"\n[servers.vault]\ncommand = "node"\nenv = { A = "env:A", B = "inline-s3cr3t" }\nbad = 1\n';
    const problems = await problemsOf(parseConfig(text, "/etc/mcp.toml", { A: "env-s3cr3t" }));
    expect(problems.length).toBe(2);
    expect(problems.join("\n")).not.toContain("s3cr3t");
  });
});
