// Owner login attempts, limited per client address with exponential back-off: after a few
// failures each further attempt must wait twice as long as the last, up to a cap. A success
// clears the address. Bounded memory: the least recently seen addresses go first when the
// table is full. An IPv6 address counts as its /64 (limitKeyOf).

import { BoundedMap } from "../common/bounded-map.ts";
import { limitKeyOf } from "../common/ip-address.ts";

const LOGIN_THROTTLE = {
  freeFailures: 3,
  firstDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  maxAddresses: 10_000,
} as const;

interface Entry {
  failures: number;
  blockedUntil: number;
  lastFailure: number;
}

export class LoginThrottle {
  private readonly entries = new BoundedMap<string, Entry>(LOGIN_THROTTLE.maxAddresses);

  /** 0 when an attempt is allowed now, else the milliseconds to wait. */
  waitMs(address: string, now: number): number {
    const entry = this.entries.get(limitKeyOf(address));
    if (!entry) return 0;
    if (now - entry.lastFailure > LOGIN_THROTTLE.forgetAfterMs) {
      this.entries.delete(limitKeyOf(address));
      return 0;
    }
    return Math.max(0, entry.blockedUntil - now);
  }

  failed(address: string, now: number): void {
    const key = limitKeyOf(address);
    const entry = this.entries.get(key) ?? { failures: 0, blockedUntil: 0, lastFailure: now };
    entry.failures += 1;
    entry.lastFailure = now;
    const over = entry.failures - LOGIN_THROTTLE.freeFailures;
    if (over > 0) {
      entry.blockedUntil = now + Math.min(LOGIN_THROTTLE.maxDelayMs, LOGIN_THROTTLE.firstDelayMs * 2 ** (over - 1));
    }
    this.entries.set(key, entry);
  }

  succeeded(address: string): void {
    this.entries.delete(limitKeyOf(address));
  }
}
