// Scopes: one per served MCP server, "mcp:<server name>".

import type { Result } from "../common/result.ts";

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
