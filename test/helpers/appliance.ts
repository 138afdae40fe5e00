// Starts the real appliance on port 0 for a test, with its log lines captured in memory.
import { mkdtempSync } from "node:fs";
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
    restartBackoffMs: 1000,
    restartBackoffMaxMs: 60_000,
    cacheTtlMs: 60_000,
    cacheScope: "private",
    protocol: "2025",
    ...overrides,
  };
}

/**
 * The configuration a test starts from: these servers on 127.0.0.1 port 0, a fresh state
 * directory, no authentication, every other section at its default; `overrides` replace whole keys.
 */
export function testConfig(servers: StdioServerConfig[], overrides: Partial<AppConfig> = {}): AppConfig {
  return {
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
  const config = testConfig(servers, configOverrides);
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

/** Poll until `check` holds (processes take a moment to be reaped); throws with `what` if it never does. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await Bun.sleep(25);
  }
  throw new Error(`timed out waiting until ${what}`);
}
