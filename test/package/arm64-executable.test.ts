// The arm64 executable (dist/mcp-appliance-linux-arm64, what the arm64 package ships) run on
// this machine under qemu-user (foreign-exec.ts): its commands, and serving — /healthz, the
// OAuth metadata, the SDK client through the whole OAuth flow, and the built-in demo vault
// server bridged as its stdio child, itself the arm64 executable under qemu.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import pkg from "../../package.json" with { type: "json" };
import { ensureTools, tool } from "../../scripts/ensure-tools.ts";
import { ensureBinary } from "../../scripts/package.ts";
import { ApplianceProcess } from "../helpers/binary.ts";
import { MemoryOAuthProvider, OwnerBrowser } from "../helpers/oauth.ts";
import { executableArgv } from "./foreign-exec.ts";

// Building may compile the executable; every start under qemu costs about 2 s.
const SETUP_TIMEOUT = 300_000;
const SERVE_TIMEOUT = 180_000;
const PASSWORD = "arm64 owner password";

let binary: string;
let argv: string[];
let work: string;

beforeAll(() => {
  if (!ensureTools(["readelf", "qemu-aarch64-static", "/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1"])) {
    throw new Error("qemu-user-static and libc6-arm64-cross are needed to run the arm64 executable");
  }
  binary = ensureBinary("arm64");
  argv = executableArgv("arm64", binary);
  work = mkdtempSync(join(tmpdir(), "mcp-appliance-arm64-"));
}, SETUP_TIMEOUT);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function run(args: string[], input?: string) {
  const started = performance.now();
  const result = Bun.spawnSync([...argv, ...args], {
    cwd: work,
    stdin: input === undefined ? "ignore" : new TextEncoder().encode(input),
    stdout: "pipe",
    stderr: "pipe",
  });
  console.log(`[arm64] ${args[0]} under qemu: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

/** A configuration whose one server is the demo vault of the arm64 executable, under qemu too. */
function vaultConfig(name: string, vault: string): string {
  const path = join(work, name);
  writeFileSync(
    path,
    [
      'listen = "127.0.0.1:0"',
      `state_dir = "${join(work, "state")}"`,
      'auth = "oauth"',
      "",
      "[servers.vault]",
      `command = "${argv[0]}"`,
      `args = ${JSON.stringify([...argv.slice(1), "demo-vault-server", "--dir", vault])}`,
      "",
    ].join("\n"),
  );
  return path;
}

describe("the arm64 executable under qemu-user", () => {
  test("is an AArch64 ELF executable, and `version` prints the package's version", () => {
    const header = Bun.spawnSync([tool("readelf"), "--file-header", binary], { stdout: "pipe" }).stdout.toString();
    expect(header).toMatch(/Machine:\s+AArch64/);
    expect(argv[0]).toEndWith("qemu-aarch64-static");
    const version = run(["version"]);
    expect(version).toEqual({ code: 0, stdout: `mcp-appliance ${pkg.version}\n`, stderr: "" });
  });

  test("validate: a good configuration passes, a bad one names the key and exits 78", () => {
    const good = vaultConfig("good.toml", join(work, "vault"));
    expect(run(["validate", "--config", good])).toEqual({ code: 0, stdout: "Valid configuration\n", stderr: "" });
    const bad = join(work, "bad.toml");
    writeFileSync(bad, readFileSync(good, "utf8").replace("args = [", 'args = "oops" # ['));
    const result = run(["validate", "--config", bad]);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(`${bad}: servers.vault.args: expected an array of strings, got a string`);
  });

  test(
    "serves /healthz and the OAuth metadata, and the SDK client through OAuth reaches the bridged demo vault",
    async () => {
      const vault = join(work, "served-vault");
      const config = vaultConfig("serve.toml", vault);
      const passwd = run(["passwd", "--config", config], `${PASSWORD}\n`);
      expect(passwd.code).toBe(0);

      const started = performance.now();
      const appliance = new ApplianceProcess([...argv, "--config", config], { cwd: work });
      const url = await appliance.url;
      console.log(`[arm64] start to listening under qemu: ${((performance.now() - started) / 1000).toFixed(1)} s`);
      try {
        const health = await fetch(new URL("/healthz", url));
        expect(health.status).toBe(200);
        expect(await health.json()).toMatchObject({ status: "ok", servers: { vault: { path: "/vault/mcp" } } });

        const server = await (await fetch(new URL("/.well-known/oauth-authorization-server", url))).json();
        expect(server).toMatchObject({ issuer: url, code_challenge_methods_supported: ["S256"] });
        const resource = await (await fetch(new URL("/.well-known/oauth-protected-resource/vault/mcp", url))).json();
        expect(resource).toMatchObject({ resource: `${url}/vault/mcp`, authorization_servers: [url] });

        const flow = performance.now();
        const mcpUrl = new URL("/vault/mcp", url);
        const provider = new MemoryOAuthProvider();
        const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
        const unauthorized = await new Client({ name: "arm64-test", version: "1" }).connect(first).catch((error: unknown) => error);
        expect(unauthorized).toBeInstanceOf(UnauthorizedError);
        const redirect = await new OwnerBrowser(url).approve(provider.authorizationUrl!, PASSWORD);
        await first.finishAuth(redirect.searchParams.get("code")!);
        expect(provider.tokens()?.access_token).toStartWith("mcpa_");

        const client = new Client({ name: "arm64-test", version: "1" });
        const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
        await client.connect(transport);
        expect(client.getServerVersion()?.name).toBe("vault");
        const tools = (await client.listTools()).tools.map((tool) => tool.name);
        expect(tools).toEqual(expect.arrayContaining(["list_notes", "read_note", "search_notes", "write_note"]));
        await client.callTool({ name: "write_note", arguments: { name: "pi.md", content: "written on arm64" } });
        const found = await client.callTool({ name: "search_notes", arguments: { query: "arm64" } });
        expect(JSON.stringify(found)).toContain("pi.md");
        // The child wrote it: the vault server really ran.
        expect(readFileSync(join(vault, "pi.md"), "utf8")).toBe("written on arm64");
        await transport.terminateSession();
        console.log(`[arm64] OAuth flow and vault session under qemu: ${((performance.now() - flow) / 1000).toFixed(1)} s`);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n--- the appliance's log\n${appliance.lines.join("\n")}`);
      } finally {
        appliance.proc.kill("SIGTERM");
      }
      expect(await appliance.exited).toBe(0);
    },
    SERVE_TIMEOUT,
  );
});
