// The client commands run in-process against a real state database: what they print, what
// they store (hashes only) and how they refuse. token and passwd: token-passwd.test.ts.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { sha256Hex } from "../../src/oauth/crypto.ts";
import { everyStoredValue, managementWorkspace, run, type Workspace, workspace } from "./cli-fixtures.ts";

const CLAUDE = "https://claude.ai/api/mcp/auth_callback";
let w: Workspace;
beforeEach(() => {
  w = managementWorkspace();
});
afterEach(() => w.cleanup());

const secretIn = (text: string) => /Client secret:\s+(mcps_[A-Za-z0-9_-]{43})\n/.exec(text)?.[1];
const clientIdIn = (text: string) => /Client ID:\s+(\S+)\n/.exec(text)?.[1];

describe("client add", () => {
  test("prints the client ID and the secret once, with the URLs a client needs; stores only the secret's hash", async () => {
    const added = await run(["client", "add", "Claude.ai", "--config", w.config, "--redirect-uri", CLAUDE]);
    expect(added.code).toBe(0);
    const secret = secretIn(added.stdout)!;
    const clientId = clientIdIn(added.stdout)!;
    expect(secret).toBeDefined();
    expect(clientId).toMatch(/^claude-ai-[A-Za-z0-9_-]{12}$/);
    expect(added.stdout).toContain("shown only this once and cannot be shown again");
    expect(added.stdout).toContain("https://mcp.example.com/vault/mcp");
    expect(added.stdout).toContain("https://mcp.example.com/notes/mcp");
    expect(added.stdout).toMatch(/Authorization server:\s+https:\/\/mcp\.example\.com\n/);
    expect(added.stdout).toMatch(/Token endpoint:\s+https:\/\/mcp\.example\.com\/token\n/);

    const record = w.peek((store) => store.clients.get(clientId))!;
    expect(record).toMatchObject({
      kind: "preregistered",
      source: "state",
      name: "Claude.ai",
      secret_hash: sha256Hex(secret),
      redirect_uris: [CLAUDE],
      grant_types: ["authorization_code", "refresh_token"],
      token_endpoint_auth_method: "client_secret_basic",
      auto_approve: false,
    });
    expect(everyStoredValue(w.stateDir)).not.toContain(secret);
  });

  test("--public: no secret at all, and the owner is asked", async () => {
    const added = await run(["client", "add", "cli", "--public", "--config", w.config, "--redirect-uri", "http://127.0.0.1/cb"]);
    expect(added.code).toBe(0);
    expect(added.stdout).not.toContain("mcps_");
    expect(added.stdout).not.toContain("Client secret");
    expect(added.stderr).not.toContain("warning");
    const record = w.peek((store) => store.clients.get(clientIdIn(added.stdout)!))!;
    expect(record.secret_hash).toBeUndefined();
    expect(record.token_endpoint_auth_method).toBe("none");
    expect(record.auto_approve).toBe(false);
  });

  // RFC 8252 §8.6, RFC 6749 §10.2: a public client cannot prove who it is, so anyone could
  // start a request with its client_id and a loopback redirect on their own machine.
  test("--public --auto-approve is refused with the reason, exit 64, nothing stored", async () => {
    const refused = await run([
      "client",
      "add",
      "cli",
      "--public",
      "--auto-approve",
      "--config",
      w.config,
      "--redirect-uri",
      "http://127.0.0.1/cb",
    ]);
    expect(refused.code).toBe(64);
    expect(refused.stderr).toContain("--auto-approve needs a confidential client");
    expect(refused.stderr).toContain("anyone could start a sign-in with its client ID");
    expect(w.peek((store) => store.clients.list())).toEqual([]);
  });

  test("--auto-approve (confidential): recorded, and the warning says what it gives away", async () => {
    const added = await run(["client", "add", "trusted", "--auto-approve", "--config", w.config, "--redirect-uri", CLAUDE]);
    expect(added.code).toBe(0);
    expect(secretIn(added.stdout)).toBeDefined();
    expect(added.stderr).toContain("warning: the owner is never asked for this client");
    expect(added.stderr).toContain("whoever holds its secret");
    const record = w.peek((store) => store.clients.get(clientIdIn(added.stdout)!))!;
    expect(record.token_endpoint_auth_method).toBe("client_secret_basic");
    expect(record.auto_approve).toBe(true);
  });

  test("every bad redirect URI is listed, exit 64, nothing stored", async () => {
    const refused = await run([
      "client",
      "add",
      "bad",
      "--config",
      w.config,
      "--redirect-uri",
      "https://ok.example/cb",
      "--redirect-uri",
      "http://evil.example/cb",
      "--redirect-uri",
      "javascript:alert(1)",
      "--redirect-uri",
      "https://app.example/cb#frag",
    ]);
    expect(refused.code).toBe(64);
    expect(refused.stderr).toContain(`"http://evil.example/cb": http is only allowed for loopback redirects`);
    expect(refused.stderr).toContain(`"javascript:alert(1)": the javascript: scheme cannot be a redirect URI`);
    expect(refused.stderr).toContain(`"https://app.example/cb#frag": it has a fragment`);
    expect(refused.stderr).not.toContain("ok.example");
    expect(w.peek((store) => store.clients.list())).toEqual([]);
  });

  test("a name used by a config client or a state client (any case) is refused", async () => {
    const config = await run(["client", "add", "Inspector", "--config", w.config, "--redirect-uri", CLAUDE]);
    expect(config.code).toBe(1);
    expect(config.stderr).toContain(`a client named "inspector" exists already (client ID inspector-client, in ${w.config})`);
    expect((await run(["client", "add", "claude", "--config", w.config, "--redirect-uri", CLAUDE])).code).toBe(0);
    const again = await run(["client", "add", "claude", "--config", w.config, "--redirect-uri", CLAUDE]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`a client named "claude" exists already`);
    expect(w.peek((store) => store.clients.list()).length).toBe(1);
  });

  test("a name that is blank or has control characters is refused", async () => {
    expect((await run(["client", "add", " ", "--config", w.config, "--redirect-uri", CLAUDE])).code).toBe(64);
    const control = await run(["client", "add", "a\u001b[31mb", "--config", w.config, "--redirect-uri", CLAUDE]);
    expect(control.code).toBe(64);
    expect(control.stderr).toContain("control character");
  });

  test("a missing config file exits 66, an invalid one 78", async () => {
    expect((await run(["client", "list", "--config", `${w.dir}/nope.toml`])).code).toBe(66);
    await Bun.write(w.config, "listen = 3\n");
    expect((await run(["client", "list", "--config", w.config])).code).toBe(78);
  });
});

