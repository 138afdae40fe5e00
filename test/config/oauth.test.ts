import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import * as v from "valibot";
import { ConfigError, parseConfig } from "../../src/config/load.ts";
import { defaultOAuthConfig } from "../../src/config/oauth.ts";
import { resolvePublicUrl } from "../../src/config/rules.ts";
import { passwordHash } from "../../src/config/secret-fields.ts";

const SERVER = '\n[servers.vault]\ncommand = "node"\n';

async function problemsOf(text: string, env: Record<string, string> = {}): Promise<string[]> {
  try {
    await parseConfig(text, "/etc/mcp.toml", env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('public_url with auth = "oauth"', () => {
  const listen = (host: string, port: number) => ({ host, port });

  test("on loopback it defaults to http://<listen host>:<port>, normalised like public_url", () => {
    expect(resolvePublicUrl({ auth: "oauth", listen: listen("127.0.0.1", 3001) })).toBe("http://127.0.0.1:3001");
    expect(resolvePublicUrl({ auth: "oauth", listen: listen("::1", 3001) })).toBe("http://[::1]:3001");
    expect(resolvePublicUrl({ auth: "oauth", listen: listen("LocalHost", 80) })).toBe("http://localhost");
  });

  test("port 0 is known only once bound: left to app.ts", () => {
    expect(resolvePublicUrl({ auth: "oauth", listen: listen("127.0.0.1", 0) })).toBeUndefined();
  });

  test('a written public_url wins; auth = "none" gets no default', () => {
    const written = "https://mcp.example.com";
    expect(resolvePublicUrl({ auth: "oauth", listen: listen("127.0.0.1", 3001), public_url: written })).toBe(written);
    expect(resolvePublicUrl({ auth: "none", listen: listen("127.0.0.1", 3001) })).toBeUndefined();
  });

  test("required off loopback; on loopback or when written, the file is valid", async () => {
    expect(await problemsOf(`listen = "[::]:3001"\n${SERVER}`)).toEqual([
      '/etc/mcp.toml: public_url: required when auth = "oauth" and listen is not a loopback address (clients must know the https URL they reach)',
    ]);
    expect(await problemsOf(`listen = "[::1]:3001"\n${SERVER}`)).toEqual([]);
    expect(await problemsOf(`listen = "[::]:3001"\npublic_url = "https://mcp.example.com"\n${SERVER}`)).toEqual([]);
  });
});

describe("[oauth]", () => {
  test("defaultOAuthConfig() is what a file without [oauth] gets", async () => {
    const config = await parseConfig(`auth = "none"\n${SERVER}`, "/etc/mcp.toml", {});
    expect(config.oauth).toEqual(defaultOAuthConfig());
    expect(config.firewall).toEqual({ publicSources: [] });
  });

  test("a client secret is kept as its SHA-256 only", async () => {
    const secret = "s3cr3t-from-env-that-is-long-enough";
    const text = `auth = "none"\n[[oauth.clients]]\nname = "c"\nclient_id = "c"\nclient_secret = "env:S"\nredirect_uris = ["https://a.example/cb"]\n${SERVER}`;
    const config = await parseConfig(text, "/etc/mcp.toml", { S: secret });
    expect(config.oauth.clients[0]?.clientSecretSha256).toBe(createHash("sha256").update(secret).digest("hex"));
    expect(JSON.stringify(config)).not.toContain("s3cr3t");
  });
});

describe("owner_password_hash", () => {
  const schema = passwordHash({});

  test("accepts every hash Bun.password writes, and htpasswd's $2y$", async () => {
    const hashes = [
      await Bun.password.hash("pw", { algorithm: "argon2id", memoryCost: 1024, timeCost: 1 }),
      await Bun.password.hash("pw", { algorithm: "argon2i", memoryCost: 1024, timeCost: 1 }),
      await Bun.password.hash("pw", { algorithm: "argon2d", memoryCost: 1024, timeCost: 1 }),
      await Bun.password.hash("pw", { algorithm: "bcrypt", cost: 4 }),
    ];
    hashes.push(hashes[3]!.replace(/^\$2b\$/, "$2y$"), hashes[3]!.replace(/^\$2b\$/, "$2a$"));
    for (const hash of hashes) expect(v.safeParse(schema, hash)).toMatchObject({ success: true, output: hash });
  });

  test.each(["s3cr3t password", "$argon2id$", "$2b$04$short", "$argon2id$v=19$m=65536,t=2,p=1$s3cr3tsalt", "$5$rounds=5000$s3cr3t$x"])(
    "refuses %p without showing it",
    (value) => {
      const result = v.safeParse(schema, value);
      expect(result.success).toBe(false);
      expect(result.issues?.map((issue) => issue.message).join("\n")).not.toContain("s3cr3t");
    },
  );
});
