// Starts the real appliance on port 0 for a test, with its log lines captured in memory.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { type RunningAppliance, type StartOptions, startAppliance } from "../../src/app.ts";
import { defaultLimitsConfig } from "../../src/config/limits.ts";
import { defaultOAuthConfig } from "../../src/config/oauth.ts";
import type { AppConfig, StdioServerConfig } from "../../src/config/types.ts";
import { createLogger } from "../../src/log.ts";

export const FIXTURES = join(import.meta.dir, "..", "fixtures");
export const BUN = process.execPath;

export function stdioServer(name: string, script: string, overrides: Partial<StdioServerConfig> = {}): StdioServerConfig {
  return {
    name,
    command: BUN,
    args: [join(FIXTURES, script)],
    env: {},
    passEnv: [],
    path: `/${name}/mcp`,
    ssePath: `/${name}/sse`,
    idleTimeoutMs: 10 * 60_000,
    maxSessions: 16,
    maxMessageBytes: 16 * 1024 * 1024,
    requestTimeoutMs: 60_000,
    sharing: "session",
    ...overrides,
  };
}

export interface TestAppliance extends RunningAppliance {
  config: AppConfig;
  logs: string[];
  mcpUrl(server: string): URL;
}

export async function startTestAppliance(
  servers: StdioServerConfig[],
  overrides: Partial<AppConfig> & { oauthOverrides?: Partial<AppConfig["oauth"]>; limitsOverrides?: Partial<AppConfig["limits"]> } = {},
  options: StartOptions = {},
): Promise<TestAppliance> {
  const { oauthOverrides, limitsOverrides, ...configOverrides } = overrides;
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line) logs.push(line);
      done();
    },
  });
  const config: AppConfig = {
    file: "<test>",
    listen: { host: "127.0.0.1", port: 0 },
    extraHosts: [],
    allowedOrigins: [],
    stateDir: mkdtempSync(join(tmpdir(), "mcp-appliance-test-")),
    trustProxy: [],
    auth: "none",
    log: { level: "debug" },
    oauth: defaultOAuthConfig(),
    servers,
    httpServers: [],
    limits: defaultLimitsConfig(),
    firewall: { publicSources: [] },
    ...configOverrides,
  };
  config.oauth = { ...config.oauth, ...oauthOverrides };
  config.limits = { ...config.limits, ...limitsOverrides };
  const running = await startAppliance(config, createLogger("debug", sink), options);
  return {
    ...running,
    config,
    logs,
    mcpUrl: (server) => new URL(config.servers.find((s) => s.name === server)!.path, running.url),
  };
}

/**
 * Is a process still running? A zombie counts as gone: it has exited and only waits for its
 * parent (for an orphan, PID 1) to collect its status.
 */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Every live process of a process group, from /proc. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z") members.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return members;
}

/** Poll until `check` holds (processes take a moment to be reaped); throws with `what` if it never does. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await Bun.sleep(25);
  }
  throw new Error(`timed out waiting until ${what}`);
}
