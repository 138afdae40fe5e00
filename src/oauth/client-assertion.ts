// private_key_jwt: a client authenticates with a JWT it signed (RFC 7523 §2.2, §3; RFC 7521
// §4.2; OpenID Connect Core §9), verified against the public keys its metadata document names.
// Each assertion is single-use: its jti is remembered until the assertion expires.
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import type { UseOutcome } from "../store/index.ts";
import type { PublicJwkSet } from "./client-metadata-document/index.ts";
import { InvalidClient, type Outcome, TemporarilyUnavailable } from "./errors.ts";
import { CLIENT_ASSERTION_ALGORITHMS } from "./metadata.ts";

/** RFC 7523 §2.2: the client_assertion_type of a JWT client assertion. */
export const JWT_BEARER_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

// RFC 7523 §3 (4): exp is required, and the server MAY reject JWTs with an unreasonably far
// expiry. Five minutes is ample for a request made right after signing (ChatGPT signs per call).
const MAX_LIFETIME_S = 300;
// RFC 7523 §3 (4), (6): "some small leeway ... to account for clock skew".
const CLOCK_SKEW_S = 30;
// Assertions remembered at once (each one valid, from a known client, within five minutes).
const MAX_REMEMBERED = 10_000;
const MAX_JTI_LENGTH = 256;

/**
 * The unverified `sub` of an assertion: only used to find the client whose keys then verify it
 * (RFC 7521 §4.2: client_id is optional when the assertion identifies the client).
 */
export function assertionSubject(assertion: string): string | undefined {
  try {
    const { sub } = decodeJwt(assertion);
    return typeof sub === "string" && sub !== "" ? sub : undefined;
  } catch {
    return undefined;
  }
}

/** Remembers "client_id \n jti" until `expiresAt` (ms) once; store/used-assertions.ts. */
type UseOnce = (key: string, expiresAt: number, now: number, most: number) => UseOutcome;

export class ClientAssertionVerifier {
  /**
   * `audiences`: the token endpoint URL (RFC 7523 §3 (3): it MAY be used) and the issuer
   * identifier, which draft-ietf-oauth-rfc7523bis makes the one audience clients should use.
   * `useOnce`: the used assertions, kept in the state so that a restart forgets none.
   */
  constructor(
    private readonly audiences: readonly string[],
    private readonly now: () => number,
    private readonly useOnce: UseOnce,
    /** Unexpired assertions remembered at most; beyond, new ones wait (503). */
    private readonly maxRemembered = MAX_REMEMBERED,
  ) {}

  /**
   * RFC 7523 §3: iss = sub = client_id, aud, exp (short), jti once; signed by one of the keys
   * `keysOf` gives. When none of them has the assertion's key, `keysOf(true)` is asked once more
   * (a key set from a jwks_uri may be stale after the client rotated its key).
   */
  async verify(
    assertion: string,
    clientId: string,
    keysOf: (refresh: boolean) => Promise<Outcome<PublicJwkSet>>,
    signingAlg?: string,
  ): Promise<Outcome<void>> {
    const refuse = (description: string, reason: string): Outcome<void> => ({
      ok: false,
      error: new InvalidClient(description, { reason: `client assertion of ${clientId}: ${reason}` }),
    });
    // OpenID Connect Registration §2: a declared token_endpoint_auth_signing_alg is the only one.
    const algorithms = CLIENT_ASSERTION_ALGORITHMS.filter((alg) => signingAlg === undefined || alg === signingAlg);
    if (algorithms.length === 0) return refuse("the client's signing algorithm is not supported", `alg ${signingAlg}`);
    const nowMs = this.now();
    const check = async (refresh: boolean) => {
      const keys = await keysOf(refresh);
      if (!keys.ok) return keys;
      try {
        const verified = await jwtVerify(assertion, createLocalJWKSet(keys.value as Parameters<typeof createLocalJWKSet>[0]), {
          issuer: clientId,
          subject: clientId,
          audience: [...this.audiences],
          algorithms: [...algorithms],
          requiredClaims: ["exp", "jti"],
          clockTolerance: CLOCK_SKEW_S,
          currentDate: new Date(nowMs),
        });
        return { ok: true as const, value: verified.payload };
      } catch (error) {
        return { ok: false as const, code: (error as { code?: string }).code ?? "error", message: (error as Error).message };
      }
    };
    let verified = await check(false);
    if (!verified.ok && "code" in verified && verified.code === "ERR_JWKS_NO_MATCHING_KEY") verified = await check(true);
    if (!verified.ok) {
      if ("error" in verified) return verified;
      return refuse("the client assertion is invalid", `${verified.code}: ${verified.message}`);
    }
    const exp = verified.value.exp!;
    const jti = verified.value.jti;
    if (exp * 1000 - nowMs > (MAX_LIFETIME_S + CLOCK_SKEW_S) * 1000)
      return refuse(`the client assertion must expire within ${MAX_LIFETIME_S} s`, `exp is ${exp}`);
    if (typeof jti !== "string" || jti === "" || jti.length > MAX_JTI_LENGTH) return refuse("the client assertion's jti is invalid", "jti");
    return this.#useOnce(`${clientId}\n${jti}`, exp * 1000 + CLOCK_SKEW_S * 1000, nowMs, refuse);
  }

  /** RFC 7523 §3 (7): the server MAY ensure a JWT is not replayed, by keeping jti until exp. */
  #useOnce(key: string, forgetAt: number, nowMs: number, refuse: (d: string, r: string) => Outcome<void>): Outcome<void> {
    const outcome = this.useOnce(key, forgetAt, nowMs, this.maxRemembered);
    if (outcome === "again") return refuse("the client assertion was already used", "jti replayed");
    // Never forget an unexpired assertion to make room: that would let it be replayed.
    if (outcome === "full") {
      return {
        ok: false,
        error: new TemporarilyUnavailable("too many client assertions in use; try again shortly", {
          retryAfterMs: CLOCK_SKEW_S * 1000,
          serverBusy: true,
        }),
      };
    }
    return { ok: true, value: undefined };
  }
}
