// CIMD §4.4 + RFC 9111: how long a valid document is reused.
import { describe, expect, test } from "bun:test";
import { cacheLifetimeMs } from "../../../src/oauth/client-metadata-document/cache-lifetime.ts";

const bounds = { minTtlMs: 60_000, maxTtlMs: 86_400_000, defaultTtlMs: 300_000 };
const NOW = Date.parse("Tue, 02 Jun 2026 10:00:00 GMT");
const at = (offsetS: number) => new Date(NOW + offsetS * 1000).toUTCString();

describe("cacheLifetimeMs", () => {
  test.each([
    ["max-age=600", 600_000, {}],
    ["public, max-age=600", 600_000, {}],
    ['max-age="600"', 600_000, {}],
    ["MAX-AGE=600", 600_000, {}],
    ["max-age=600 with Age: 100", 500_000, { age: "100" }], // RFC 9111 §4.2.3: minus the Age already spent
    ["max-age=10", 60_000, {}], // raised to the minimum
    ["max-age=0", 60_000, {}],
    ["max-age=31536000", 86_400_000, {}], // lowered to the maximum
    ["max-age=soon", 60_000, {}], // invalid -> stale -> minimum
    ["max-age=600 with a later Expires", 600_000, { expires: at(7200) }], // max-age wins over Expires
  ] as const)("Cache-Control %s -> %p ms", (label, expected, extra) => {
    const cacheControl = label.split(" with ")[0]!;
    expect(cacheLifetimeMs({ cacheControl, ...extra }, NOW, bounds)).toBe(expected);
  });

  test.each(["no-store", "max-age=600, no-store", "no-cache", "No-Store"])("%p is not stored", (cacheControl) => {
    expect(cacheLifetimeMs({ cacheControl, expires: at(3600) }, NOW, bounds)).toBe(0);
  });

  test("Expires is the fallback, measured from Date when present", () => {
    expect(cacheLifetimeMs({ expires: at(1200) }, NOW, bounds)).toBe(1_200_000);
    expect(cacheLifetimeMs({ expires: at(1200), date: at(200) }, NOW, bounds)).toBe(1_000_000);
    expect(cacheLifetimeMs({ expires: at(-50) }, NOW, bounds)).toBe(60_000);
    // RFC 9111 §5.3: an invalid Expires such as "0" means already expired.
    expect(cacheLifetimeMs({ expires: "0" }, NOW, bounds)).toBe(60_000);
  });

  test("no freshness information: the default", () => {
    expect(cacheLifetimeMs({}, NOW, bounds)).toBe(300_000);
    expect(cacheLifetimeMs({ cacheControl: "public" }, NOW, bounds)).toBe(300_000);
  });
});
