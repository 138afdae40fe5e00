// Owner login attempts, limited per client address with exponential back-off: after a few
// failures each further attempt must wait twice as long as the last, up to a cap. A success
// clears the address. Bounded memory: the least recently seen addresses go first when the
// table is full. An IPv6 address counts as its /64 (limitKeyOf).
//
// An attempt is charged when it starts, before the slow password check, and the checks that may
// run at once are bounded (per address and in all): charged only after the check, 300 concurrent
// guesses from one address were all checked before the first failure counted, each holding an
// Argon2 computation's memory (issue 13).

import { BoundedMap } from "../common/bounded-map.ts";
import { limitKeyOf } from "../common/ip-address.ts";

const LOGIN_THROTTLE = {
  freeFailures: 3,
  firstDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  maxAddresses: 10_000,
  /** One password check at a time per address: a person types one password at a time. */
  checksPerAddress: 1,
  /** Argon2id takes tens of MiB per check; this many at once bound the memory all guesses can take. */
  checksInAll: 4,
  /** What a refusal for a busy check asks the client to wait. */
  busyRetryMs: 1_000,
} as const;

interface Entry {
  failures: number;
  blockedUntil: number;
  lastFailure: number;
}

/** An attempt that may check a password now (`finish` when the check is over), or the milliseconds to wait. */
type Admission = { ok: true; finish: (succeeded: boolean) => void } | { ok: false; retryAfterMs: number };

export class LoginThrottle {
  private readonly entries = new BoundedMap<string, Entry>(LOGIN_THROTTLE.maxAddresses);
  /** Checks running, per address key; a key leaves the map when its last check finishes. */
  private readonly running = new Map<string, number>();
  private runningInAll = 0;

  /**
   * Starts an attempt: refused while the address waits out its back-off or while too many checks
   * run; otherwise counted as a failure at once (a success clears it in `finish`).
   */
  admit(address: string, now: number): Admission {
    const key = limitKeyOf(address);
    const wait = this.waitMs(key, now);
    if (wait > 0) return { ok: false, retryAfterMs: wait };
    const runningHere = this.running.get(key) ?? 0;
    if (runningHere >= LOGIN_THROTTLE.checksPerAddress || this.runningInAll >= LOGIN_THROTTLE.checksInAll) {
      return { ok: false, retryAfterMs: LOGIN_THROTTLE.busyRetryMs };
    }
    this.charge(key, now);
    this.running.set(key, runningHere + 1);
    this.runningInAll += 1;
    let finished = false;
    return {
      ok: true,
      finish: (succeeded) => {
        if (finished) return;
        finished = true;
        this.runningInAll -= 1;
        const left = (this.running.get(key) ?? 1) - 1;
        if (left > 0) this.running.set(key, left);
        else this.running.delete(key);
        if (succeeded) this.entries.delete(key);
      },
    };
  }

  private waitMs(key: string, now: number): number {
    const entry = this.entries.get(key);
    if (!entry) return 0;
    if (now - entry.lastFailure > LOGIN_THROTTLE.forgetAfterMs) {
      this.entries.delete(key);
      return 0;
    }
    return Math.max(0, entry.blockedUntil - now);
  }

  private charge(key: string, now: number): void {
    const entry = this.entries.get(key) ?? { failures: 0, blockedUntil: 0, lastFailure: now };
    entry.failures += 1;
    entry.lastFailure = now;
    const over = entry.failures - LOGIN_THROTTLE.freeFailures;
    if (over > 0) {
      entry.blockedUntil = now + Math.min(LOGIN_THROTTLE.maxDelayMs, LOGIN_THROTTLE.firstDelayMs * 2 ** (over - 1));
    }
    this.entries.set(key, entry);
  }
}
