// PKCE (RFC 7636) with S256 only, as OAuth 2.1 §4.1.1 and the MCP authorization spec require.

import { createHash, timingSafeEqual } from "node:crypto";
import { InvalidGrant, InvalidRequest, type OAuthError } from "./errors.ts";

// RFC 7636 §4.1: code-verifier = 43*128unreserved; unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

// RFC 7636 §4.2 and Appendix A: S256 challenge = BASE64URL(SHA256(verifier)) without padding,
// so always exactly 43 characters of the base64url alphabet. Anything else can never verify.
const S256_CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

/**
 * The code_challenge and code_challenge_method of an authorization request, or the error to
 * send back. RFC 7636 §4.4.1: an unsupported transformation is "invalid_request".
 */
export function checkCodeChallenge(challenge: string | undefined, method: string | undefined): OAuthError | undefined {
  // OAuth 2.1 §4.1.1 / MCP: PKCE is required of every client.
  if (challenge === undefined) return new InvalidRequest("code_challenge is required (PKCE with S256)");
  // RFC 7636 §4.3: an absent method means "plain", which OAuth 2.1 §7.5.2 lets us refuse.
  if (method === undefined) {
    return new InvalidRequest("code_challenge_method is required and must be S256 (absent means plain, which is not supported)");
  }
  if (method === "plain") return new InvalidRequest("code_challenge_method plain is not supported; use S256");
  if (method !== "S256") return new InvalidRequest("code_challenge_method must be S256");
  if (!S256_CHALLENGE.test(challenge)) {
    return new InvalidRequest("code_challenge must be the 43-character base64url SHA-256 of the code_verifier (RFC 7636 section 4.2)");
  }
  return undefined;
}

/**
 * RFC 7636 §4.6: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) == code_challenge, in constant
 * time. The verifier has passed CODE_VERIFIER, so it is ASCII: its UTF-8 bytes are its ASCII bytes.
 */
function verifyS256(verifier: string, challenge: string): boolean {
  const computed = Buffer.from(createHash("sha256").update(verifier, "utf8").digest("base64url"));
  const expected = Buffer.from(challenge);
  // timingSafeEqual needs equal lengths; the computed side is always 43 bytes, and the
  // challenge's length is not secret (the client sent it).
  if (expected.length !== computed.length) return false;
  return timingSafeEqual(computed, expected);
}

/**
 * The token request's code_verifier against the challenge stored with the code.
 * Missing: invalid_request (RFC 6749 §5.2, a required parameter). Malformed or wrong:
 * invalid_grant (RFC 7636 §4.6), the answer SDK clients read as "authorize again".
 */
export function checkCodeVerifier(verifier: string | undefined, challenge: string): OAuthError | undefined {
  if (verifier === undefined) return new InvalidRequest("code_verifier is required", { redirectable: false });
  // RFC 7636 §4.1: the verifier's syntax.
  if (!CODE_VERIFIER.test(verifier)) {
    return new InvalidGrant("code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~");
  }
  if (!verifyS256(verifier, challenge)) return new InvalidGrant("code_verifier does not match the code_challenge");
  return undefined;
}
