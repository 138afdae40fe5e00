// What kind of endpoint a request's path names, known before routing, from the route tables: the
// request pipeline checks the Origin, grants preflights, adds CORS headers and shapes errors by it.

/**
 * mcp: a served MCP endpoint (JSON-RPC error bodies, allowed origins only);
 * oauth-api: discovery, token, registration and revocation (RFC 6749 errors, any origin);
 * other: pages, health, assets, unknown paths (RFC 6749 errors, no CORS).
 */
export type PathKind = "mcp" | "oauth-api" | "other";

export interface PathSet {
  exact: readonly string[];
  /** Paths under one of these, e.g. "/.well-known/oauth-protected-resource/". */
  prefixes: readonly string[];
}

export const NO_PATHS: PathSet = { exact: [], prefixes: [] };

/** The path of a request URL (as Bun hands it over: dot segments resolved), without the query. */
export function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const query = url.indexOf("?", start);
  return url.slice(start, query === -1 ? undefined : query);
}

export class PathKinds {
  private readonly mcp: ReadonlySet<string>;
  private readonly oauthExact: ReadonlySet<string>;

  constructor(
    mcpPaths: Iterable<string>,
    private readonly oauth: PathSet,
  ) {
    this.mcp = new Set(mcpPaths);
    this.oauthExact = new Set(oauth.exact);
  }

  kindOf(path: string): PathKind {
    // Elysia routes "/vault/mcp/" to the "/vault/mcp" route: one trailing slash names the same endpoint.
    const route = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
    if (this.mcp.has(route)) return "mcp";
    if (this.oauthExact.has(route) || this.oauth.prefixes.some((prefix) => path.startsWith(prefix))) return "oauth-api";
    return "other";
  }
}
