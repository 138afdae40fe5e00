// The resource server's check of every MCP request (RFC 6750 §2.1, §3; MCP 2025-11-25
// authorization §Access Token Usage): a Bearer access token issued for exactly this MCP
// server's URL (RFC 8707 audience) with this server's scope, or a static API token scoped to it.
import type { CredentialState } from "../common/credential-state.ts";
import { sha256Hex } from "./crypto.ts";
import { bearerChallenge, InsufficientScope, InvalidRequest, InvalidToken } from "./errors.ts";
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
interface Principal {
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

/** RFC 6750 §3.1: the error codes a resource server answers a bearer request with. */
type BearerError = InvalidRequest | InvalidToken | InsufficientScope;

/**
 * A refusal has no error when the request had no credentials (RFC 6750 §3.1: it "SHOULD NOT
 * include an error code"): a 401 whose challenge only says where to get a token.
 */
export type GuardDecision =
  | {
      ok: true;
      principal: Principal;
      /** The credential itself, as credentialState knows it (a hash, never the token). */
      credential: string;
    }
  | { ok: false; status: number; challenge: string; error?: BearerError };

const ACCESS_TOKEN = "oauth:";
const STATIC_TOKEN = "static:";

/** RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const MAX_HEADER = 4096;

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
    // The challenge is only spelled out for a refusal: the accepted request, the one every MCP
    // message makes, builds no strings.
    const refuse = (error?: BearerError): GuardDecision => ({
      ok: false,
      status: error?.status ?? 401,
      challenge: bearerChallenge({ resourceMetadata: legacy ? server.legacyMetadataUrl : server.metadataUrl, scope: server.scope, error }),
      ...(error && { error }),
    });
    const credentials = authorization?.trim() ?? "";
    // RFC 6750 §3.1: a request without authentication information gets no error code.
    if (credentials === "" || !/^bearer(\s|$)/i.test(credentials)) return refuse();
    const match = authorization!.length <= MAX_HEADER ? BEARER.exec(credentials) : null;
    if (!match) return refuse(new InvalidRequest("the Authorization header is not a well-formed Bearer credential"));
    const hash = sha256Hex(match[1]!);

    const token = this.cache.get(hash, now) ?? this.lookup(hash, now);
    if (!token) {
      const fixed = this.tokens.staticToken(hash);
      if (!fixed) return refuse(new InvalidToken("the access token is invalid, expired or revoked"));
      if (!fixed.servers.includes(server.name)) {
        return refuse(new InsufficientScope(server.scope, `this API token is not allowed to use the server ${server.name}`));
      }
      return { ok: true, principal: { kind: "static", id: fixed.name }, credential: STATIC_TOKEN + hash };
    }
    // RFC 8707 §2 / MCP: the token must have been issued for this very resource.
    if (token.resource !== server.resource && token.resource !== server.legacyResource) {
      return refuse(new InvalidToken("the access token was issued for another resource"));
    }
    if (!hasScope(token.scope, server.scope)) {
      return refuse(new InsufficientScope(server.scope, `the access token lacks the scope ${server.scope}`));
    }
    return { ok: true, principal: { kind: "oauth", id: token.clientId }, credential: ACCESS_TOKEN + hash };
  }

  /**
   * A credential accepted earlier, asked of the store again (not the cache: another process may
   * have removed it): still valid, merely expired, or ended (revoked, its grant or client
   * removed, the static token removed). An ended access token leaves the cache too.
   */
  credentialState(credential: string, now: number): CredentialState {
    if (credential.startsWith(STATIC_TOKEN)) return this.tokens.staticToken(credential.slice(STATIC_TOKEN.length)) ? "valid" : "ended";
    const hash = credential.slice(ACCESS_TOKEN.length);
    if (this.tokens.accessToken(hash, now)) return "valid";
    this.cache.forgetToken(hash);
    // Asked as of the dawn of time, a token that is only expired is still there, unrevoked.
    return this.tokens.accessToken(hash, 0) ? "expired" : "ended";
  }

  private lookup(hash: string, now: number): ActiveToken | undefined {
    const token = this.tokens.accessToken(hash, now);
    if (token) this.cache.set(hash, token);
    return token;
  }
}
