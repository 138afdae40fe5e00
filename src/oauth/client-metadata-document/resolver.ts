// client_id URL -> validated client, with the cache the authorization endpoint calls through:
// documents reused per their HTTP caching headers, failures held back briefly, one fetch per URL
// at a time, and caps on fetches in flight: in all, per host, and per requester.

import { BoundedMap } from "../../common/bounded-map.ts";
import { type CacheBounds, cacheLifetimeMs, DEFAULT_CACHE_BOUNDS } from "./cache-lifetime.ts";
import { checkClientIdUrl } from "./client-id-url.ts";
import { fail, type Outcome } from "./failure.ts";
import { fetchJwkSet, fetchMetadataDocument, type MetadataFetchOptions } from "./fetch-document.ts";
import { isHttpsUrl } from "./https-url.ts";
import { jwkSetProblem } from "./key-material.ts";
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
  /** Fetches in flight to one host name; beyond it, `busy`. Default 4. */
  maxFetchesPerHost?: number;
  /** Fetches in flight started by one requester (see `resolve`); beyond it, `busy`. Default 4. */
  maxFetchesPerRequester?: number;
  /** Clock for cache expiry (tests move it). Default Date.now. */
  now?: () => number;
}

interface Entry<T> {
  outcome: Outcome<T>;
  storedAt: number;
  expiresAt: number;
}

/** RFC 7517 §5: a JWK Set of public keys, as a private_key_jwt client's jwks_uri serves it. */
export interface PublicJwkSet {
  keys: Record<string, unknown>[];
}

