// [servers.<name>]: a stdio MCP server (`command`, child processes per session, per client or
// one for everyone: `sharing`) or an HTTP
// MCP server the appliance proxies to (`url`). Both kinds share one namespace of names and
// one set of paths.

import * as v from "valibot";
import { quote } from "./describe.ts";
import {
  absolutePath,
  anyString,
  boolean,
  duration,
  envName,
  integerAtLeast,
  nonEmptyString,
  oneOf,
  routePath,
  secretString,
  size,
  stringArray,
} from "./fields.ts";
import { hasIssueAt, issuePath } from "./issues.ts";
import { type RouteClaim, routeConflicts } from "./routes.ts";
import type { Env } from "./secrets.ts";
import { closestKey } from "./suggest.ts";
import { isPlainTable, namedTables, table } from "./table.ts";
import { CACHE_SCOPES, CHILD_PROTOCOLS, type HttpServerConfig, SHARING_MODES, type StdioServerConfig } from "./types.ts";
import { identityHeader, upstreamHeaders, upstreamRules, upstreamUrl } from "./upstream.ts";

const SERVER_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const serverName = v.pipe(
  v.string(),
  v.regex(SERVER_NAME, `a server name must match /${SERVER_NAME.source}/ (lowercase letters, digits, "_" and "-"; at most 63 characters)`),
);

// Timers longer than 2^31-1 ms (about 24.8 days) fire immediately in JavaScript runtimes.
const LONGEST_TIMER_MS = 24 * 86_400_000;

const KiB = 1024;
const GiB = 1024 ** 3;

// Keys of one kind of server only. They have no schema defaults (the conversion below fills
// them in), so that a key found in the validated table is a key written in the file.
const STDIO_KEYS = [
  "command",
  "args",
  "cwd",
  "env",
  "pass_env",
  "sse_path",
  "idle_timeout",
  "max_sessions",
  "request_timeout",
  "sharing",
  "restart_backoff",
  "restart_backoff_max",
  "cache_ttl",
  "cache_scope",
  "protocol",
];
const HTTP_KEYS = ["url", "headers", "identity_header", "upstream_timeout", "allow_remote_upstream"];

// In the order of the documentation, which is the order problems are reported in.
function serverEntries(env: Env) {
  return {
    command: v.optional(nonEmptyString(`a command such as "node"`)),
    args: v.optional(stringArray(anyString)),
    cwd: v.optional(absolutePath),
    env: v.optional(namedTables(envName, secretString(env), "a table of environment variables")),
    pass_env: v.optional(stringArray(envName, "an array of environment variable names")),
    url: v.optional(upstreamUrl),
    headers: v.optional(upstreamHeaders(env)),
    identity_header: v.optional(identityHeader),
    path: v.optional(routePath),
    sse_path: v.optional(routePath),
    idle_timeout: v.optional(duration(1, LONGEST_TIMER_MS)),
    max_sessions: v.optional(integerAtLeast(1)),
    max_message_size: v.optional(size(KiB, GiB), "16MiB"),
    request_timeout: v.optional(duration(1, LONGEST_TIMER_MS)),
    sharing: v.optional(oneOf(SHARING_MODES)),
    restart_backoff: v.optional(duration(1, LONGEST_TIMER_MS)),
    restart_backoff_max: v.optional(duration(1, LONGEST_TIMER_MS)),
    cache_ttl: v.optional(duration(0, LONGEST_TIMER_MS)),
    cache_scope: v.optional(oneOf(CACHE_SCOPES)),
    protocol: v.optional(oneOf(CHILD_PROTOCOLS)),
    upstream_timeout: v.optional(duration(1, LONGEST_TIMER_MS)),
    allow_remote_upstream: v.optional(boolean),
  };
}

const REQUIRED = `the program to run, e.g. command = "node", or the URL of an HTTP MCP server, e.g. url = "http://127.0.0.1:4000/mcp"`;

function serverTable(env: Env, hint: (key: string) => string | undefined) {
  return v.pipe(
    table(serverEntries(env), { hint }),
    v.rawCheck(({ dataset, addIssue }) => {
      const server = dataset.value;
      if (!isPlainTable(server)) return;
      const written = (key: string) => server[key] !== undefined;
      if (written("command") && written("url")) {
        addIssue({ message: `a server runs a program (command) or proxies to an HTTP MCP server (url), not both`, path: issuePath("url") });
        return;
      }
      if (!written("command") && !written("url")) {
        // Not reported on top of a misspelling's error ("comand: unknown key (did you mean "command"?)").
        if (Object.keys(server).some((key) => closestKey(key, ["command", "url"]) !== undefined)) return;
        addIssue({ message: `this key is required: ${REQUIRED}`, path: issuePath("command") });
        return;
      }
      const [kind, others, otherKind] = written("url")
        ? (["url", STDIO_KEYS, "a program run by the appliance (command)"] as const)
        : (["command", HTTP_KEYS, "an HTTP MCP server (url)"] as const);
      for (const key of others.filter(written)) {
        addIssue({ message: `only for ${otherKind}; this server has ${kind}`, path: issuePath(key) });
      }
      for (const problem of upstreamRules(server, dataset.issues)) addIssue({ message: problem.message, path: issuePath(problem.key) });
      const backoff = backoffProblem(server);
      if (backoff) addIssue({ message: backoff, path: issuePath("restart_backoff_max") });
    }),
  );
}

