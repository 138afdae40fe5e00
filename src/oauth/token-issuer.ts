// Minting tokens for a grant (RFC 6749 §5.1): an opaque access token bound to the grant's
// resource and scope, and — for clients allowed the refresh_token grant — a refresh token.
// Only SHA-256 hashes reach the store.
import { createHmac, randomBytes } from "node:crypto";
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

/** Inserts an access token (a random one unless given); returns its value. Runs inside the caller's transaction. */
export function issueAccessToken(
  context: OAuthContext,
  grant: { grant_id: string; client_id: string; resource: string; scope: string },
  token: string = randomToken(TOKEN_PREFIX.access),
): string {
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

/** `expiresInMs`: the access token's remaining lifetime when it is not a new one. */
export function tokenResponse(
  context: OAuthContext,
  accessToken: string,
  scope: string,
  refreshToken?: string,
  expiresInMs: number = context.config.accessTokenTtlMs,
): TokenResponse {
  return {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: Math.floor(expiresInMs / 1000),
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    scope,
  };
}

export function newRefreshToken(): { token: string; hash: string } {
  const token = randomToken(TOKEN_PREFIX.refresh);
  return { token, hash: sha256Hex(token) };
}

/** 32 random bytes (base64url): what one rotation derives its successor pair from. */
export function newSuccessorSalt(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * The pair a refresh rotation hands out, as HMAC-SHA256 of the presented refresh token keyed
 * with the rotation's salt: the same salt and token always give the same pair, so a retry
 * within the grace window gets the very tokens of the first answer (RFC 9700 §4.14.2) although
 * the store holds only their hashes and the salt. Deriving needs the presented token, which the
 * store never holds, and the salt, which it drops once the window has passed.
 */
export function successorTokens(salt: string, presentedRefreshToken: string): { refresh: string; access: string } {
  const derive = (purpose: string, prefix: string) =>
    `${prefix}${createHmac("sha256", Buffer.from(salt, "base64url")).update(`${purpose}\0${presentedRefreshToken}`).digest("base64url")}`;
  return { refresh: derive("refresh", TOKEN_PREFIX.refresh), access: derive("access", TOKEN_PREFIX.access) };
}
