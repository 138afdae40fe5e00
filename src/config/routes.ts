// The HTTP paths the servers are served on: their syntax, the prefixes the appliance keeps for
// itself, and collisions between servers.

import { quote } from "./describe.ts";
import { formatKeyPath } from "./keypath.ts";

/** Paths the appliance serves itself (OAuth endpoints, metadata, health, consent page assets). */
const RESERVED_PREFIXES = [
  "/.well-known/",
  "/authorize",
  "/token",
  "/register",
  "/revoke",
  "/healthz",
  "/login",
  "/consent",
  "/assets",
] as const;

// Segments of RFC 3986 §2.3 unreserved characters only: the path becomes an Elysia route, where
// ":" starts a parameter and "*" is a wildcard, and a "%" would be matched before or after
// decoding depending on the router.
const ROUTE_PATH = /^(\/[A-Za-z0-9._~-]+)+$/;

/** Why `path` cannot be a server path, or undefined when it can. */
export function routePathProblem(path: string): string | undefined {
  if (!ROUTE_PATH.test(path)) {
    return `expected a path such as "/vault/mcp" (starting with "/", no trailing "/", no "?" or "#", segments of letters, digits, ".", "_", "~" and "-"), got ${quote(path)}`;
  }
  if (path.split("/").some((segment) => segment === "." || segment === "..")) {
    return `expected a path without "." or ".." segments, got ${quote(path)}`;
  }
  return undefined;
}

function reservedPrefixOf(path: string): string | undefined {
  return RESERVED_PREFIXES.find((prefix) => {
    const base = prefix.replace(/\/$/, "");
    return path === base || path.startsWith(`${base}/`);
  });
}

/** One path a server wants; `key` is where it was configured (or would be). */
export interface RouteClaim {
  key: readonly (string | number)[];
  path: string;
  /** Set when the path was not written but derived ("the default"). */
  origin?: string;
}

interface RouteProblem {
  key: readonly (string | number)[];
  message: string;
}

/**
 * Claims on a reserved prefix, and every claim on a path an earlier claim already holds; at most
 * one problem per key (a key may claim two paths: sse_path also claims "<sse_path>/message").
 */
export function routeConflicts(claims: readonly RouteClaim[]): RouteProblem[] {
  const problems: RouteProblem[] = [];
  const holders = new Map<string, RouteClaim>();
  const reported = new Set<string>();
  for (const claim of claims) {
    if (reported.has(formatKeyPath(claim.key))) continue;
    const what = claim.origin === undefined ? quote(claim.path) : `${quote(claim.path)} (${claim.origin})`;
    const reserved = reservedPrefixOf(claim.path);
    const holder = holders.get(claim.path);
    if (reserved !== undefined) {
      problems.push({ key: claim.key, message: `${what} collides with ${quote(reserved)}, which the appliance serves itself` });
      reported.add(formatKeyPath(claim.key));
    } else if (holder !== undefined) {
      const by = formatKeyPath(holder.key) + (holder.origin === undefined ? "" : ` (${holder.origin})`);
      problems.push({ key: claim.key, message: `${what} is already used by ${by}` });
      reported.add(formatKeyPath(claim.key));
    } else {
      holders.set(claim.path, claim);
    }
  }
  return problems;
}
