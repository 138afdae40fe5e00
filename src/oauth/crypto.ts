// Random tokens, their hashes, and comparisons that take the same time whatever the input.
// Tokens, codes and secrets are stored only as SHA-256 hex; lookups are by hash.

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Readable prefixes so a leaked string says what it is (and secret scanners can match it). */
export const TOKEN_PREFIX = {
  access: "mcpa_",
  refresh: "mcpr_",
  code: "mcpc_",
  clientSecret: "mcps_",
} as const;

const TOKEN_BYTES = 32;

/**
 * `prefix` + 32 random bytes as base64url (43 characters): 256 bits, well above the 128 bits
 * RFC 6749 §10.10 asks of tokens and codes, and URL-safe so it travels in a query or form body.
 */
export function randomToken(prefix: string): string {
  return `${prefix}${randomBytes(TOKEN_BYTES).toString("base64url")}`;
}

/** Lowercase hex SHA-256 of the UTF-8 bytes of `text`. */
export function sha256Hex(text: string): string {
  // The runtime's one-shot hash: it runs on every bearer check, and needs no hasher object.
  return Bun.SHA256.hash(text, "hex");
}

const HEX = /^(?:[0-9a-f]{2})*$/i;

function hexBytes(text: string): Buffer | undefined {
  // Buffer.from(.., "hex") stops quietly at the first bad character; refuse instead.
  return HEX.test(text) ? Buffer.from(text, "hex") : undefined;
}

const DIGEST_BYTES = 32;

/**
 * Does the presented client secret hash to the stored SHA-256? The presented text is hashed
 * first, so timingSafeEqual always compares two 32-byte digests: nothing about the stored secret
 * (its length included) leaks through timing, whatever is presented, empty or a megabyte.
 */
export function secretMatches(presented: string, storedHashHex: string): boolean {
  const digest = createHash("sha256").update(presented, "utf8").digest();
  const stored = hexBytes(storedHashHex);
  const usable = stored !== undefined && stored.length === DIGEST_BYTES;
  // Compare even when the stored value is unusable, so that case takes the same time too.
  const equal = timingSafeEqual(digest, usable ? stored : Buffer.alloc(DIGEST_BYTES));
  return usable && equal;
}