export class ClientMetadataResolver {
  readonly #options: ClientMetadataResolverOptions;
  readonly #bounds: CacheBounds;
  readonly #now: () => number;
  readonly #cache: BoundedMap<string, Entry<MetadataDocumentClient>>;
  readonly #keySets: BoundedMap<string, Entry<PublicJwkSet>>;
  /** Fetches in flight by URL (a document and a JWK Set never share a URL they are both fetched from). */
  readonly #inFlight = new Map<string, Promise<Outcome<unknown>>>();
  /** Fetches in flight per host name and per requester key (entries removed at zero). */
  readonly #perHost = new Map<string, number>();
  readonly #perRequester = new Map<string, number>();

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
    this.#keySets = new BoundedMap(options.maxEntries ?? 1000);
  }

  /**
   * The client a metadata-document client_id names, or why it cannot be used. `requester` is
   * an opaque key for who asked (the appliance passes the client address's limit key): a fetch
   * it starts counts against its own share of the slots, so that strangers naming silent hosts
   * hold at most their share and a host's share, never every slot. Joining a fetch already in
   * flight for the same URL costs no slot.
   *
   * CIMD §4.4 says error responses and invalid documents MUST NOT be cached. What is held here
   * is not the response (no content is kept and nothing invalid is ever used as client
   * metadata) but the fact that the fetch failed, for `failureHoldMs`: otherwise a flood of
   * authorization requests naming a broken or slow URL becomes a flood of outgoing fetches.
   * A corrected document is seen once that short hold ends. `busy` is never held.
   */
  resolve(clientId: string, requester?: string): Promise<Outcome<MetadataDocumentClient>> {
    const checked = checkClientIdUrl(clientId);
    if (!checked.ok) return Promise.resolve(fail("invalid_url", checked.error));
    return this.#cached(this.#cache, clientId, checked.value.hostname, requester, () => this.#load(clientId));
  }

  /**
   * The JWK Set a private_key_jwt client's document names with jwks_uri (RFC 7591 §2), fetched
   * like a document (same guard, pinning, slots, failure hold) and cached per its HTTP headers.
   */
  keySet(jwksUri: string, requester?: string, refresh = false): Promise<Outcome<PublicJwkSet>> {
    if (!isHttpsUrl(jwksUri)) return Promise.resolve(fail("invalid_url", "the jwks_uri is not an https URL"));
    // A client that rotated its key signs with one the cached set lacks: `refresh` fetches again,
    // at most once per minimum lifetime, so unknown key ids cannot make a stranger's fetch flood.
    const cached = this.#keySets.get(jwksUri);
    if (refresh && cached && this.#now() - cached.storedAt >= this.#bounds.minTtlMs) this.#keySets.delete(jwksUri);
    return this.#cached(this.#keySets, jwksUri, new URL(jwksUri).hostname, requester, () => this.#loadKeySet(jwksUri));
  }

  #cached<T>(
    cache: BoundedMap<string, Entry<T>>,
    url: string,
    host: string,
    requester: string | undefined,
    load: () => Promise<Outcome<T>>,
  ): Promise<Outcome<T>> {
    const cached = cache.get(url);
    if (cached && cached.expiresAt > this.#now()) return Promise.resolve(cached.outcome);
    if (cached) cache.delete(url);
    const pending = this.#inFlight.get(url);
    if (pending) return pending as Promise<Outcome<T>>;
    const full = this.#fullSlot(host, requester);
    if (full) return Promise.resolve(fail("busy", full));
    const slots: [Map<string, number>, string][] = [[this.#perHost, host]];
    if (requester !== undefined) slots.push([this.#perRequester, requester]);
    for (const [counts, key] of slots) counts.set(key, (counts.get(key) ?? 0) + 1);
    const loading = load().finally(() => {
      this.#inFlight.delete(url);
      for (const [counts, key] of slots) {
        const left = (counts.get(key) ?? 1) - 1;
        if (left > 0) counts.set(key, left);
        else counts.delete(key);
      }
    });
    this.#inFlight.set(url, loading);
    return loading;
  }

  /** Why no new fetch may start now, or undefined when one may. */
  #fullSlot(host: string, requester: string | undefined): string | undefined {
    if (this.#inFlight.size >= (this.#options.maxConcurrentFetches ?? 16))
      return `${this.#inFlight.size} metadata document fetches already in flight`;
    const hostCount = this.#perHost.get(host) ?? 0;
    if (hostCount >= (this.#options.maxFetchesPerHost ?? 4)) return `${hostCount} fetches from ${host} already in flight`;
    const requesterCount = requester === undefined ? 0 : (this.#perRequester.get(requester) ?? 0);
    if (requesterCount >= (this.#options.maxFetchesPerRequester ?? 4))
      return `${requesterCount} fetches started by ${requester} already in flight`;
    return undefined;
  }

  /** Drop what is remembered about one client_id (e.g. after its owner fixed the document). */
  forget(clientId: string): void {
    this.#cache.delete(clientId);
  }

  async #load(clientId: string): Promise<Outcome<MetadataDocumentClient>> {
    const fetched = await fetchMetadataDocument(clientId, this.#options);
    if (!fetched.ok) return this.#holdFailure(this.#cache, clientId, fetched);
    const parsed = parseMetadataDocument(fetched.value.body, clientId, this.#options.validateRedirectUris);
    if (!parsed.ok) return this.#holdFailure(this.#cache, clientId, parsed);
    return this.#keep(this.#cache, clientId, parsed, fetched.value.cacheHeaders);
  }

  async #loadKeySet(jwksUri: string): Promise<Outcome<PublicJwkSet>> {
    const fetched = await fetchJwkSet(jwksUri, this.#options);
    if (!fetched.ok) return this.#holdFailure(this.#keySets, jwksUri, fetched);
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(fetched.value.body));
    } catch {
      return this.#holdFailure(
        this.#keySets,
        jwksUri,
        fail("invalid_json", `jwks_uri: not UTF-8 JSON (${fetched.value.body.length} bytes)`),
      );
    }
    const problem = jwkSetProblem(value);
    if (problem) return this.#holdFailure(this.#keySets, jwksUri, fail("invalid_document", `jwks_uri: the key set ${problem}`));
    return this.#keep(this.#keySets, jwksUri, { ok: true, value: value as PublicJwkSet }, fetched.value.cacheHeaders);
  }

  #keep<T>(
    cache: BoundedMap<string, Entry<T>>,
    url: string,
    outcome: Outcome<T>,
    headers: Parameters<typeof cacheLifetimeMs>[0],
  ): Outcome<T> {
    const now = this.#now();
    const ttl = cacheLifetimeMs(headers, now, this.#bounds);
    if (ttl > 0) cache.set(url, { outcome, storedAt: now, expiresAt: now + ttl });
    return outcome;
  }

  #holdFailure<T>(cache: BoundedMap<string, Entry<T>>, url: string, outcome: Outcome<never>): Outcome<never> {
    const holdMs = this.#options.failureHoldMs ?? 30_000;
    if (holdMs > 0) cache.set(url, { outcome, storedAt: this.#now(), expiresAt: this.#now() + holdMs });
    return outcome;
  }
}
