// The install test: the Debian package in a real Debian 12 root filesystem (debootstrap
// --variant=minbase) booted with systemd-nspawn -b, and the single executable alone in a bare root.
//
// Package: `apt-get install ./mcp-appliance_*.deb` → the service runs as its own user and answers
// /healthz; an MCP request needs a token; the owner's password set with `passwd` lets a client
// through the whole OAuth flow to the vault; a static token works too. Upgrade to a newer build
// keeps an edited /etc/mcp.toml and the state (every token still valid) and restarts the service;
// remove stops it and keeps config and state; purge leaves nothing but the user.
//
// Needs root; debootstrap and systemd-nspawn are installed when missing (see rootfs.ts). The
// first run debootstraps (about a minute) and caches the root; later runs start from the cache.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { debField, newerBuild, packageUnderTest, ROOT } from "./install-deb.ts";
import { Container, cleanStale, type ExecOptions, ensureHostTools, freshRoot, log, uniqueName } from "./rootfs.ts";

const BOOT_TIMEOUT = 600_000; // the first run debootstraps (and may build the package)
const STEP_TIMEOUT = 180_000;
const BASE = "http://127.0.0.1:3001";
const VAULT = `${BASE}/vault/mcp`;
const SERVICE = "mcp-appliance.service";
const FIREWALL = "mcp-appliance-firewall.service";
const USER = "mcp-appliance";
const OWNER_PASSWORD = "install test owner password";
const PROTOCOL = "2025-11-25";
const CLIENT = join(import.meta.dir, "install-client.ts");

interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** curl inside the container: -i output split into status, headers (lower-case names), body. */
async function curl(box: Container, args: string[]): Promise<HttpAnswer> {
  const { stdout } = await box.exec(["curl", "-sS", "-i", "--max-time", "20", ...args]);
  const split = stdout.indexOf("\r\n\r\n");
  const head = split < 0 ? stdout : stdout.slice(0, split);
  const [statusLine, ...lines] = head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(/^HTTP\/[\d.]+ (\d{3})/.exec(statusLine ?? "")?.[1] ?? 0),
    headers,
    body: split < 0 ? "" : stdout.slice(split + 4),
  };
}

/** The install client (install-client.ts) in the container's network namespace; its JSON answer. */
async function client<T>(box: Container, command: string, input: unknown): Promise<T> {
  const { stdout } = await box.inNetwork([process.execPath, CLIENT, command, JSON.stringify(input)], { timeoutMs: 60_000 });
  return JSON.parse(stdout) as T;
}

interface McpRun {
  initialize: { status: number; session: string | null; challenge: string | null; body: string };
  results: { status: number; message: { result?: { tools?: { name: string }[]; content?: { text: string }[] }; error?: unknown } }[];
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await Bun.sleep(200);
  }
}

async function healthz(box: Container): Promise<number> {
  const { stdout } = await box.exec(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", `${BASE}/healthz`], {
    check: false,
  });
  return Number(stdout.trim() || 0);
}

const TOOLS_LIST = { method: "tools/list", params: {} };
const toolNames = (run: McpRun, index = 0) => (run.results[index]?.message.result?.tools ?? []).map((tool) => tool.name).sort();

