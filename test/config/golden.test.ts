// Golden files: every golden/NAME.toml is loaded and the result compared with NAME.expected,
// the pretty JSON of the AppConfig or the exact error lines. Adding a case is adding two files;
// `UPDATE_GOLDEN=1 bun test test/config` rewrites the .expected files (read the diff!).
//
// "@GOLDEN@" in a .toml stands for this directory (for absolute file: secrets), and the directory
// is written back as "@GOLDEN@" in results, so the goldens do not depend on the machine.

import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, parseConfig } from "../../src/config/load.ts";
import { isSecretReference, resolveSecret } from "../../src/config/secrets.ts";

const GOLDEN = join(import.meta.dir, "golden");
const PLACEHOLDER = "@GOLDEN@";
const UPDATE = process.env.UPDATE_GOLDEN === "1";

// The environment every case sees: "env:" secrets and systemd credentials come from here.
const ENV = {
  VAULT_TOKEN: "token-from-env",
  BLOG_API_KEY: "blog-key-from-env",
  MULTILINE_SECRET: "line one\nline two",
  CLAUDE_CLIENT_SECRET: "client-secret-from-the-environment",
  EMPTY_SECRET: "",
  OWNER_PASSWORD_PLAIN: "owner-password-from-the-environment",
  HOME: "/home/mcp",
  CREDENTIALS_DIRECTORY: join(GOLDEN, "credentials"),
};

async function tomlText(name: string): Promise<string> {
  return (await Bun.file(join(GOLDEN, `${name}.toml`)).text()).replaceAll(PLACEHOLDER, GOLDEN);
}

async function render(name: string): Promise<string> {
  const file = join(GOLDEN, `${name}.toml`);
  const text = await tomlText(name);
  let output: string;
  try {
    output = JSON.stringify(await parseConfig(text, file, ENV), null, 2);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    expect(error.message).toBe(error.problems.join("\n"));
    output = error.problems.join("\n");
  }
  return `${output.replaceAll(GOLDEN, PLACEHOLDER)}\n`;
}

const cases = readdirSync(GOLDEN)
  .filter((entry) => entry.endsWith(".toml"))
  .map((entry) => entry.slice(0, -".toml".length))
  .sort();

describe("config goldens", () => {
  test("there are cases", () => {
    expect(cases.length).toBeGreaterThan(20);
  });

  for (const name of cases) {
    test(name, async () => {
      const actual = await render(name);
      const expectedFile = Bun.file(join(GOLDEN, `${name}.expected`));
      if (UPDATE) {
        await Bun.write(expectedFile, actual);
        return;
      }
      if (!(await expectedFile.exists())) throw new Error(`golden/${name}.expected is missing (run with UPDATE_GOLDEN=1)`);
      expect(actual).toBe(await expectedFile.text());
    });
  }

  // Secrets of the authorization server are kept as hashes: neither a result nor an error may
  // show one, nor a password or token pasted where its hash belongs.
  test("no .expected file contains a plaintext secret of any .toml file", async () => {
    const secrets = new Set<string>();
    for (const name of cases) {
      for (const secret of oauthSecretsOf(await tomlText(name))) secrets.add(secret);
    }
    expect(secrets.size).toBeGreaterThanOrEqual(12);
    const leaks: string[] = [];
    for (const entry of readdirSync(GOLDEN).filter((file) => file.endsWith(".expected"))) {
      const expectedText = (await Bun.file(join(GOLDEN, entry)).text()).replaceAll(PLACEHOLDER, GOLDEN);
      for (const secret of secrets) if (expectedText.includes(secret)) leaks.push(`${entry}: ${secret}`);
    }
    expect(leaks).toEqual([]);
  });
});

const HASH = /^(\$argon2|\$2[aby]\$|[0-9a-f]{64}$)/i;

/**
 * Client secrets (as written and as resolved), and values of owner_password_hash and
 * token_sha256 that are not hashes (a password or a token pasted by mistake).
 */
function oauthSecretsOf(text: string): string[] {
  let document: Record<string, unknown>;
  try {
    document = Bun.TOML.parse(text) as Record<string, unknown>;
  } catch {
    return [];
  }
  const oauth = (document.oauth ?? {}) as Record<string, unknown>;
  const tables = (key: string) => (Array.isArray(oauth[key]) ? (oauth[key] as Record<string, unknown>[]) : []);
  const found: string[] = [];
  const add = (value: unknown, keepHashes: boolean) => {
    if (typeof value !== "string" || value === "") return;
    const resolved = resolveSecret(value, ENV);
    for (const candidate of [isSecretReference(value) ? undefined : value, resolved.ok ? resolved.value : undefined]) {
      if (candidate && (keepHashes || !HASH.test(candidate))) found.push(candidate);
    }
  };
  for (const client of tables("clients")) add(client.client_secret, true);
  for (const token of tables("static_tokens")) add(token.token_sha256, false);
  add(oauth.owner_password_hash, false);
  return found;
}
