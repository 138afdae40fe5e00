// The token endpoint (RFC 6749 §3.2, §4.1.3, §6; OAuth 2.1 §4.1.3, §4.3): authorization codes
// (single use, PKCE-verified, bound to client, redirect URI and resource) and refresh tokens
// (rotated on every use, idempotently within the grace window; any other reuse of a rotated one
// revokes the whole grant), rate-limited per client address ([oauth] token_rate): anyone may
// call it, and every call may cost a secret check. Every grant is checked again against what is
// configured now: a client's scope (RFC 6749 §3.3) and the servers still served.

import type { ClientRecord, RefreshTokenRecord } from "../store/index.ts";
import { authenticateClient } from "./client-authentication.ts";
import type { ClientDirectory } from "./client-directory.ts";
import { LIFETIMES, type OAuthContext } from "./context.ts";
import { sha256Hex } from "./crypto.ts";
import {
  InvalidGrant,
  InvalidRequest,
  InvalidScope,
  InvalidTarget,
  type OAuthError,
  type Outcome,
  TemporarilyUnavailable,
  UnauthorizedClient,
  UnsupportedGrantType,
} from "./errors.ts";
import { checkCodeVerifier } from "./pkce.ts";
import { RateLimiter } from "./rate-limiter.ts";
import { matchResource } from "./resource.ts";
import { clientMayHave, clientScopeLimit, formatScope, OFFLINE_ACCESS, parseScope, scopeCovers } from "./scopes.ts";
import {
  issueAccessToken,
  mayRefresh,
  newRefreshToken,
  newSuccessorSalt,
  successorTokens,
  type TokenResponse,
  tokenResponse,
} from "./token-issuer.ts";

export class TokenEndpoint {
  private readonly limiter: RateLimiter;

  constructor(
    private readonly context: OAuthContext,
    private readonly clients: ClientDirectory,
  ) {
    const { count, windowMs } = context.config.tokenRate;
    this.limiter = new RateLimiter(count, windowMs);
  }

  /** `address` is the client's ([oauth] token_rate counts every request from it, failed ones too). */
  async exchange(form: Map<string, string>, authorization: string | null, address: string): Promise<Outcome<TokenResponse>> {
    const wait = this.limiter.take(address, this.context.now());
    if (wait > 0)
      return fail(new TemporarilyUnavailable("too many token requests from this address; try again later", { retryAfterMs: wait }));
    const grantType = form.get("grant_type");
    if (grantType === undefined) return fail(new InvalidRequest("grant_type is required"));
    if (grantType !== "authorization_code" && grantType !== "refresh_token") {
      return fail(new UnsupportedGrantType(`grant_type ${grantType.slice(0, 60)} is not supported`));
    }
    const authenticated = await authenticateClient(this.clients, form, authorization, address);
    if (!authenticated.ok) return authenticated;
    const client = authenticated.value;
    if (!client.grant_types.includes(grantType)) return fail(new UnauthorizedClient(`this client may not use the ${grantType} grant`));
    const result = grantType === "authorization_code" ? this.redeemCode(client, form) : this.refresh(client, form);
    // Only an issued token counts as use: unused registrations expire, and a public client can
    // authenticate with its client_id alone, so a mere attempt must not keep one alive.
    if (result.ok) this.context.store.clients.touchLastUsed(client.client_id, this.context.now());
    return result;
  }

  private redeemCode(client: ClientRecord, form: Map<string, string>): Outcome<TokenResponse> {
    const code = form.get("code");
    if (code === undefined) return fail(new InvalidRequest("code is required"));
    const verifier = form.get("code_verifier");
    if (verifier === undefined) return fail(new InvalidRequest("code_verifier is required (PKCE)"));
    const { store } = this.context;
    const now = this.context.now();

    // Consume and issue in one transaction: a code yields tokens at most once, even under races.
    return store.transaction((): Outcome<TokenResponse> => {
      const consumed = store.codes.consume(sha256Hex(code), now);
      if (!consumed) return fail(new InvalidGrant("the authorization code is invalid"));
      const record = consumed.code;
      if (consumed.replay) {
        // RFC 6749 §4.1.2: a code used twice means it leaked; revoke what it issued.
        store.grants.revokeGrant(record.grant_id, now);
        this.context.tokenCache.forgetGrant(record.grant_id);
        this.context.log.warn({ client: client.client_id, grant: record.grant_id }, "authorization code replayed; its grant was revoked");
        return fail(new InvalidGrant("the authorization code was already used"));
      }
      if (consumed.expired) return fail(new InvalidGrant("the authorization code has expired"));
      // OAuth 2.1 §4.1.3: the code must have been issued to this client. It is spent all the
      // same (consumed above): it has reached a party it was not sent to, so its own client's
      // later redemption is a replay and revokes the grant (RFC 6749 §4.1.2, §10.5).
      if (record.client_id !== client.client_id) return fail(new InvalidGrant("the authorization code was issued to another client"));
      // RFC 6749 §4.1.3: redirect_uri must be identical to the one of the authorization request.
      const redirectUri = form.get("redirect_uri");
      if (redirectUri !== undefined && redirectUri !== record.redirect_uri) {
        return fail(new InvalidGrant("redirect_uri does not match the authorization request"));
      }
      const pkce = checkCodeVerifier(verifier, record.code_challenge);
      if (pkce) return fail(pkce);
      const resourceProblem = this.checkResource(form, record.resource);
      if (resourceProblem) return fail(resourceProblem);
      const policyProblem = this.checkPolicy(client, record);
      if (policyProblem) return fail(policyProblem);

      const grant = { grant_id: record.grant_id, client_id: client.client_id, resource: record.resource, scope: record.scope };
      const access = issueAccessToken(this.context, grant);
      let refresh: string | undefined;
      if (mayRefresh(client)) {
        const fresh = newRefreshToken();
        store.refreshTokens.insert({
          ...grant,
          token_hash: fresh.hash,
          family_id: record.grant_id,
          expires_at: now + this.context.config.refreshTokenTtlMs,
        });
        refresh = fresh.token;
      }
      return { ok: true, value: tokenResponse(this.context, access, record.scope, refresh) };
    });
  }

