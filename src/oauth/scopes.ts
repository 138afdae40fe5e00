// Scopes: one per served MCP server, "mcp:<server name>", and offline_access.

import type { Result } from "../common/result.ts";
import type { ClientRecord } from "../store/index.ts";

/**
 * OpenID Connect Core §11: a request for a refresh token. Every client allowed the refresh_token
 * grant gets one anyway, so it is accepted (never an error) and changes nothing; it is listed in
 * the authorization server's scopes_supported only, never as a resource's scope (SEP-2207).
 */
export const OFFLINE_ACCESS = "offline_access";

export function serverScope(serverName: string): string {
  return `mcp:${serverName}`;
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ): printable ASCII but space, '"', '\'.
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * RFC 6749 §3.3: "a list of space-delimited, case-sensitive strings"; the order does not matter,
 * so duplicates are dropped. Runs of spaces are tolerated; any other whitespace is not.
 */
export function parseScope(text: string): Result<string[]> {
  const tokens = text.split(" ").filter((token) => token !== "");
  const bad = tokens.find((token) => !SCOPE_TOKEN.test(token));
  if (bad !== undefined) return { ok: false, error: "a scope may only hold printable ASCII other than a double quote or backslash" };
  return { ok: true, value: [...new Set(tokens)] };
}

/** The scope parameter value: space-delimited, duplicates dropped, first-seen order kept. */
export function formatScope(scopes: Iterable<string>): string {
  return [...new Set(scopes)].join(" ");
}

/** Does the granted scope include every required one? (RFC 6750 §3.1 insufficient_scope when not.) */
export function scopeCovers(granted: readonly string[], required: readonly string[]): boolean {
  const have = new Set(granted);
  return required.every((scope) => have.has(scope));
}

/**
 * The scopes a client may be granted, or undefined when any served server's. RFC 6749 §3.3: the
 * server decides by its policy; a pre-registered client's configured scope is the owner's policy.
 * A dynamically registered or metadata-document client's scope is its own claim about itself:
 * anyone may register another client with any scope, so holding it to one protects no one and
 * only breaks clients that reuse one registration for several servers.
 */
export function clientScopeLimit(client: Pick<ClientRecord, "kind" | "scope">): ReadonlySet<string> | undefined {
  if (client.kind !== "preregistered" || client.scope === undefined) return undefined;
  return new Set(client.scope.split(" ").filter((scope) => scope !== ""));
}

/** Does the client's limit (clientScopeLimit) allow every one of `scopes`? */
export function clientMayHave(limit: ReadonlySet<string> | undefined, scopes: readonly string[]): boolean {
  return limit === undefined || scopes.every((scope) => limit.has(scope));
}
