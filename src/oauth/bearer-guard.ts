// The resource server's check of every MCP request (RFC 6750 §2.1, §3; MCP 2025-11-25
// authorization §Access Token Usage): a Bearer access token issued for exactly this MCP
// server's URL (RFC 8707 audience) with this server's scope, or a static API token scoped to it.
import { sha256Hex } from "./crypto.ts";
import type { ActiveToken, TokenCache } from "./token-cache.ts";

export type { ActiveToken };

export interface ProtectedServer {
  name: string;
  /** Canonical URL of the MCP endpoint, the token's required audience. */
  resource: string;
  /** URL of the same server's legacy HTTP+SSE endpoint: tokens issued for it are good for both. */
  legacyResource: string;
  scope: string;
  /** RFC 9728 metadata URL named in every challenge. */
  metadataUrl: string;
  legacyMetadataUrl: string;
}

/** Who a request acts for; a session may only be used by the principal that opened it. */
export interface Principal {
  kind: "oauth" | "static";
  /** client_id, or the static token's name. */
  id: string;
}

export interface TokenSource {
  /** An access token by the SHA-256 (hex) of its value, if active (not expired, not revoked). */
  accessToken(hash: string, now: number): ActiveToken | undefined;
  /** A static API token by its hash: the servers it may use. */
  staticToken(hash: string): { name: string; servers: readonly string[] } | undefined;
}

export type GuardDecision =
  | { ok: true; principal: Principal }
  | { ok: false; status: 400 | 401 | 403; challenge: string; error?: string; description?: string };

/** RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const MAX_HEADER = 4096;

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, "")}"`;
}

/** RFC 6749 §3.3: scope is a space-separated list; `wanted` must be one of its entries. */
function hasScope(scope: string, wanted: string): boolean {
  for (let at = scope.indexOf(wanted); at !== -1; at = scope.indexOf(wanted, at + 1)) {
    const end = at + wanted.length;
    if ((at === 0 || scope[at - 1] === " ") && (end === scope.length || scope[end] === " ")) return true;
  }
  return false;
}

export class BearerGuard {
  constructor(
    private readonly tokens: TokenSource,
    private readonly cache: TokenCache,
  ) {}

  check(authorization: string | null, server: ProtectedServer, now: number, legacy = false): GuardDecision {
    // The challenge's parameters are only spelled out for a refusal: the accepted request, the
    // one every MCP message makes, builds no strings.
    const base = () => `resource_metadata=${quoted(legacy ? server.legacyMetadataUrl : server.metadataUrl)}, scope=${quoted(server.scope)}`;
    const credentials = authorization?.trim() ?? "";
    // RFC 6750 §3.1: a request without authentication information gets no error code.
    if (credentials === "" || !/^bearer(\s|$)/i.test(credentials)) {
      return { ok: false, status: 401, challenge: `Bearer ${base()}` };
    }
    const match = authorization!.length <= MAX_HEADER ? BEARER.exec(credentials) : null;
    if (!match) {
      return this.refuse(400, "invalid_request", "the Authorization header is not a well-formed Bearer credential", base());
    }
    const hash = sha256Hex(match[1]!);

    const token = this.cache.get(hash, now) ?? this.lookup(hash, now);
    if (!token) {
      const fixed = this.tokens.staticToken(hash);
      if (!fixed) return this.refuse(401, "invalid_token", "the access token is invalid, expired or revoked", base());
      if (!fixed.servers.includes(server.name)) {
        return this.refuse(403, "insufficient_scope", `this API token is not allowed to use "${server.name}"`, base());
      }
      return { ok: true, principal: { kind: "static", id: fixed.name } };
    }
    // RFC 8707 §2 / MCP: the token must have been issued for this very resource.
    if (token.resource !== server.resource && token.resource !== server.legacyResource) {
      return this.refuse(401, "invalid_token", "the access token was issued for another resource", base());
    }
    if (!hasScope(token.scope, server.scope)) {
      return this.refuse(403, "insufficient_scope", `the access token lacks the scope ${server.scope}`, base());
    }
    return { ok: true, principal: { kind: "oauth", id: token.clientId } };
  }

  private lookup(hash: string, now: number): ActiveToken | undefined {
    const token = this.tokens.accessToken(hash, now);
    if (token) this.cache.set(hash, token);
    return token;
  }

  private refuse(status: 400 | 401 | 403, error: string, description: string, base: string): GuardDecision {
    return {
      ok: false,
      status,
      error,
      description,
      challenge: `Bearer error=${quoted(error)}, error_description=${quoted(description)}, ${base}`,
    };
  }
}
