// `mcp-appliance init`: a starting configuration that the loader accepts as written, with no
// secret inside, mode 0644, never written over an existing file without --force.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configTemplate } from "../../src/cli/commands/init-template.ts";
import { defaultLimitsConfig } from "../../src/config/limits.ts";
import { loadWritten, run } from "./cli-fixtures.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mcp-appliance-init-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("init", () => {
  test("writes a valid, commented configuration with auth = oauth, the public URL and the example server", async () => {
    const path = join(dir, "mcp.toml");
    const written = await run(["init", "--config", path, "--public-url", "https://MCP.Example.com/"]);
    expect(written.code).toBe(0);
    expect(written.stdout).toContain(`Wrote ${path}.`);
    expect(written.stdout).toContain(`mcp-appliance passwd --config ${path}`);
    expect(written.stdout).toContain(`mcp-appliance validate --config ${path}`);
    expect(statSync(path).mode & 0o777).toBe(0o644);

    const text = readFileSync(path, "utf8");
    expect(text).toMatch(/^auth = "oauth"$/m);
    expect(text).toMatch(/^public_url = "https:\/\/mcp\.example\.com"$/m);
    expect(text).toMatch(/^\[oauth\]$/m);
    const config = await loadWritten(text, path);
    expect(config.listen).toEqual({ host: "127.0.0.1", port: 3001 });
    expect(config.publicUrl).toBe("https://mcp.example.com");
    expect(config.stateDir).toBe("/var/lib/mcp-appliance");
    const example = config.servers[0]!;
    expect(example.name).toBe("example");
    expect(example.command).toBe(process.execPath);
    expect(example.args.slice(-3)).toEqual(["demo-vault-server", "--dir", "/var/lib/mcp-appliance/vault"]);
  });

  test("without --public-url the line is a commented placeholder, and the file is still valid", async () => {
    const path = join(dir, "mcp.toml");
    expect((await run(["init", "--config", path])).code).toBe(0);
    const text = readFileSync(path, "utf8");
    expect(text).not.toMatch(/^public_url/m);
    expect(text).toMatch(/^# public_url = "https:\/\/mcp\.example\.com"$/m);
    const config = await loadWritten(text, path);
    expect(config.servers.map((s) => s.name)).toEqual(["example"]);
  });

  test("no secret in the file: no client secret, token or password hash is set", async () => {
    const text = configTemplate({ publicUrl: "https://mcp.example.com", self: { command: "/usr/bin/mcp-appliance", args: [] } });
    const settings = text.split("\n").filter((line) => !line.startsWith("#") && line.includes("="));
    for (const line of settings) expect(line).not.toMatch(/secret|token|password|mcp[asrtc]_|\$argon2/i);
    expect(text).toContain(`command = "/usr/bin/mcp-appliance"`);
    expect(text).toContain(`args = ["demo-vault-server", "--dir", "/var/lib/mcp-appliance/vault"]`);
  });

  test("the defaults shown in [oauth] are accepted when uncommented", async () => {
    const text = configTemplate({ self: { command: "/usr/bin/mcp-appliance", args: [] } });
    const keys = [
      "access_token_ttl",
      "refresh_token_ttl",
      "dynamic_registration",
      "client_id_metadata_documents",
      "registration_limit",
      "registration_rate",
      "token_rate",
      "unused_registration_ttl",
    ];
    const uncommented = text.replace(new RegExp(`^# (${keys.join("|")}) = `, "gm"), "$1 = ");
    expect(uncommented.match(/^registration_rate = "10\/h"/m)).not.toBeNull();
    const config = await loadWritten(uncommented, join(dir, "x.toml"));
    expect(config.oauth.accessTokenTtlMs).toBe(3_600_000);
    expect(config.oauth.registrationRate).toEqual({ count: 10, windowMs: 3_600_000 });
    expect(config.oauth.tokenRate).toEqual({ count: 60, windowMs: 60_000 });
  });

  test("the [limits] shown are the loader's defaults when uncommented", async () => {
    const text = configTemplate({ self: { command: "/usr/bin/mcp-appliance", args: [] } });
    expect(text).toMatch(/^\[limits\]$/m);
    const keys = ["max_header_size", "max_sessions_per_client", "max_requests_per_session", "max_streams_per_session", "shutdown_timeout"];
    const uncommented = text.replace(new RegExp(`^# (${keys.join("|")}) = `, "gm"), "$1 = ");
    for (const key of keys) expect(uncommented).toMatch(new RegExp(`^${key} = `, "m"));
    const config = await loadWritten(uncommented, join(dir, "x.toml"));
    expect(config.limits).toEqual(defaultLimitsConfig());
  });

  test("an executable path with quotes or backslashes stays one TOML string", async () => {
    const odd = `/opt/we"ird\\path/mcp-appliance`;
    const config = await loadWritten(configTemplate({ self: { command: odd, args: [] } }), join(dir, "x.toml"));
    expect(config.servers[0]!.command).toBe(odd);
  });

  test("an existing file is kept (exit 73) unless --force, which replaces it with mode 0644", async () => {
    const path = join(dir, "mcp.toml");
    writeFileSync(path, "# mine\n", { mode: 0o600 });
    const refused = await run(["init", "--config", path]);
    expect(refused.code).toBe(73);
    expect(refused.stderr).toContain(`${path} exists already; nothing was written (use --force to replace it)`);
    expect(readFileSync(path, "utf8")).toBe("# mine\n");

    expect((await run(["init", "--config", path, "--force"])).code).toBe(0);
    expect(readFileSync(path, "utf8")).toContain("[servers.example]");
    expect(statSync(path).mode & 0o777).toBe(0o644);
  });

  test("a bad --public-url exits 64, a missing directory 73; nothing is written", async () => {
    const path = join(dir, "mcp.toml");
    const http = await run(["init", "--config", path, "--public-url", "http://mcp.example.com"]);
    expect(http.code).toBe(64);
    expect(http.stderr).toContain("--public-url");
    const withPath = await run(["init", "--config", path, "--public-url", "https://mcp.example.com/mcp"]);
    expect(withPath.code).toBe(64);
    expect(() => statSync(path)).toThrow();
    const nowhere = await run(["init", "--config", join(dir, "no", "such", "dir", "mcp.toml")]);
    expect(nowhere.code).toBe(73);
    expect(nowhere.stderr).toContain("its directory does not exist");
  });
});
