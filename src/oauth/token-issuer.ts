// Minting tokens for a grant (RFC 6749 §5.1): an opaque access token bound to the grant's
// resource and scope, and — for clients allowed the refresh_token grant — a refresh token.
// Only SHA-256 hashes reach the store.
import type { ClientRecord } from "../store/index.ts";
import type { OAuthContext } from "./context.ts";
import { randomToken, sha256Hex, TOKEN_PREFIX } from "./crypto.ts";

/** RFC 6749 §5.1 successful response; unset fields are omitted, never null. */
export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token?: string;
  scope: string;
}

export function mayRefresh(client: ClientRecord): boolean {
  return client.grant_types.includes("refresh_token");
}

/** Inserts an access token; returns its value. Runs inside the caller's transaction. */
export function issueAccessToken(
  context: OAuthContext,
  grant: { grant_id: string; client_id: string; resource: string; scope: string },
): string {
  const token = randomToken(TOKEN_PREFIX.access);
  context.store.accessTokens.insert({
    token_hash: sha256Hex(token),
    grant_id: grant.grant_id,
    client_id: grant.client_id,
    resource: grant.resource,
    scope: grant.scope,
    expires_at: context.now() + context.config.accessTokenTtlMs,
  });
  return token;
}

export function tokenResponse(context: OAuthContext, accessToken: string, scope: string, refreshToken?: string): TokenResponse {
  return {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: Math.floor(context.config.accessTokenTtlMs / 1000),
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    scope,
  };
}

export function newRefreshToken(): { token: string; hash: string } {
  const token = randomToken(TOKEN_PREFIX.refresh);
  return { token, hash: sha256Hex(token) };
}
