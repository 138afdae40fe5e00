// The built-in demo: the vault server of this program at /vault/mcp on a loopback address,
// behind the authorization server (or, with `auth: "none"`, without it), notes and state kept
// in `home`, the user's private demo directory (demo-home.ts).
import { join } from "node:path";
import { defaultLimitsConfig } from "../config/limits.ts";
import { defaultOAuthConfig } from "../config/oauth.ts";
import type { AppConfig, ListenAddress } from "../config/types.ts";

export function demoConfig(
  self: { command: string; args: string[] },
  listen: ListenAddress,
  auth: "oauth" | "none",
  home: string,
): AppConfig {
  return {
    file: "<built-in demo>",
    listen,
    extraHosts: [],
    allowedOrigins: [],
    stateDir: join(home, "state"),
    trustProxy: [],
    auth,
    log: { level: "info" },
    oauth: defaultOAuthConfig(),
    servers: [
      {
        name: "vault",
        command: self.command,
        args: [...self.args, "demo-vault-server", "--dir", join(home, "vault")],
        env: {},
        passEnv: [],
        path: "/vault/mcp",
        ssePath: "/vault/sse",
        idleTimeoutMs: 30 * 60_000,
        maxSessions: 16,
        maxMessageBytes: 16 * 1024 * 1024,
        requestTimeoutMs: 5 * 60_000,
        sharing: "session",
        restartBackoffMs: 1000,
        restartBackoffMaxMs: 60_000,
        cacheTtlMs: 60_000,
        cacheScope: "private",
        protocol: "auto",
      },
    ],
    httpServers: [],
    limits: defaultLimitsConfig(),
    firewall: { publicSources: [] },
  };
}

export function demoNotesFolder(config: AppConfig): string {
  const args = config.servers[0]?.args ?? [];
  return args[args.indexOf("--dir") + 1] ?? "";
}