describe("the Debian package in a booted Debian 12 (systemd-nspawn -b)", () => {
  let box: Container | undefined;
  let root = "";
  let deb = "";
  const apt = (args: string[], options: ExecOptions = {}) =>
    box!.exec(["apt-get", "-y", "-o", "Dpkg::Options::=--force-confold", ...args], {
      timeoutMs: STEP_TIMEOUT,
      cwd: "/root",
      ...options,
      env: { DEBIAN_FRONTEND: "noninteractive", ...options.env },
    });
  const systemctl = async (...args: string[]) => (await box!.exec(["systemctl", ...args], { check: false })).stdout.trim();
  const mainPid = async () => Number(await systemctl("show", "--property=MainPID", "--value", SERVICE));
  const exists = async (path: string) => (await box!.exec(["test", "-e", path], { check: false })).code === 0;

  // What the tests hand on to each other: they run in order, as an admin's session would.
  let oauth: { client_id: string; access_token: string; refresh_token: string };
  let staticToken = "";

  beforeAll(async () => {
    const started = performance.now();
    ensureHostTools();
    cleanStale();
    deb = packageUnderTest();
    const name = uniqueName("deb");
    root = freshRoot(name);
    box = await Container.boot(root, name);
    copyFileSync(deb, join(root, "root", basename(deb)));
    log(`package test ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }, BOOT_TIMEOUT);

  afterAll(async () => {
    await box?.destroy();
    if (!box && root) rmSync(root, { recursive: true, force: true });
  }, 60_000);

  test(
    "apt-get install ./mcp-appliance_*.deb: the service runs as its own user and answers /healthz",
    async () => {
      const started = performance.now();
      await apt(["install", `./${basename(deb)}`]);
      log(`apt-get install took ${((performance.now() - started) / 1000).toFixed(1)} s`);

      expect(await box!.exec(["dpkg-query", "--show", "--showformat=${Status} ${Version}", "mcp-appliance"]).then((r) => r.stdout)).toBe(
        `install ok installed ${debField(deb, "Version")}`,
      );
      const account = (await box!.exec(["getent", "passwd", USER])).stdout.trim().split(":");
      expect(Number(account[2])).toBeLessThan(1000); // a system user
      expect(account[6]).toBe("/usr/sbin/nologin");

      await until(async () => (await systemctl("is-active", SERVICE)) === "active", `${SERVICE} to be active`);
      expect(await systemctl("is-enabled", SERVICE)).toBe("enabled");
      const pid = await mainPid();
      expect(pid).toBeGreaterThan(0);
      expect((await box!.exec(["stat", "--format=%U", `/proc/${pid}`])).stdout.trim()).toBe(USER);
      expect((await box!.exec(["readlink", `/proc/${pid}/exe`])).stdout.trim()).toBe("/usr/bin/mcp-appliance");
      // The unit's hardening holds at run time: no new privileges, no capabilities, a seccomp filter.
      const status = (await box!.exec(["cat", `/proc/${pid}/status`])).stdout;
      expect(/^NoNewPrivs:\s+(\d)/m.exec(status)?.[1]).toBe("1");
      expect(/^CapEff:\s+(\S+)/m.exec(status)?.[1]).toBe("0000000000000000");
      expect(/^CapBnd:\s+(\S+)/m.exec(status)?.[1]).toBe("0000000000000000");
      expect(/^Seccomp:\s+(\d)/m.exec(status)?.[1]).toBe("2");

      await until(async () => (await healthz(box!)) === 200, "/healthz to answer 200");
      const health = await curl(box!, [`${BASE}/healthz`]);
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toMatchObject({ status: "ok", servers: { vault: { path: "/vault/mcp" } } });

      // nftables (recommended) is there: the rules generated from the shipped config are loaded.
      expect(await systemctl("is-active", FIREWALL)).toBe("active");
      expect((await box!.exec(["nft", "list", "table", "inet", "mcp_appliance"])).stdout).toContain("table inet mcp_appliance");

      // The state directory belongs to the service's user and is closed to others.
      const [owner, mode] = (await box!.exec(["stat", "--format=%U %a", "/var/lib/mcp-appliance"])).stdout.trim().split(" ");
      expect(owner).toBe(USER);
      expect(Number.parseInt(mode!, 8) & 0o007).toBe(0);
    },
    STEP_TIMEOUT,
  );

  test("an MCP request without a token: 401 with a Bearer challenge naming the resource metadata", async () => {
    const answer = await curl(box!, [
      "-X",
      "POST",
      VAULT,
      "-H",
      "content-type: application/json",
      "-H",
      "accept: application/json, text/event-stream",
      "--data",
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: "curl", version: "1" } },
      }),
    ]);
    expect(answer.status).toBe(401);
    expect(answer.headers["www-authenticate"]).toStartWith("Bearer ");
    expect(answer.headers["www-authenticate"]).toContain(`resource_metadata="${BASE}/.well-known/oauth-protected-resource/vault/mcp"`);
  });

  test(
    "passwd run as the service's user, then a client through the whole OAuth flow reaches the vault",
    async () => {
      const passwd = await box!.exec(["mcp-appliance", "passwd", "--config", "/etc/mcp.toml"], {
        user: USER,
        input: `${OWNER_PASSWORD}\n`,
      });
      expect(passwd.stdout + passwd.stderr).toContain("password");
      // Every file the state holds still belongs to the service's user.
      expect((await box!.exec(["find", "/var/lib/mcp-appliance", "!", "-user", USER])).stdout).toBe("");

      oauth = await client(box!, "oauth", { base: BASE, server: "vault", password: OWNER_PASSWORD });
      expect(oauth.access_token).toBeTruthy();
      expect(oauth.refresh_token).toBeTruthy();

      const run = await client<McpRun>(box!, "mcp", {
        url: VAULT,
        token: oauth.access_token,
        calls: [
          TOOLS_LIST,
          {
            method: "tools/call",
            params: { name: "write_note", arguments: { name: "install-test.md", content: "written before the upgrade" } },
          },
        ],
      });
      expect(run.initialize.status).toBe(200);
      expect(run.initialize.session).toBeTruthy();
      expect(toolNames(run)).toEqual(expect.arrayContaining(["list_notes", "read_note", "search_notes", "write_note"]));
      expect(run.results[1]?.status).toBe(200);
      expect(run.results[1]?.message.error).toBeUndefined();
      // The vault wrote into the state directory, as the service's user.
      expect((await box!.exec(["stat", "--format=%U", "/var/lib/mcp-appliance/vault/install-test.md"])).stdout.trim()).toBe(USER);
    },
    STEP_TIMEOUT,
  );

  test(
    "a static API token made with `token add` opens the vault: initialize and tools/list with curl",
    async () => {
      const added = await box!.exec(["mcp-appliance", "token", "add", "install-test", "--server", "vault", "--config", "/etc/mcp.toml"], {
        user: USER,
      });
      staticToken = /Token:\s+(\S+)/.exec(added.stdout)?.[1] ?? "";
      expect(staticToken).toStartWith("mcpt_");

      const headers = [
        "-H",
        "content-type: application/json",
        "-H",
        "accept: application/json, text/event-stream",
        "-H",
        `authorization: Bearer ${staticToken}`,
      ];
      const opened = await curl(box!, [
        "-X",
        "POST",
        VAULT,
        ...headers,
        "--data",
        JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: "curl", version: "1" } },
        }),
      ]);
      expect(opened.status).toBe(200);
      const session = opened.headers["mcp-session-id"] ?? "";
      expect(session).not.toBe("");
      expect(JSON.parse(opened.body).result.serverInfo.name).toBe("vault");

      const withSession = [...headers, "-H", `mcp-session-id: ${session}`, "-H", `mcp-protocol-version: ${PROTOCOL}`];
      const initialized = await curl(box!, [
        "-X",
        "POST",
        VAULT,
        ...withSession,
        "--data",
        JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
      ]);
      expect(initialized.status).toBe(202);
      const listed = await curl(box!, [
        "-X",
        "POST",
        VAULT,
        ...withSession,
        "--data",
        JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
      ]);
      expect(listed.status).toBe(200);
      const body = listed.headers["content-type"]?.startsWith("text/event-stream")
        ? listed.body
            .split("\n")
            .filter((line) => line.startsWith("data:"))
            .at(-1)!
            .slice(5)
        : listed.body;
      expect((JSON.parse(body).result.tools as { name: string }[]).map((tool) => tool.name)).toContain("read_note");
      const closed = await curl(box!, ["-X", "DELETE", VAULT, ...withSession]);
      expect([200, 204]).toContain(closed.status);
    },
    STEP_TIMEOUT,
  );

  test(
    "upgrade to a newer build: the edited config and the state are kept, tokens still valid, the service restarted",
    async () => {
      // The admin's edit, one that /healthz shows: fewer sessions for the vault.
      await box!.exec(["sed", "-i", "/^\\[servers\\.vault\\]$/a max_sessions = 7", "/etc/mcp.toml"]);
      expect((await box!.exec(["mcp-appliance", "validate", "--config", "/etc/mcp.toml"])).stdout).toContain("Valid configuration");
      const before = await mainPid();
      expect(before).toBeGreaterThan(0);

      const newer = newerBuild(deb, join(root, "root"));
      expect((await box!.exec(["dpkg", "--compare-versions", newer.version, "gt", debField(deb, "Version")], { check: false })).code).toBe(
        0,
      );
      const started = performance.now();
      await apt(["install", `./${basename(newer.deb)}`]);
      log(`apt-get install (upgrade) took ${((performance.now() - started) / 1000).toFixed(1)} s`);
      expect((await box!.exec(["dpkg-query", "--show", "--showformat=${Status} ${Version}", "mcp-appliance"])).stdout).toBe(
        `install ok installed ${newer.version}`,
      );

      // The edited conffile stays; the newer default lands beside it.
      const config = (await box!.exec(["cat", "/etc/mcp.toml"])).stdout;
      expect(config).toContain("\nmax_sessions = 7\n");
      expect(config).not.toContain(newer.addedLine);
      expect((await box!.exec(["cat", "/etc/mcp.toml.dpkg-dist"])).stdout).toContain(newer.addedLine);

      // Restarted: a new process, serving.
      await until(
        async () => (await systemctl("is-active", SERVICE)) === "active" && (await mainPid()) !== before && (await healthz(box!)) === 200,
        "the restarted service",
      );
      const after = await mainPid();
      expect(after).not.toBe(before);
      expect((await box!.exec(["stat", "--format=%U", `/proc/${after}`])).stdout.trim()).toBe(USER);
      // It runs with the edited configuration.
      expect(JSON.parse((await curl(box!, [`${BASE}/healthz`])).body).servers.vault.max_sessions).toBe(7);

      // The state: the static token, the OAuth access token, the refresh token and the note.
      const byStatic = await client<McpRun>(box!, "mcp", { url: VAULT, token: staticToken, calls: [TOOLS_LIST] });
      expect(byStatic.initialize.status).toBe(200);
      expect(toolNames(byStatic)).toContain("read_note");
      const byOAuth = await client<McpRun>(box!, "mcp", {
        url: VAULT,
        token: oauth.access_token,
        calls: [{ method: "tools/call", params: { name: "read_note", arguments: { name: "install-test.md" } } }],
      });
      expect(byOAuth.initialize.status).toBe(200);
      expect(JSON.stringify(byOAuth.results[0]?.message.result)).toContain("written before the upgrade");
      const refreshed = await client<{ access_token: string }>(box!, "refresh", {
        base: BASE,
        client_id: oauth.client_id,
        refresh_token: oauth.refresh_token,
      });
      expect((await client<McpRun>(box!, "mcp", { url: VAULT, token: refreshed.access_token, calls: [] })).initialize.status).toBe(200);
    },
    STEP_TIMEOUT,
  );

  test(
    "apt-get remove: the service stops and the executable goes; the config and the state stay",
    async () => {
      const pid = await mainPid();
      await apt(["remove", "mcp-appliance"]);
      expect(await systemctl("is-active", SERVICE)).toBe("inactive");
      expect(await exists(`/proc/${pid}`)).toBe(false);
      expect(await healthz(box!)).toBe(0); // nothing listens any more
      expect(await exists("/usr/bin/mcp-appliance")).toBe(false);
      expect(await systemctl("is-active", FIREWALL)).toBe("inactive");
      expect((await box!.exec(["nft", "list", "table", "inet", "mcp_appliance"], { check: false })).code).not.toBe(0);
      expect((await box!.exec(["dpkg-query", "--show", "--showformat=${Status}", "mcp-appliance"])).stdout).toBe(
        "deinstall ok config-files",
      );
      expect((await box!.exec(["cat", "/etc/mcp.toml"])).stdout).toContain("\nmax_sessions = 7\n");
      expect(await exists("/var/lib/mcp-appliance/state.db")).toBe(true);
      expect(await exists("/var/lib/mcp-appliance/vault/install-test.md")).toBe(true);
    },
    STEP_TIMEOUT,
  );

  test(
    "apt-get purge: nothing is left but the user and its group",
    async () => {
      await apt(["purge", "mcp-appliance"]);
      expect((await box!.exec(["dpkg-query", "--show", "--showformat=${Status}", "mcp-appliance"], { check: false })).stdout).not.toContain(
        "installed",
      );
      const gone = [
        "/etc/mcp.toml",
        "/etc/mcp.toml.dpkg-dist",
        "/etc/mcp-appliance",
        "/var/lib/mcp-appliance",
        "/var/cache/mcp-appliance",
        "/usr/lib/systemd/system/mcp-appliance.service",
        "/usr/lib/systemd/system/mcp-appliance-firewall.service",
      ];
      for (const path of gone) {
        expect({ path, exists: await exists(path) }).toEqual({ path, exists: false });
      }
      expect(
        (await box!.exec(["sh", "-c", "ls /etc/systemd/system/*/mcp-appliance* /etc/systemd/system/mcp-appliance* 2>/dev/null || true"]))
          .stdout,
      ).toBe("");
      // No file anywhere belongs to the user any more, and the user is still there.
      expect((await box!.exec(["find", "/", "-xdev", "-user", USER])).stdout).toBe("");
      expect((await box!.exec(["getent", "passwd", USER])).stdout).toStartWith(`${USER}:`);
      expect((await box!.exec(["getent", "group", USER])).stdout).toStartWith(`${USER}:`);
    },
    STEP_TIMEOUT,
  );
});

describe("the single executable alone in a bare Debian 12 root", () => {
  let box: Container | undefined;

  beforeAll(async () => {
    ensureHostTools();
    const name = uniqueName("exe");
    const root = freshRoot(name);
    copyFileSync(join(ROOT, "dist", "mcp-appliance"), join(root, "mcp-appliance"));
    chmodSync(join(root, "mcp-appliance"), 0o755);
    writeFileSync(
      join(root, "etc", "mcp.toml"),
      [
        'listen = "127.0.0.1:3001"',
        'state_dir = "/var/lib/mcp-appliance"',
        'auth = "oauth"',
        "",
        "[servers.vault]",
        'command = "/mcp-appliance"',
        'args = ["demo-vault-server", "--dir", "/tmp/vault"]',
        "",
      ].join("\n"),
    );
    // No init system: the executable is the container's one program (nspawn's stub init is PID 1).
    box = await Container.start(root, name, ["/mcp-appliance", "--config", "/etc/mcp.toml"]);
  }, BOOT_TIMEOUT);

  afterAll(async () => {
    await box?.destroy();
  }, 60_000);

  test(
    "it serves /healthz, its stylesheet and the login page, and a client through OAuth reaches the stdio server",
    async () => {
      await until(async () => (await healthz(box!)) === 200, `/healthz of the executable\n${box!.consoleTail()}`);
      const health = await curl(box!, [`${BASE}/healthz`]);
      expect(JSON.parse(health.body)).toMatchObject({ status: "ok", servers: { vault: { path: "/vault/mcp" } } });

      const css = await curl(box!, [`${BASE}/assets/pages.css`]);
      expect(css.status).toBe(200);
      expect(css.headers["content-type"]).toStartWith("text/css");
      expect(css.body.length).toBeGreaterThan(100);

      // The login page of an authorization request by a registered client.
      const registered = await curl(box!, [
        "-X",
        "POST",
        `${BASE}/register`,
        "-H",
        "content-type: application/json",
        "--data",
        JSON.stringify({ client_name: "bare root", redirect_uris: ["http://127.0.0.1:9/cb"], token_endpoint_auth_method: "none" }),
      ]);
      expect(registered.status).toBe(201);
      const query = new URLSearchParams({
        response_type: "code",
        client_id: JSON.parse(registered.body).client_id,
        redirect_uri: "http://127.0.0.1:9/cb",
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        code_challenge_method: "S256",
        state: "s",
      });
      const page = await curl(box!, [`${BASE}/authorize?${query}`]);
      expect(page.status).toBe(200);
      expect(page.headers["content-type"]).toStartWith("text/html");
      expect(page.body).toContain('type="password"');
      expect(page.body).toContain("/assets/pages.css");

      // The owner's password, set by root in the running container; then the whole flow.
      await box!.exec(["/mcp-appliance", "passwd", "--config", "/etc/mcp.toml"], { input: `${OWNER_PASSWORD}\n` });
      const tokens = await client<{ access_token: string }>(box!, "oauth", { base: BASE, server: "vault", password: OWNER_PASSWORD });
      const run = await client<McpRun>(box!, "mcp", {
        url: VAULT,
        token: tokens.access_token,
        calls: [
          TOOLS_LIST,
          { method: "tools/call", params: { name: "write_note", arguments: { name: "bare.md", content: "from the bare root" } } },
        ],
      });
      expect(run.initialize.status).toBe(200);
      expect(toolNames(run)).toContain("write_note");
      expect(run.results[1]?.message.error).toBeUndefined();
      expect((await box!.exec(["cat", "/tmp/vault/bare.md"])).stdout).toBe("from the bare root");
    },
    STEP_TIMEOUT,
  );
});
