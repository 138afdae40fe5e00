// [oauth]: the authorization server's settings, its pre-registered clients and static tokens.

import * as v from "valibot";
import { boolean, duration, integerAtLeast, rate } from "./fields.ts";
import { clientsSchema, toClientConfig } from "./oauth-clients.ts";
import { passwordHash } from "./secret-fields.ts";
import type { Env } from "./secrets.ts";
import { staticTokensSchema, toStaticTokenConfig } from "./static-tokens.ts";
import { table } from "./table.ts";
import type { OAuthConfig } from "./types.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

type Hint = (key: string) => string | undefined;

// Lifetimes are compared with stored timestamps, never given to a timer, so they may exceed
// the 24.8 days a JavaScript timer can wait.
function oauthEntries(env: Env, hint: Hint) {
  return {
    // Long enough that a client is not refreshing every few seconds, short enough that a
    // leaked access token (it is a bearer token: whoever holds it may use it) soon dies.
    access_token_ttl: v.optional(duration(MINUTE, DAY), "1h"),
    refresh_token_ttl: v.optional(duration(HOUR, 365 * DAY), "30d"),
    dynamic_registration: v.optional(boolean, true),
    client_id_metadata_documents: v.optional(boolean, true),
    owner_password_hash: v.optional(passwordHash(env)),
    // Dynamic registration is open to anyone: a cap on what is stored, a per-address rate and
    // the expiry of registrations never used keep the state from being filled up.
    registration_limit: v.optional(integerAtLeast(1), 1000),
    registration_rate: v.optional(rate(1_000_000, 1_000, DAY), "10/h"),
    // The token endpoint is open to anyone too, and each request may cost a secret check and a
    // write; a client refreshes far less often than once a second.
    token_rate: v.optional(rate(1_000_000, 1_000, DAY), "60/m"),
    unused_registration_ttl: v.optional(duration(MINUTE, 365 * DAY), "24h"),
    clients: v.optional(clientsSchema(env, hint), []),
    static_tokens: v.optional(staticTokensSchema(hint), []),
  };
}

/** The [oauth] table; `hint` explains unknown keys that mean something elsewhere. */
export function oauthTable(env: Env, hint: Hint) {
  return table(oauthEntries(env, hint), { hint });
}

type OAuthOutput = v.InferOutput<ReturnType<typeof oauthTable>>;

export function toOAuthConfig(oauth: OAuthOutput): OAuthConfig {
  return {
    accessTokenTtlMs: oauth.access_token_ttl,
    refreshTokenTtlMs: oauth.refresh_token_ttl,
    dynamicRegistration: oauth.dynamic_registration,
    clientIdMetadataDocuments: oauth.client_id_metadata_documents,
    ...(oauth.owner_password_hash !== undefined && { ownerPasswordHash: oauth.owner_password_hash }),
    registrationLimit: oauth.registration_limit,
    registrationRate: oauth.registration_rate,
    tokenRate: oauth.token_rate,
    unusedRegistrationTtlMs: oauth.unused_registration_ttl,
    clients: oauth.clients.map(toClientConfig),
    staticTokens: oauth.static_tokens.map(toStaticTokenConfig),
  };
}

/** What a file without an [oauth] table gets; for AppConfig objects built in code (demo, tests). */
export function defaultOAuthConfig(): OAuthConfig {
  return toOAuthConfig(
    v.parse(
      oauthTable({}, () => undefined),
      {},
    ),
  );
}