describe("client list", () => {
  test("config and state clients of every kind, never a secret or a hash; --json alike", async () => {
    const added = await run(["client", "add", "claude", "--config", w.config, "--redirect-uri", CLAUDE]);
    const secret = secretIn(added.stdout)!;
    w.peek((store) => {
      store.clients.insert({
        client_id: "dyn-1",
        kind: "dynamic",
        name: "Cursor",
        secret_hash: sha256Hex("dynamic-secret"),
        redirect_uris: ["cursor://anysphere.cursor-mcp/oauth/callback"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_post",
        auto_approve: false,
        source: "state",
        last_used_at: Date.UTC(2025, 0, 2, 3, 4),
      });
      store.clients.insert({
        client_id: "https://app.example/client.json",
        kind: "metadata_document",
        name: "App",
        redirect_uris: ["https://app.example/cb"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "none",
        auto_approve: false,
        source: "state",
      });
    });

    const listed = await run(["client", "list", "--config", w.config], { env: {} });
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+CLIENT ID\s+KIND\s+SOURCE\s+REDIRECT URIS\s+LAST USED\s+CREATED$/);
    expect(lines.find((l) => l.startsWith("inspector "))).toMatch(/inspector-client\s+preregistered\s+config\s+http:\/\/localhost:6274/);
    expect(lines.find((l) => l.startsWith("claude "))).toMatch(/preregistered\s+state\s+https:\/\/claude\.ai/);
    expect(lines.find((l) => l.startsWith("Cursor "))).toMatch(/dyn-1\s+dynamic\s+state\s+cursor:\/\/\S+\s+2025-01-02 03:04 UTC/);
    expect(lines.find((l) => l.startsWith("App "))).toContain("metadata_document (public)");

    const json = await run(["client", "list", "--json", "--config", w.config]);
    const clients = JSON.parse(json.stdout) as { name: string; source: string; kind: string; last_used_at: string | null }[];
    expect(clients.map((c) => [c.name, c.kind, c.source])).toEqual([
      ["inspector", "preregistered", "config"],
      ["claude", "preregistered", "state"],
      ["Cursor", "dynamic", "state"],
      ["App", "metadata_document", "state"],
    ]);
    expect(clients[2]!.last_used_at).toBe("2025-01-02T03:04:00.000Z");
    for (const output of [listed.stdout, json.stdout]) {
      expect(output).not.toContain(secret);
      expect(output).not.toContain(sha256Hex(secret));
      expect(output).not.toContain(sha256Hex("dynamic-secret"));
      expect(output).not.toContain("secret");
    }
  });

  test("with no client at all, says how to add one", async () => {
    const empty = workspace();
    try {
      const listed = await run(["client", "list", "--config", empty.config]);
      expect(listed.stdout).toContain("No clients");
      expect((await run(["client", "list", "--json", "--config", empty.config])).stdout.trim()).toBe("[]");
    } finally {
      empty.cleanup();
    }
  });
});

describe("the configuration as management commands read it", () => {
  test("an env: secret of the service missing from this shell does not stop them; validate still refuses it", async () => {
    expect((await run(["client", "list", "--config", w.config], { env: {} })).code).toBe(0);
    const validate = await run(["validate", "--config", w.config], { env: {} });
    expect(validate.code).toBe(78);
    expect(validate.stderr).toContain("environment variable INSPECTOR_SECRET is not set");
  });

  test("a config client still in the state but gone from the file is marked, and may be removed", async () => {
    w.peek((store) =>
      store.clients.replaceConfigClients([
        {
          client_id: "old-config-client",
          kind: "preregistered",
          name: "old",
          redirect_uris: [CLAUDE],
          grant_types: ["authorization_code", "refresh_token"],
          token_endpoint_auth_method: "none",
          auto_approve: false,
        },
      ]),
    );
    const listed = await run(["client", "list", "--config", w.config]);
    expect(listed.stdout).toMatch(/\nold\s+old-config-client\s+preregistered \(public\)\s+config\*/);
    expect(listed.stdout).toContain(`* no longer in ${w.config}: removed when the appliance next starts`);
    expect(JSON.parse((await run(["client", "list", "--json", "--config", w.config])).stdout)[1]).toMatchObject({
      client_id: "old-config-client",
      removed_from_config: true,
    });
    expect((await run(["client", "remove", "old", "--config", w.config])).code).toBe(0);
  });
});

describe("client remove", () => {
  test("by name or by client ID; its grants and tokens go with it", async () => {
    const first = clientIdIn((await run(["client", "add", "one", "--config", w.config, "--redirect-uri", CLAUDE])).stdout)!;
    const second = clientIdIn((await run(["client", "add", "two", "--config", w.config, "--redirect-uri", CLAUDE])).stdout)!;
    const grant = w.peek((store) => {
      const grant = store.grants.create({ client_id: first, resource: "https://mcp.example.com/vault/mcp", scope: "mcp:vault" });
      store.accessTokens.insert({
        token_hash: sha256Hex("mcpa_x"),
        grant_id: grant.grant_id,
        client_id: first,
        resource: grant.resource,
        scope: grant.scope,
        expires_at: Date.now() + 60_000,
      });
      return grant;
    });

    const byName = await run(["client", "remove", "ONE", "--config", w.config]);
    expect(byName.code).toBe(0);
    expect(byName.stdout).toBe(`Client "one" (${first}) removed, with its grants and tokens.\n`);
    w.peek((store) => {
      expect(store.clients.get(first)).toBeUndefined();
      expect(store.grants.get(grant.grant_id)).toBeUndefined();
      expect(store.accessTokens.get(sha256Hex("mcpa_x"))).toBeUndefined();
    });
    expect((await run(["client", "remove", second, "--config", w.config])).code).toBe(0);
    expect(w.peek((store) => store.clients.list())).toEqual([]);
  });

  test("a config client is refused (edit the config), an unknown one exits 1", async () => {
    const config = await run(["client", "remove", "inspector-client", "--config", w.config]);
    expect(config.code).toBe(78);
    expect(config.stderr).toContain(`is declared in ${w.config}: remove its [[oauth.clients]] entry there`);
    const missing = await run(["client", "remove", "nobody", "--config", w.config]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no client is named or has the client ID "nobody"`);
  });

  test("a name two dynamic registrations share is refused with their client IDs", async () => {
    w.peek((store) => {
      for (const id of ["dyn-a", "dyn-b"]) {
        store.clients.insert({
          client_id: id,
          kind: "dynamic",
          name: "MCP Inspector",
          redirect_uris: ["http://localhost/cb"],
          grant_types: ["authorization_code"],
          token_endpoint_auth_method: "none",
          auto_approve: false,
          source: "state",
        });
      }
    });
    const ambiguous = await run(["client", "remove", "MCP Inspector", "--config", w.config]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain("dyn-a");
    expect(ambiguous.stderr).toContain("dyn-b");
    expect((await run(["client", "remove", "dyn-a", "--config", w.config])).code).toBe(0);
  });
});
