// A fixed-window counter per client address, for endpoints anyone can call without
// credentials: dynamic registration and the token endpoint. An IPv6 address counts as its /64
// (limitKeyOf). Bounded memory: past 10,000 keys the least recently seen is forgotten.

import { BoundedMap } from "../common/bounded-map.ts";
import { limitKeyOf } from "../common/ip-address.ts";

export class RateLimiter {
  private readonly windows = new BoundedMap<string, { start: number; count: number }>(10_000);

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Counts an attempt; 0 if it is allowed, else milliseconds until the window resets. */
  take(address: string, now: number): number {
    const key = limitKeyOf(address);
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= this.limit) return window.start + this.windowMs - now;
    window.count += 1;
    return 0;
  }
}
