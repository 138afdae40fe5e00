// The token endpoint (RFC 6749 §3.2, §4.1.3, §6; OAuth 2.1 §4.1.3, §4.3): authorization codes
// (single use, PKCE-verified, bound to client, redirect URI and resource) and refresh tokens
// (rotated on every use; reuse of a rotated one revokes the whole grant), rate-limited per client
// address ([oauth] token_rate): anyone may call it, and every call may cost a secret check.

import type { ClientRecord } from "../store/index.ts";
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
import { formatScope, parseScope, scopeCovers } from "./scopes.ts";
import { issueAccessToken, mayRefresh, newRefreshToken, type TokenResponse, tokenResponse } from "./token-issuer.ts";

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

    // RFC 6749 §6: a narrower scope may be asked for, never a wider one.
    let scope = current.scope;
    const requested = form.get("scope");
    if (requested !== undefined) {
      const parsed = parseScope(requested);
      if (!parsed.ok) return fail(new InvalidScope(parsed.error));
      if (!scopeCovers(current.scope.split(" "), parsed.value))
        return fail(new InvalidScope("the requested scope exceeds the original grant"));
      scope = formatScope(parsed.value);
    }
    const resourceProblem = this.checkResource(form, current.resource);
    if (resourceProblem) return fail(resourceProblem);

    return store.transaction((): Outcome<TokenResponse> => {
      const fresh = newRefreshToken();
      const result = store.refreshTokens.rotate(
        sha256Hex(presented),
        { token_hash: fresh.hash, client_id: client.client_id, expires_at: now + this.context.config.refreshTokenTtlMs, scope },
        now,
        LIFETIMES.refreshGraceMs,
      );
      if (result.status === "reuse_detected") {
        this.context.tokenCache.forgetGrant(result.grant_id);
        this.context.log.warn({ client: client.client_id, grant: result.grant_id }, "rotated refresh token reused; its grant was revoked");
        return fail(new InvalidGrant("the refresh token was already used"));
      }
      if (result.status === "invalid") return fail(new InvalidGrant("the refresh token is invalid, expired or revoked"));
      const access = issueAccessToken(this.context, { ...result.issued, scope });
      return { ok: true, value: tokenResponse(this.context, access, scope, fresh.token) };
    });
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
