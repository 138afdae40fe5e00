// Fetch the document a Client Identifier URL names (or the JWK Set a document's jwks_uri names),
// with the SSRF guard and the size and time limits of CIMD §6.5-6.6. Returns the raw bytes and
// the caching headers; no validation here.

import { isPublicAddress } from "./address-policy.ts";
import { checkClientIdUrl } from "./client-id-url.ts";
import { fail, type Outcome } from "./failure.ts";
import { isHttpsUrl } from "./https-url.ts";
import { bareHost, type LookupAll, resolveVettedAddress, systemLookup } from "./resolve-host.ts";

/** CIMD §6.6: "The recommended maximum response size for client metadata documents is 5 kilobytes." */
const DEFAULT_MAX_BYTES = 5 * 1024;
const DEFAULT_TIMEOUT_MS = 5_000;
/** A few RSA-4096 keys (about 800 bytes each as JWKs), with room for rotation. */
const MAX_JWK_SET_BYTES = 16 * 1024;

/**
 * How documents are fetched. The defaults are strict and are what production uses; the options
 * exist for tests, including integration tests of the whole appliance, which typically:
 * - start an HTTPS server on 127.0.0.1 with a certificate from a CA made at test time, and pass
 *   that CA's PEM as `ca` (added to, not replacing, the system's roots);
 * - map a test host name (e.g. "cimd.test") to 127.0.0.1 with `lookup`;
 * - allow exactly that address with `isAddressAllowed: (ip) => ip === "127.0.0.1"`.
 */
export interface MetadataFetchOptions {
  /** Every address of a host name. Default: the system resolver (`dns.promises.lookup`, all). */
  lookup?: LookupAll;
  /** May the document be fetched from this resolved IP? Default: `isPublicAddress` (strict). */
  isAddressAllowed?: (address: string) => boolean;
  /** Extra trusted CA certificate(s), PEM. Default: the system's roots only. */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Whole fetch, DNS included. Default 5 s. */
  timeoutMs?: number;
  /** Largest body read. Default 5 KiB (CIMD §6.6). */
  maxBytes?: number;
}

interface FetchedDocument {
  body: Buffer;
  /** The response headers that decide how long the document may be cached (RFC 9111). */
  cacheHeaders: { cacheControl?: string; expires?: string; date?: string; age?: string };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

/** CIMD §4: fetch the document at `clientId` (which must pass `checkClientIdUrl`). */
export function fetchMetadataDocument(clientId: string, options: MetadataFetchOptions = {}): Promise<Outcome<FetchedDocument>> {
  const checked = checkClientIdUrl(clientId);
  if (!checked.ok) return Promise.resolve(fail("invalid_url", checked.error));
  return fetchJson(checked.value, options, ["application/json"], options.maxBytes ?? DEFAULT_MAX_BYTES);
}

/**
 * A document's jwks_uri (RFC 7591 §2), for private_key_jwt: the same guard, pinning and deadline
 * as the document itself (CIMD-02 §8.6 applies to every URL the server fetches for a client).
 */
export function fetchJwkSet(jwksUri: string, options: MetadataFetchOptions = {}): Promise<Outcome<FetchedDocument>> {
  if (!isHttpsUrl(jwksUri)) return Promise.resolve(fail("invalid_url", "the jwks_uri is not an https URL"));
  return fetchJson(new URL(jwksUri), options, ["application/jwk-set+json", "application/json"], MAX_JWK_SET_BYTES);
}

async function fetchJson(
  url: URL,
  options: MetadataFetchOptions,
  mediaTypes: readonly string[],
  maxBytes: number,
): Promise<Outcome<FetchedDocument>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  try {
    const host = bareHost(url);
    // A lookup cannot be cancelled; the deadline still bounds how long the caller waits for it.
    const timedOut = new Promise<Outcome<never>>((resolve) =>
      deadline.signal.addEventListener("abort", () => resolve(fail("timeout", `no address for ${host} within ${timeoutMs} ms`)), {
        once: true,
      }),
    );
    const vetted = await Promise.race([
      resolveVettedAddress(host, options.lookup ?? systemLookup, options.isAddressAllowed ?? isPublicAddress),
      timedOut,
    ]);
    if (!vetted.ok) return vetted;
    // Loaded on the first fetch: the HTTPS client and its root certificates cost the resident
    // memory of every appliance, most of which never meet a metadata-document client.
    const { pinnedHttpsGet } = await import("./pinned-https-get.ts");
    const got = await pinnedHttpsGet({
      url,
      host,
      pinned: vetted.value,
      ca: options.ca,
      maxBytes,
      mediaTypes,
      signal: deadline.signal,
    });
    if (!got.ok) {
      const { kind, description, reason } = got.error;
      return fail(kind, `${reason} (from ${vetted.value.address})`, description);
    }
    const { headers } = got.value;
    return {
      ok: true,
      value: {
        body: got.value.body,
        cacheHeaders: {
          cacheControl: header(headers["cache-control"]),
          expires: header(headers.expires),
          date: header(headers.date),
          age: header(headers.age),
        },
      },
    };
  } finally {
    clearTimeout(timer);
  }
}