/** The back-off doubles from restart_backoff up to restart_backoff_max: a cap below the start is a mistake. */
function backoffProblem(server: Record<string, unknown>): string | undefined {
  const start = server.restart_backoff ?? ms(DEFAULTS.restart_backoff);
  const max = server.restart_backoff_max ?? ms(DEFAULTS.restart_backoff_max);
  if (typeof start !== "number" || typeof max !== "number" || max >= start) return undefined;
  const which = server.restart_backoff === undefined ? `the default restart_backoff (${DEFAULTS.restart_backoff})` : "restart_backoff";
  return `must be at least ${which}: the wait before a failed shared child starts again doubles from restart_backoff up to restart_backoff_max`;
}

/** Where a server is served when its table does not say: /<name>/mcp and /<name>/sse. */
function serverPaths(name: string, server: { path?: string; sse_path?: string }) {
  return { path: server.path ?? `/${name}/mcp`, ssePath: server.sse_path ?? `/${name}/sse` };
}

/** [servers.<name>] tables: at least one, each on paths of its own. */
export function serversSchema(env: Env, hint: (key: string) => string | undefined) {
  return v.pipe(
    namedTables(serverName, serverTable(env, hint), "a table of [servers.<name>] tables"),
    v.check((servers) => Object.keys(servers).length > 0, "at least one [servers.<name>] table is needed"),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!isPlainTable(dataset.value)) return;
      const claims: RouteClaim[] = [];
      for (const [name, server] of Object.entries(dataset.value)) {
        if (!isPlainTable(server)) continue;
        const { path, ssePath } = serverPaths(name, server as { path?: string; sse_path?: string });
        const byDefault = "the default";
        if (!hasIssueAt(dataset.issues, [name, "path"])) {
          claims.push({ key: ["servers", name, "path"], path, ...(server.path === undefined && { origin: byDefault }) });
        }
        // An HTTP upstream server is served at its path only: there is no legacy SSE endpoint.
        if (server.url === undefined && !hasIssueAt(dataset.issues, [name, "sse_path"])) {
          const key = ["servers", name, "sse_path"];
          claims.push({ key, path: ssePath, ...(server.sse_path === undefined && { origin: byDefault }) });
          // The legacy HTTP+SSE transport also receives messages on <sse_path>/message.
          claims.push({ key, path: `${ssePath}/message`, origin: `the message endpoint of ${quote(ssePath)}` });
        }
      }
      for (const problem of routeConflicts(claims)) {
        addIssue({ message: problem.message, path: issuePath(...problem.key.slice(1)) });
      }
    }),
  );
}

type ServerOutput = v.InferOutput<ReturnType<typeof serverTable>>;

// The defaults of the keys that have none in the schema, written as in the file.
const DEFAULTS = {
  idle_timeout: "30m",
  max_sessions: 16,
  request_timeout: "5m",
  // A child per session, as before sharing existed: servers that keep per-connection state stay correct.
  sharing: "session" as const,
  // A shared child that keeps failing is tried again after 1 s, 2 s, 4 s … at most a minute apart.
  restart_backoff: "1s",
  restart_backoff_max: "60s",
  // MCP 2026-07-28 caching: list and read results may be reused for a minute, by this client only.
  cache_ttl: "60s",
  cache_scope: "private" as const,
  // Learnt from each server at its first spawn: the children of SDKs that serve both eras are used as 2026-07-28 servers.
  protocol: "auto" as const,
  upstream_timeout: "30s",
};
const ms = (text: string) => v.parse(duration(1, LONGEST_TIMER_MS), text);

function toStdioServer(name: string, server: ServerOutput): StdioServerConfig {
  return {
    name,
    // The server table makes sure that a server without url has a command.
    command: server.command as string,
    args: server.args ?? [],
    ...(server.cwd !== undefined && { cwd: server.cwd }),
    env: server.env ?? {},
    passEnv: server.pass_env ?? [],
    ...serverPaths(name, server),
    idleTimeoutMs: server.idle_timeout ?? ms(DEFAULTS.idle_timeout),
    maxSessions: server.max_sessions ?? DEFAULTS.max_sessions,
    maxMessageBytes: server.max_message_size,
    requestTimeoutMs: server.request_timeout ?? ms(DEFAULTS.request_timeout),
    sharing: server.sharing ?? DEFAULTS.sharing,
    restartBackoffMs: server.restart_backoff ?? ms(DEFAULTS.restart_backoff),
    restartBackoffMaxMs: server.restart_backoff_max ?? ms(DEFAULTS.restart_backoff_max),
    cacheTtlMs: server.cache_ttl ?? ms(DEFAULTS.cache_ttl),
    cacheScope: server.cache_scope ?? DEFAULTS.cache_scope,
    protocol: server.protocol ?? DEFAULTS.protocol,
  };
}

function toHttpServer(name: string, server: ServerOutput & { url: string }): HttpServerConfig {
  return {
    name,
    url: server.url,
    headers: server.headers ?? {},
    ...(server.identity_header !== undefined && { identityHeader: server.identity_header }),
    path: serverPaths(name, server).path,
    upstreamTimeoutMs: server.upstream_timeout ?? ms(DEFAULTS.upstream_timeout),
    maxMessageBytes: server.max_message_size,
  };
}

/** The validated [servers.<name>] tables, in file order, split by kind. */
export function toServerConfigs(servers: Record<string, ServerOutput>): { servers: StdioServerConfig[]; httpServers: HttpServerConfig[] } {
  const stdio: StdioServerConfig[] = [];
  const http: HttpServerConfig[] = [];
  for (const [name, server] of Object.entries(servers)) {
    if (server.url !== undefined) http.push(toHttpServer(name, { ...server, url: server.url }));
    else stdio.push(toStdioServer(name, server));
  }
  return { servers: stdio, httpServers: http };
}
