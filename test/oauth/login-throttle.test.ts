// The owner-login throttle: back-off per address, the attempt charged when it starts (before the
// password check), and the checks that may run at once bounded per address and in all (issue 13).
import { describe, expect, test } from "bun:test";
import { LoginThrottle } from "../../src/oauth/login-throttle.ts";

// The policy: 3 free failures, then 1 s, doubling up to 15 minutes; forgotten after a quiet hour;
// one check at a time per address, four in all; a busy refusal asks for 1 s.
const POLICY = { freeFailures: 3, firstDelayMs: 1_000, maxDelayMs: 15 * 60_000, forgetAfterMs: 60 * 60_000, checksInAll: 4 };

function attempt(throttle: LoginThrottle, address: string, now: number, succeeded = false): number {
  const admission = throttle.admit(address, now);
  if (!admission.ok) return admission.retryAfterMs;
  admission.finish(succeeded);
  return 0;
}

describe("LoginThrottle", () => {
  test("free failures, then doubling waits, cleared by success", () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i <= POLICY.freeFailures; i++) expect(attempt(throttle, "a", 0)).toBe(0);
    expect(attempt(throttle, "a", 0)).toBe(POLICY.firstDelayMs);
    expect(attempt(throttle, "a", POLICY.firstDelayMs)).toBe(0);
    expect(attempt(throttle, "a", POLICY.firstDelayMs)).toBe(POLICY.firstDelayMs * 2);
    expect(attempt(throttle, "b", 0)).toBe(0);
    expect(attempt(throttle, "a", POLICY.firstDelayMs * 3, true)).toBe(0);
    expect(attempt(throttle, "a", POLICY.firstDelayMs * 3)).toBe(0);
  });

  test("the wait is capped and forgotten after a quiet hour", () => {
    const throttle = new LoginThrottle();
    let now = 0;
    for (let i = 0; i < 40; i++) {
      expect(attempt(throttle, "a", now)).toBe(0);
      now += POLICY.maxDelayMs;
    }
    expect(attempt(throttle, "a", now - POLICY.maxDelayMs)).toBe(POLICY.maxDelayMs);
    expect(attempt(throttle, "a", now + POLICY.forgetAfterMs)).toBe(0);
  });

  test("an attempt is charged when it starts: guesses started together are refused after the free ones", () => {
    const throttle = new LoginThrottle();
    const admitted = [];
    // One at a time per address: each guess finishes (unchecked yet, as failed) before the next starts.
    for (let i = 0; i < 300; i++) {
      const admission = throttle.admit("a", 0);
      if (admission.ok) admitted.push(admission);
      else continue;
      admission.finish(false);
    }
    expect(admitted).toHaveLength(POLICY.freeFailures + 1);
  });

  test("one check at a time per address; four in all; a finished check frees its place", () => {
    const throttle = new LoginThrottle();
    const first = throttle.admit("198.51.100.1", 0);
    expect(first.ok).toBe(true);
    expect(throttle.admit("198.51.100.1", 0)).toEqual({ ok: false, retryAfterMs: 1_000 });
    // An IPv6 /64 is one address.
    const v6 = throttle.admit("2001:db8:1:1::1", 0);
    expect(v6.ok).toBe(true);
    expect(throttle.admit("2001:db8:1:1::2", 0).ok).toBe(false);
    const others = [throttle.admit("198.51.100.2", 0), throttle.admit("198.51.100.3", 0)];
    expect(others.every((a) => a.ok)).toBe(true);
    expect(throttle.admit("198.51.100.4", 0)).toEqual({ ok: false, retryAfterMs: 1_000 });
    if (first.ok) {
      first.finish(false);
      first.finish(false); // a second finish changes nothing
    }
    expect(throttle.admit("198.51.100.4", 0).ok).toBe(true);
    expect(throttle.admit("198.51.100.5", 0).ok).toBe(false);
  });
});
