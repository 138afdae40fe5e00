// The whole file: top-level keys, [log], [oauth], [servers.<name>], [limits], [firewall], and
// the rules that span keys.
// Snake_case keys become the camelCase AppConfig in the final transform.

import * as v from "valibot";
import { absolutePath, allowedOrigin, hostName, ipOrCidr, listenAddress, oneOf, publicUrl, stringArray } from "./fields.ts";
import { limitsKeyHint, limitsTable, toLimitsConfig } from "./limits.ts";
import { oauthTable, toOAuthConfig } from "./oauth.ts";
import { clientScopesExist } from "./oauth-clients.ts";
import { authNoneNeedsLoopback, publicUrlNeededForOAuth, resolvePublicUrl } from "./rules.ts";
import type { Env } from "./secrets.ts";
import { serversSchema, toServerConfigs } from "./server.ts";
import { staticTokenServersExist } from "./static-tokens.ts";
import { table } from "./table.ts";
import type { AppConfig } from "./types.ts";

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error"] as const;

// Top-level keys that are tables themselves, written as [headers] rather than above them.
const TABLES = ["log", "oauth", "servers", "limits", "firewall"];

function topLevelEntries(env: Env) {
  // After a [table] header every key belongs to that table; a top-level key found there was
  // almost certainly meant for the top, above the first header. A key of [limits] written in
  // another table (a server's, say) was meant for [limits].
  const misplaced = (key: string): string | undefined =>
    Object.hasOwn(entries, key) && !TABLES.includes(key)
      ? `"${key}" is a top-level key: move it above the first [table] header`
      : limitsKeyHint(key);
  const entries = {
    listen: v.optional(listenAddress, "127.0.0.1:3001"),
    public_url: v.optional(publicUrl),
    extra_hosts: v.optional(stringArray(hostName, "an array of host names"), []),
    allowed_origins: v.optional(stringArray(allowedOrigin, "an array of origins"), []),
    state_dir: v.optional(absolutePath, "/var/lib/mcp-appliance"),
    trust_proxy: v.optional(stringArray(ipOrCidr, "an array of IP addresses or CIDRs"), []),
    auth: v.optional(oneOf(["oauth", "none"]), "oauth"),
    log: v.optional(table({ level: v.optional(oneOf(LOG_LEVELS), "info") }, { hint: misplaced }), {}),
    oauth: v.optional(oauthTable(env, misplaced), {}),
    servers: v.optional(serversSchema(env, misplaced), {}),
    limits: v.optional(limitsTable(misplaced), {}),
    firewall: v.optional(
      table({ public_sources: v.optional(stringArray(ipOrCidr, "an array of IP addresses or CIDRs"), []) }, { hint: misplaced }),
      {},
    ),
  };
  return entries;
}

function topLevelTable(env: Env) {
  return table(topLevelEntries(env), { hint: limitsKeyHint });
}

type FileOutput = v.InferOutput<ReturnType<typeof topLevelTable>>;

/** The schema of the file; `env` is where "env:NAME" secrets are looked up. */
export function configSchema(env: Env) {
  return v.pipe(
    topLevelTable(env),
    // Rules across keys: they run even when other keys have problems, to report everything at once.
    staticTokenServersExist<FileOutput>(),
    clientScopesExist<FileOutput>(),
    publicUrlNeededForOAuth<FileOutput>(),
    authNoneNeedsLoopback<FileOutput>(),
    v.transform(toAppConfig),
  );
}

function toAppConfig(file: FileOutput): Omit<AppConfig, "file"> {
  return {
    listen: file.listen,
    ...withPublicUrl(resolvePublicUrl(file)),
    extraHosts: file.extra_hosts,
    allowedOrigins: file.allowed_origins,
    stateDir: file.state_dir,
    trustProxy: file.trust_proxy,
    auth: file.auth,
    log: { level: file.log.level },
    oauth: toOAuthConfig(file.oauth),
    ...toServerConfigs(file.servers),
    limits: toLimitsConfig(file.limits),
    firewall: { publicSources: file.firewall.public_sources },
  };
}

function withPublicUrl(publicUrl: string | undefined): { publicUrl?: string } {
  return publicUrl === undefined ? {} : { publicUrl };
}
