// [servers.<name>]: one stdio MCP server each.

import * as v from "valibot";
import { quote } from "./describe.ts";
import {
  absolutePath,
  anyString,
  duration,
  envName,
  integerAtLeast,
  nonEmptyString,
  routePath,
  secretString,
  size,
  stringArray,
} from "./fields.ts";
import { hasIssueAt, issuePath } from "./issues.ts";
import { routeConflicts, type RouteClaim } from "./routes.ts";
import type { Env } from "./secrets.ts";
import { closestKey } from "./suggest.ts";
import { isPlainTable, namedTables, table } from "./table.ts";
import { unreleasedServerEntries } from "./unreleased.ts";

export const SERVER_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const serverName = v.pipe(
  v.string(),
  v.regex(SERVER_NAME, `a server name must match /${SERVER_NAME.source}/ (lowercase letters, digits, "_" and "-"; at most 63 characters)`),
);

// Timers longer than 2^31-1 ms (about 24.8 days) fire immediately in JavaScript runtimes.
const LONGEST_TIMER_MS = 24 * 86_400_000;

const KiB = 1024;
const GiB = 1024 ** 3;

function serverEntries(env: Env) {
  return {
    command: v.optional(nonEmptyString(`a command such as "node"`)),
    args: v.optional(stringArray(anyString), []),
    cwd: v.optional(absolutePath),
    env: v.optional(namedTables(envName, secretString(env), "a table of environment variables"), {}),
    pass_env: v.optional(stringArray(envName, "an array of environment variable names"), []),
    path: v.optional(routePath),
    sse_path: v.optional(routePath),
    idle_timeout: v.optional(duration(1, LONGEST_TIMER_MS), "30m"),
    max_sessions: v.optional(integerAtLeast(1), 16),
    max_message_size: v.optional(size(KiB, GiB), "16MiB"),
    request_timeout: v.optional(duration(1, LONGEST_TIMER_MS), "5m"),
    ...unreleasedServerEntries,
  };
}

function serverTable(env: Env, hint: (key: string) => string | undefined) {
  return v.pipe(
    table(serverEntries(env), { hint }),
    // Required, but not reported on top of the error of an HTTP upstream server ("url") or of
    // a misspelt command ("comand: unknown key (did you mean "command"?)").
    v.rawCheck(({ dataset, addIssue }) => {
      const server = dataset.value;
      if (!isPlainTable(server) || server.command !== undefined || server.url !== undefined) return;
      if (Object.keys(server).some((key) => closestKey(key, ["command"]) !== undefined)) return;
      addIssue({
        message: `this key is required: the program to run, e.g. command = "node"`,
        path: issuePath("command"),
      });
    }),
  );
}

/** Where a server is served when its table does not say: /<name>/mcp and /<name>/sse. */
export function serverPaths(name: string, server: { path?: string; sse_path?: string }) {
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
        if (!hasIssueAt(dataset.issues, [name, "sse_path"])) {
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
