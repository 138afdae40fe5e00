// The whole file: top-level keys, [log], [servers.<name>], and the rules that span keys.
// Snake_case keys become the camelCase AppConfig in the final transform.

import * as v from "valibot";
import {
  absolutePath,
  allowedOrigin,
  hostName,
  ipOrCidr,
  listenAddress,
  oneOf,
  publicUrl,
  stringArray,
} from "./fields.ts";
import { hasIssueAt, issuePath } from "./issues.ts";
import { formatListen, isLoopbackHost } from "./net.ts";
import type { Env } from "./secrets.ts";
import { serverPaths, serversSchema } from "./server.ts";
import { table } from "./table.ts";
import type { AppConfig, ListenAddress, StdioServerConfig } from "./types.ts";
import { oauthNotAvailableYet, unreleasedTopLevelHint } from "./unreleased.ts";

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error"] as const;

function topLevelEntries(env: Env) {
  // After a [table] header every key belongs to that table; a top-level key found there was
  // almost certainly meant for the top, above the first header.
  const misplaced = (key: string): string | undefined =>
    Object.hasOwn(entries, key) ? `"${key}" is a top-level key: move it above the first [table] header` : undefined;
  const entries = {
    listen: v.optional(listenAddress, "127.0.0.1:3001"),
    public_url: v.optional(publicUrl),
    extra_hosts: v.optional(stringArray(hostName, "an array of host names"), []),
    allowed_origins: v.optional(stringArray(allowedOrigin, "an array of origins"), []),
    state_dir: v.optional(absolutePath, "/var/lib/mcp-appliance"),
    trust_proxy: v.optional(stringArray(ipOrCidr, "an array of IP addresses or CIDRs"), []),
    auth: v.optional(oneOf(["oauth", "none"]), "oauth"),
    log: v.optional(table({ level: v.optional(oneOf(LOG_LEVELS), "info") }, { hint: misplaced }), {}),
    servers: v.optional(serversSchema(env, misplaced), {}),
  };
  return entries;
}

// Without authentication anyone who can reach the port can drive the servers; on a loopback
// address that is only the local machine.
function authNoneNeedsLoopback<TFile extends { auth: "oauth" | "none"; listen: ListenAddress }>() {
  return v.rawCheck<TFile>(({ dataset, addIssue }) => {
    if (hasIssueAt(dataset.issues, ["auth"]) || hasIssueAt(dataset.issues, ["listen"])) return;
    const { auth, listen } = dataset.value as TFile;
    if (auth !== "none" || isLoopbackHost(listen.host)) return;
    addIssue({
      message: `"none" needs a loopback listen address (listen is ${formatListen(listen)})`,
      path: issuePath("auth"),
    });
  });
}

function topLevelTable(env: Env) {
  return table(topLevelEntries(env), { hint: unreleasedTopLevelHint });
}

type FileOutput = v.InferOutput<ReturnType<typeof topLevelTable>>;

/** The schema of the file; `env` is where "env:NAME" secrets are looked up. */
export function configSchema(env: Env) {
  return v.pipe(
    topLevelTable(env),
    // Rules across keys: they run even when other keys have problems, to report everything at once.
    authNoneNeedsLoopback<FileOutput>(),
    oauthNotAvailableYet<FileOutput>(),
    v.transform(toAppConfig),
  );
}

function toAppConfig(file: FileOutput): Omit<AppConfig, "file"> {
  return {
    listen: file.listen,
    ...(file.public_url !== undefined && { publicUrl: file.public_url }),
    extraHosts: file.extra_hosts,
    allowedOrigins: file.allowed_origins,
    stateDir: file.state_dir,
    trustProxy: file.trust_proxy,
    auth: file.auth,
    log: { level: file.log.level },
    servers: Object.entries(file.servers).map(([name, server]): StdioServerConfig => ({
      name,
      // Checked by the server table: only HTTP upstream servers, refused for now, lack it.
      command: server.command as string,
      args: server.args,
      ...(server.cwd !== undefined && { cwd: server.cwd }),
      env: server.env,
      passEnv: server.pass_env,
      ...serverPaths(name, server),
      idleTimeoutMs: server.idle_timeout,
      maxSessions: server.max_sessions,
      maxMessageBytes: server.max_message_size,
      requestTimeoutMs: server.request_timeout,
    })),
  };
}
