// Dynamic client registration (RFC 7591 §3), limited: per-address rate, a cap on stored
// registrations (at the cap, registrations never used give way), and never auto-approved.

import { isConfidential, parseClientRegistration, type RegistrationResponse, registrationResponse } from "./client-registration.ts";
import type { OAuthContext } from "./context.ts";
import { randomToken, sha256Hex, TOKEN_PREFIX } from "./crypto.ts";
import { type Outcome, TemporarilyUnavailable } from "./errors.ts";
import { RateLimiter } from "./rate-limiter.ts";

export class RegistrationEndpoint {
  private readonly limiter: RateLimiter;

  constructor(private readonly context: OAuthContext) {
    const { count, windowMs } = context.config.registrationRate;
    this.limiter = new RateLimiter(count, windowMs);
  }

  /**
   * `body` is the request's JSON as request-body.ts read it (not yet known to be an object), or
   * why it could not be: the rate counts that request too, so junk is no free probe.
   */
  register(body: Outcome<unknown>, address: string): Outcome<RegistrationResponse> {
    const now = this.context.now();
    const wait = this.limiter.take(address, now);
    if (wait > 0) {
      // 429 with Retry-After (RFC 6585 §4), as at the token endpoint: this address must wait.
      return {
        ok: false,
        error: new TemporarilyUnavailable("too many registrations from this address; try again later", { retryAfterMs: wait }),
      };
    }
    if (!body.ok) return body;
    const parsed = parseClientRegistration(body.value, { knownScopes: this.context.servers.map((s) => s.scope) });
    if (!parsed.ok) return parsed;
    const metadata = parsed.value;

    const { store } = this.context;
    // Under registration_limit; at the cap, registrations that never got a token give way.
    if (
      !store.clients.makeRoomForOne("dynamic", this.context.config.registrationLimit, now - this.context.config.unusedRegistrationTtlMs)
    ) {
      return { ok: false, error: new TemporarilyUnavailable("this server holds as many client registrations as it allows") };
    }

    const clientId = randomToken("dyn_");
    const secret = isConfidential(metadata) ? randomToken(TOKEN_PREFIX.clientSecret) : undefined;
    store.clients.insert({
      client_id: clientId,
      kind: "dynamic",
      name: metadata.client_name ?? "Unnamed client",
      ...(secret ? { secret_hash: sha256Hex(secret) } : {}),
      redirect_uris: metadata.redirect_uris,
      grant_types: metadata.grant_types,
      token_endpoint_auth_method: metadata.token_endpoint_auth_method,
      ...(metadata.scope ? { scope: metadata.scope } : {}),
      metadata_json: JSON.stringify(metadata),
      auto_approve: false,
      source: "state",
      created_at: now,
    });
    this.context.log.info({ client: clientId, name: metadata.client_name }, "client registered");
    return { ok: true, value: registrationResponse(metadata, { clientId, ...(secret ? { clientSecret: secret } : {}), issuedAtMs: now }) };
  }
}
