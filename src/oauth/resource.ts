// Resource indicators (RFC 8707): which MCP server a token is for.
// Served resources are `${issuer}${server.path}`; clients spell them with other case, a default
// port or a trailing slash (Claude.ai and Claude Code add one to origin-only URLs).

import type { Result } from "../common/result.ts";
import { InvalidTarget, type Outcome } from "./errors.ts";

/**
 * The canonical form used for comparison: lowercase scheme and host, no default port (the URL
 * parser does both for http and https), and one trailing slash removed, "https://h/" included.
 * RFC 8707 §2: "MUST be an absolute URI ... MUST NOT include a fragment component".
 * The MCP spec ("Canonical Server URI") asks servers to accept uppercase scheme and host and
 * to treat a trailing slash as the same resource.
 */
export function normalizeResource(uri: string): Result<string> {
  // Checked on the text: the parser drops an empty "#".
  if (uri.includes("#")) return { ok: false, error: "it has a fragment" };
  const url = /^[A-Za-z][A-Za-z0-9+\-.]*:/.test(uri) ? URL.parse(uri) : null;
  if (url === null) return { ok: false, error: "it is not an absolute URI" };
  // A user name never identifies a resource; "https://ours@evil.com" must not look like ours.
  if (url.username !== "" || url.password !== "") return { ok: false, error: "it has a user name or password" };
  let text = url.href;
  // Remove one trailing slash from the path (not from the query), whether or not a query follows.
  const pathEnd = url.search === "" ? text.length : text.length - url.search.length;
  if (text[pathEnd - 1] === "/" && url.pathname !== "") text = text.slice(0, pathEnd - 1) + text.slice(pathEnd);
  return { ok: true, value: text };
}

/** The served resource the requested one names (as the served list spells it), or undefined. */
export function matchResource(requested: string, served: readonly string[]): string | undefined {
  const wanted = normalizeResource(requested);
  if (!wanted.ok) return undefined;
  return served.find((resource) => {
    const candidate = normalizeResource(resource);
    return candidate.ok && candidate.value === wanted.value;
  });
}

/**
 * The resource a grant is bound to, or the error to send. RFC 8707 §2: a resource the server
 * does not accept is "invalid_target". A missing resource means the single served MCP URL
 * (clients of the 2025-03-26 spec send none); with several served, the client must say which.
 */
export function resolveResource(requested: string | undefined, served: readonly string[]): Outcome<string> {
  if (requested === undefined) {
    if (served.length === 1) return { ok: true, value: served[0]! };
    return { ok: false, error: new InvalidTarget("resource is required: this server serves several MCP URLs") };
  }
  const normal = normalizeResource(requested);
  if (!normal.ok) return { ok: false, error: new InvalidTarget(`resource: ${normal.error}`) };
  const match = matchResource(requested, served);
  if (match !== undefined) return { ok: true, value: match };
  return {
    ok: false,
    error: new InvalidTarget("resource is not an MCP URL served here", { reason: `requested resource ${normal.value}` }),
  };
}
