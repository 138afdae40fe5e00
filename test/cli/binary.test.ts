// The compiled executable: commands, exit codes, config errors before binding, a real session
// through it, graceful shutdown, and the binary copied alone into an empty directory.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import pkg from "../../package.json" with { type: "json" };
import { eventually, FIXTURES } from "../helpers/appliance.ts";
import { ApplianceProcess, ensureBinary } from "../helpers/binary.ts";
import { alive } from "../helpers/machine.ts";
import { MemoryOAuthProvider, OwnerBrowser } from "../helpers/oauth.ts";

let binary: string;
let work: string;

beforeAll(() => {
  binary = ensureBinary();
  work = mkdtempSync(join(tmpdir(), "mcp-appliance-cli-"));
});

function runSync(...args: string[]) {
  const result = Bun.spawnSync([binary, ...args], { cwd: work, stdout: "pipe", stderr: "pipe" });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

function writeConfig(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

const fixtureServer = (extra = "") => `
listen = "127.0.0.1:0"
auth = "none"
state_dir = "${work}/state"

[servers.fx]
command = "${process.execPath}"
args = ["${join(FIXTURES, "behaviour-server.mjs")}"]
${extra}
`;

describe("the compiled executable", () => {
  test("version and help", () => {
    const version = runSync("version");
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(`mcp-appliance ${pkg.version}`);
    const help = runSync("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("validate");
  });

  test("a wrong command line exits 64 with the reason", () => {
    const result = runSync("--frobnicate");
    expect(result.code).toBe(64);
    expect(result.stderr).toContain("unknown option --frobnicate");
  });

  test("validate: a valid file", () => {
    const result = runSync("validate", "--config", writeConfig("valid.toml", fixtureServer()));
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe("Valid configuration");
  });

  test("validate and run: an invalid file names the file, the key and what was expected; exit 78; no port bound", () => {
    const path = writeConfig("invalid.toml", fixtureServer().replace(`args = [`, `args = "oops" # [`));
    for (const command of ["validate", "run"]) {
      const result = runSync(command, "--config", path);
      expect(result.code).toBe(78);
      expect(result.stderr).toContain(`${path}: servers.fx.args: expected an array of strings, got a string`);
      expect(result.stdout).not.toContain("listening");
    }
  });

  test("a missing file exits 66", () => {
    const result = runSync("validate", "--config", join(work, "nope.toml"));
    expect(result.code).toBe(66);
    expect(result.stderr).toContain("nope.toml");
  });

  test("run: serves a session, logs requests without bodies, and stops gracefully on SIGTERM", async () => {
    const path = writeConfig("run.toml", fixtureServer());
    const appliance = new ApplianceProcess([binary, "--config", path], { cwd: work });
    const url = await appliance.url;
    const client = new Client({ name: "cli-test", version: "1" });
    await client.connect(new StreamableHTTPClientTransport(new URL("/fx/mcp", url)));
    const secretish = "tool-argument-that-must-not-be-logged";
    await client.callTool({ name: "echo", arguments: { text: secretish } });
    const pid = JSON.parse(
      ((await client.callTool({ name: "pid", arguments: {} })) as { content: { text: string }[] }).content[0]!.text,
    ).pid;
    appliance.proc.kill("SIGTERM");
    expect(await appliance.exited).toBe(0);
    await eventually(() => !alive(pid), "the child is gone after shutdown");
    const log = appliance.lines.join("\n");
    expect(log).toContain('"msg":"request"');
    expect(log).toContain('"path":"/fx/mcp"');
    expect(log).toContain('"msg":"session started"');
    expect(log).not.toContain(secretish);
  });

  test("a port already in use is an error at start: the second instance exits 1 naming it, the first keeps serving", async () => {
    const first = new ApplianceProcess([binary, "--config", writeConfig("first.toml", fixtureServer())], { cwd: work });
    const url = new URL(await first.url);
    const second = runSync("--config", writeConfig("second.toml", fixtureServer().replace("127.0.0.1:0", `127.0.0.1:${url.port}`)));
    expect(second.code).toBe(1);
    expect(second.stdout + second.stderr).toContain(`Is port ${url.port} in use?`);
    // Nothing else answers on the port: every connection reaches the first instance.
    for (let i = 0; i < 20; i++) {
      const health = await fetch(new URL("/healthz", url), { headers: { connection: "close" } });
      expect(health.status).toBe(200);
      await health.arrayBuffer();
    }
    first.proc.kill("SIGTERM");
    expect(await first.exited).toBe(0);
  });

  test("SIGINT also shuts down cleanly", async () => {
    const appliance = new ApplianceProcess([binary, "--config", writeConfig("sigint.toml", fixtureServer())], { cwd: work });
    await appliance.url;
    appliance.proc.kill("SIGINT");
    expect(await appliance.exited).toBe(0);
  });

  test("the binary copied alone into an empty directory runs the demo vault behind OAuth", async () => {
    const lonely = mkdtempSync(join(tmpdir(), "mcp-appliance-alone-"));
    const copy = join(lonely, "mcp-appliance");
    copyFileSync(binary, copy);
    Bun.spawnSync(["chmod", "+x", copy]);
    const appliance = new ApplianceProcess([copy, "demo", "--listen", "127.0.0.1:0"], {
      cwd: lonely,
      env: { PATH: "/usr/bin:/bin", HOME: lonely, TMPDIR: lonely },
    });
    const url = await appliance.url;
    expect((await fetch(new URL("/healthz", url))).status).toBe(200);
    // The pages and their stylesheet come from inside the executable.
    const css = await fetch(new URL("/assets/pages.css", url));
    expect(css.status).toBe(200);
    expect(await css.text()).toContain(".card");
    expect(appliance.lines.join("\n")).toContain("owner-password.txt");

    const password = readFileSync(join(lonely, `mcp-appliance-demo-${process.getuid!()}`, "state", "owner-password.txt"), "utf8").trim();
    const provider = new MemoryOAuthProvider();
    const mcpUrl = new URL("/vault/mcp", url);
    const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
    await expect(new Client({ name: "demo-test", version: "1" }).connect(first)).rejects.toThrow();
    const loginPage = await fetch(provider.authorizationUrl!);
    expect(await loginPage.text()).toContain("Owner password");
    const redirect = await new OwnerBrowser(url).approve(provider.authorizationUrl!, password);
    await first.finishAuth(redirect.searchParams.get("code")!);

    const client = new Client({ name: "demo-test", version: "1" });
    const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
    await client.connect(transport);
    await client.callTool({ name: "write_note", arguments: { name: "a/b.md", content: "alone but fine" } });
    const found = await client.callTool({ name: "search_notes", arguments: { query: "alone" } });
    expect(JSON.stringify(found)).toContain("a/b.md");
    await transport.terminateSession();
    appliance.proc.kill("SIGTERM");
    expect(await appliance.exited).toBe(0);
  });
});

afterAll(() => {});
