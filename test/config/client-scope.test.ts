// [[oauth.clients]] scope names served servers' scopes (or offline_access): anything else is a
// config error at that key, since oauth/ enforces the scope and a typo would lock the client out.
import { expect, test } from "bun:test";
import { ConfigError, parseConfig } from "../../src/config/load.ts";

const FILE = (scope: string) => `
public_url = "https://mcp.example.com"
[servers.vault]
command = "node"
[servers.notes]
command = "node"
[[oauth.clients]]
name = "Claude"
client_id = "claude"
redirect_uris = ["https://claude.ai/api/mcp/auth_callback"]
scope = ${JSON.stringify(scope)}
`;

async function problemsOf(text: string): Promise<string[]> {
  try {
    await parseConfig(text, "/etc/mcp.toml", {});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

test("served servers' scopes and offline_access are accepted", async () => {
  expect(await problemsOf(FILE("mcp:vault mcp:notes offline_access"))).toEqual([]);
});

test("an unknown scope is an error naming the key, with the closest server scope", async () => {
  const problems = await problemsOf(FILE("mcp:vault mcp:note"));
  expect(problems).toHaveLength(1);
  expect(problems[0]).toContain("oauth.clients[0].scope");
  expect(problems[0]).toContain('"mcp:note"');
  expect(problems[0]).toContain('did you mean "mcp:notes"?');
  expect((await problemsOf(FILE("openid")))[0]).toContain('the servers\' scopes are "mcp:vault", "mcp:notes"');
});
