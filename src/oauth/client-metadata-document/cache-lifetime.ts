// How long a fetched, valid document may be reused.
// CIMD §4.4: the server SHOULD respect HTTP cache headers (RFC 9111) but MAY define its own upper
// and/or lower bounds on an acceptable cache lifetime.

interface CacheHeaders {
  cacheControl?: string;
  expires?: string;
  date?: string;
  age?: string;
}

export interface CacheBounds {
  /** Shortest reuse, even for max-age=0 or an Expires in the past (bounds a fetch flood). */
  minTtlMs: number;
  /** Longest reuse, whatever the headers say (a changed document is seen within this time). */
  maxTtlMs: number;
  /** Reuse when the response says nothing about freshness. */
  defaultTtlMs: number;
}

export const DEFAULT_CACHE_BOUNDS: CacheBounds = { minTtlMs: 60_000, maxTtlMs: 24 * 3_600_000, defaultTtlMs: 5 * 60_000 };

// RFC 9110 §5.6.7 IMF-fixdate, the only HTTP-date form senders may generate today.
const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

function httpDate(value: string | undefined): number | undefined {
  const text = value?.trim();
  return text !== undefined && IMF_FIXDATE.test(text) ? Date.parse(text) : undefined;
}

/** Cache-Control directives, lowercased names, values unquoted (RFC 9111 §5.2). */
function directives(header: string | undefined): Map<string, string | undefined> {
  const map = new Map<string, string | undefined>();
  for (const part of (header ?? "").split(",")) {
    const [name = "", ...rest] = part.split("=");
    const key = name.trim().toLowerCase();
    if (key === "" || map.has(key)) continue;
    map.set(
      key,
      rest.length === 0
        ? undefined
        : rest
            .join("=")
            .trim()
            .replace(/^"(.*)"$/, "$1"),
    );
  }
  return map;
}

/** Freshness lifetime per RFC 9111 §4.2.1, before bounds; undefined when the response gives none. */
function freshnessMs(cc: Map<string, string | undefined>, headers: CacheHeaders, nowMs: number): number | undefined {
  if (cc.has("max-age")) {
    const maxAge = cc.get("max-age");
    // RFC 9111 §4.2.1: invalid freshness information makes the response stale.
    return /^\d+$/.test(maxAge ?? "") ? Number(maxAge) * 1000 : 0;
  }
  if (headers.expires !== undefined) {
    // RFC 9111 §5.3: an invalid Expires (e.g. "0") means "already expired".
    const expires = httpDate(headers.expires);
    return expires === undefined ? 0 : expires - (httpDate(headers.date) ?? nowMs);
  }
  return undefined;
}

/**
 * Milliseconds the document may be reused, 0 for "do not store". no-store, and no-cache (which
 * demands revalidation on every use, which this cache does not do), mean 0. Otherwise max-age,
 * then Expires, minus Age (RFC 9111 §4.2.3), clamped to the bounds; the default when none is given.
 */
export function cacheLifetimeMs(headers: CacheHeaders, nowMs: number, bounds: CacheBounds = DEFAULT_CACHE_BOUNDS): number {
  const cc = directives(headers.cacheControl);
  // RFC 9111 §5.2.2.5: no-store: a cache MUST NOT store any part of the response.
  if (cc.has("no-store") || cc.has("no-cache")) return 0;
  const fresh = freshnessMs(cc, headers, nowMs);
  if (fresh === undefined) return Math.min(Math.max(bounds.defaultTtlMs, bounds.minTtlMs), bounds.maxTtlMs);
  const age = /^\d+$/.test(headers.age?.trim() ?? "") ? Number(headers.age) * 1000 : 0;
  return Math.min(Math.max(fresh - age, bounds.minTtlMs), bounds.maxTtlMs);
}
