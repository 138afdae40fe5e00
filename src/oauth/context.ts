// What every part of the authorization server works with: the issuer, the served resources,
// the state store, the signing key, the token cache, the clock and the log.
import type { OAuthConfig } from "../config/types.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/index.ts";
import type { ProtectedServer } from "./bearer-guard.ts";
import type { SignedValues } from "./signed-value.ts";
import type { TokenCache } from "./token-cache.ts";

export interface OAuthContext {
  /** public_url's origin, byte-identical everywhere it appears. */
  issuer: string;
  servers: readonly ProtectedServer[];
  config: OAuthConfig;
  store: Store;
  signer: SignedValues;
  tokenCache: TokenCache;
  log: Logger;
  now(): number;
}

/** Lifetimes the configuration does not expose. */
export const LIFETIMES = {
  /** OAuth 2.1 §4.1.2: a maximum lifetime of 10 minutes is RECOMMENDED; clients redeem codes at once. */
  authorizationCodeMs: 60_000,
  /** A pending authorization request (the signed blob in the login and consent forms). */
  pendingRequestMs: 10 * 60_000,
  /** The owner's login on this appliance. */
  ownerSessionMs: 12 * 60 * 60_000,
  /** Concurrent refreshes with the same refresh token within this window are not reuse. */
  refreshGraceMs: 30_000,
} as const;