  private refresh(client: ClientRecord, form: Map<string, string>): Outcome<TokenResponse> {
    const presented = form.get("refresh_token");
    if (presented === undefined) return fail(new InvalidRequest("refresh_token is required"));
    const { store } = this.context;
    const now = this.context.now();
    const current = store.refreshTokens.get(sha256Hex(presented));
    if (!current || current.client_id !== client.client_id) return fail(new InvalidGrant("the refresh token is invalid"));

    // RFC 6749 §6: a narrower scope may be asked for, never a wider one. offline_access is
    // never granted nor refused (scopes.ts): asking for it again changes nothing.
    let scope = current.scope;
    const requested = form.get("scope");
    if (requested !== undefined) {
      const parsed = parseScope(requested);
      if (!parsed.ok) return fail(new InvalidScope(parsed.error));
      const asked = parsed.value.filter((s) => s !== OFFLINE_ACCESS);
      if (!scopeCovers(current.scope.split(" "), asked)) return fail(new InvalidScope("the requested scope exceeds the original grant"));
      if (asked.length > 0) scope = formatScope(asked);
    }
    const resourceProblem = this.checkResource(form, current.resource);
    if (resourceProblem) return fail(resourceProblem);
    const policyProblem = this.checkPolicy(client, current);
    if (policyProblem) return fail(policyProblem);

    return store.transaction((): Outcome<TokenResponse> => {
      const salt = newSuccessorSalt();
      const next = successorTokens(salt, presented);
      const result = store.refreshTokens.rotate(
        sha256Hex(presented),
        {
          token_hash: sha256Hex(next.refresh),
          successor_salt: salt,
          client_id: client.client_id,
          expires_at: now + this.context.config.refreshTokenTtlMs,
          scope,
        },
        now,
        LIFETIMES.refreshGraceMs,
      );
      if (result.status === "reuse_detected") {
        this.context.tokenCache.forgetGrant(result.grant_id);
        this.context.log.warn({ client: client.client_id, grant: result.grant_id }, "rotated refresh token reused; its grant was revoked");
        return fail(new InvalidGrant("the refresh token was already used"));
      }
      if (result.status === "invalid") return fail(new InvalidGrant("the refresh token is invalid, expired or revoked"));
      if (result.status === "rotated") {
        const access = issueAccessToken(this.context, { ...result.issued, scope }, next.access);
        return { ok: true, value: tokenResponse(this.context, access, scope, next.refresh) };
      }
      return { ok: true, value: this.sameSuccessor(result.issued, successorTokens(result.salt, presented)) };
    });
  }

  /**
   * RFC 9700 §4.14.2, a retry within the grace window (a lost answer, two egress addresses,
   * concurrent sessions sharing one token): the first answer again — the same refresh token and,
   * while it is active, the same access token with its remaining lifetime (it was derived, not
   * stored; handing it out again gives no one more than the first answer gave). Only when the
   * client has revoked that access token meanwhile does it get a new one.
   */
  private sameSuccessor(successor: RefreshTokenRecord, derived: { refresh: string; access: string }): TokenResponse {
    const { store } = this.context;
    const now = this.context.now();
    const active = store.accessTokens.findActive(sha256Hex(derived.access), now);
    const access = active ? derived.access : issueAccessToken(this.context, successor);
    const lifetime = active ? active.expires_at - now : this.context.config.accessTokenTtlMs;
    return tokenResponse(this.context, access, successor.scope, derived.refresh, lifetime);
  }

  /**
   * What is configured now, for a grant made earlier: RFC 6749 §3.3, a pre-registered client's
   * scope limits what it may be granted (its configuration may have narrowed since); a grant
   * for a server no longer served can yield nothing (invalid_grant: the client starts afresh).
   */
  private checkPolicy(client: ClientRecord, grant: { resource: string; scope: string }): OAuthError | undefined {
    const served = this.context.servers.flatMap((s) => [s.resource, s.legacyResource]);
    if (!served.includes(grant.resource)) return new InvalidGrant("the grant's resource is no longer served here");
    const serverScopes = new Set(this.context.servers.map((s) => s.scope));
    const granted = grant.scope.split(" ").filter((s) => serverScopes.has(s));
    if (!clientMayHave(clientScopeLimit(client), granted))
      return new InvalidScope(`this client may not be granted the scope ${grant.scope}`);
    return undefined;
  }

  /** RFC 8707 §2.2: a resource at the token endpoint must be the one the grant is bound to. */
  private checkResource(form: Map<string, string>, granted: string) {
    const resource = form.get("resource");
    if (resource === undefined) return undefined;
    if (matchResource(resource, [granted]) !== undefined) return undefined;
    return new InvalidTarget("the resource differs from the one this grant was issued for");
  }
}

function fail<T>(error: OAuthError): Outcome<T> {
  return { ok: false, error };
}
