// client_id URL -> validated client, with the cache the authorization endpoint calls through:
// documents reused per their HTTP caching headers, failures held back briefly, one fetch per URL
// at a time, and a cap on fetches in flight.

import { BoundedMap } from "../../common/bounded-map.ts";
import { type CacheBounds, cacheLifetimeMs, DEFAULT_CACHE_BOUNDS } from "./cache-lifetime.ts";
import { checkClientIdUrl } from "./client-id-url.ts";
import { fail, type Outcome } from "./failure.ts";
import { fetchMetadataDocument, type MetadataFetchOptions } from "./fetch-document.ts";
import { type MetadataDocumentClient, parseMetadataDocument, type RedirectUriValidator } from "./validate-document.ts";

interface ClientMetadataResolverOptions extends MetadataFetchOptions, Partial<CacheBounds> {
  /** Redirect URI rules live with the rest of the redirect URI code; [] means all acceptable. */
  validateRedirectUris: RedirectUriValidator;
  /**
   * How long a failed fetch or an invalid document is answered from memory before fetching
   * again. Default 30 s; 0 turns it off. See the note on `resolve`.
   */
  failureHoldMs?: number;
  /** Most documents (and held failures) remembered; least recently used go first. Default 1000. */
  maxEntries?: number;
  /** Fetches in flight at once (distinct URLs); beyond it, `busy`. Default 16. */
  maxConcurrentFetches?: number;
  /** Clock for cache expiry (tests move it). Default Date.now. */
  now?: () => number;
}

interface Entry {
  outcome: Outcome<MetadataDocumentClient>;
  expiresAt: number;
}

export class ClientMetadataResolver {
  readonly #options: ClientMetadataResolverOptions;
  readonly #bounds: CacheBounds;
  readonly #now: () => number;
  readonly #cache: BoundedMap<string, Entry>;
  readonly #inFlight = new Map<string, Promise<Outcome<MetadataDocumentClient>>>();

  constructor(options: ClientMetadataResolverOptions) {
    this.#options = options;
    this.#bounds = {
      minTtlMs: options.minTtlMs ?? DEFAULT_CACHE_BOUNDS.minTtlMs,
      maxTtlMs: options.maxTtlMs ?? DEFAULT_CACHE_BOUNDS.maxTtlMs,
      defaultTtlMs: options.defaultTtlMs ?? DEFAULT_CACHE_BOUNDS.defaultTtlMs,
    };
    if (this.#bounds.minTtlMs > this.#bounds.maxTtlMs) throw new RangeError("minTtlMs must not exceed maxTtlMs");
    this.#now = options.now ?? Date.now;
    this.#cache = new BoundedMap(options.maxEntries ?? 1000);
  }

  /**
   * The client a metadata-document client_id names, or why it cannot be used.
   *
   * CIMD §4.4 says error responses and invalid documents MUST NOT be cached. What is held here
   * is not the response (no content is kept and nothing invalid is ever used as client
   * metadata) but the fact that the fetch failed, for `failureHoldMs`: otherwise a flood of
   * authorization requests naming a broken or slow URL becomes a flood of outgoing fetches.
   * A corrected document is seen once that short hold ends.
   */
  resolve(clientId: string): Promise<Outcome<MetadataDocumentClient>> {
    const checked = checkClientIdUrl(clientId);
    if (!checked.ok) return Promise.resolve(fail("invalid_url", checked.error));
    const cached = this.#cache.get(clientId);
    if (cached && cached.expiresAt > this.#now()) return Promise.resolve(cached.outcome);
    if (cached) this.#cache.delete(clientId);
    const pending = this.#inFlight.get(clientId);
    if (pending) return pending;
    if (this.#inFlight.size >= (this.#options.maxConcurrentFetches ?? 16)) {
      return Promise.resolve(fail("busy", `${this.#inFlight.size} metadata document fetches already in flight`));
    }
    const load = this.#load(clientId).finally(() => this.#inFlight.delete(clientId));
    this.#inFlight.set(clientId, load);
    return load;
  }

  /** Drop what is remembered about one client_id (e.g. after its owner fixed the document). */
  forget(clientId: string): void {
    this.#cache.delete(clientId);
  }

  async #load(clientId: string): Promise<Outcome<MetadataDocumentClient>> {
    const fetched = await fetchMetadataDocument(clientId, this.#options);
    if (!fetched.ok) return this.#holdFailure(clientId, fetched);
    const parsed = parseMetadataDocument(fetched.value.body, clientId, this.#options.validateRedirectUris);
    if (!parsed.ok) return this.#holdFailure(clientId, parsed);
    const now = this.#now();
    const ttl = cacheLifetimeMs(fetched.value.cacheHeaders, now, this.#bounds);
    if (ttl > 0) this.#cache.set(clientId, { outcome: parsed, expiresAt: now + ttl });
    return parsed;
  }

  #holdFailure(clientId: string, outcome: Outcome<never>): Outcome<never> {
    const holdMs = this.#options.failureHoldMs ?? 30_000;
    if (holdMs > 0) this.#cache.set(clientId, { outcome, expiresAt: this.#now() + holdMs });
    return outcome;
  }
}
