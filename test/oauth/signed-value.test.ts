import { describe, expect, test } from "bun:test";
import { LoginThrottle } from "../../src/oauth/login-throttle.ts";
import { SignedValues } from "../../src/oauth/signed-value.ts";

const KEY = "k".repeat(32);

describe("SignedValues", () => {
  const signer = new SignedValues(KEY);

  test("round trip within its lifetime and purpose", () => {
    const signed = signer.sign("consent", { client: "c" }, 2000);
    expect(signer.verify("consent", signed, 1000)).toEqual({ client: "c" });
    expect(signer.verify("consent", signed, 2000)).toBeUndefined();
    expect(signer.verify("cookie", signed, 1000)).toBeUndefined();
  });

  test("any change, another key, or garbage is refused", () => {
    const signed = signer.sign("consent", { client: "c" }, 2000);
    const [body, mac] = signed.split(".");
    const forged = Buffer.from(JSON.stringify({ p: "consent", v: { client: "evil" }, e: 2000 })).toString("base64url");
    expect(signer.verify("consent", `${forged}.${mac}`, 1000)).toBeUndefined();
    expect(signer.verify("consent", `${body}.${mac}x`, 1000)).toBeUndefined();
    expect(new SignedValues("z".repeat(32)).verify("consent", signed, 1000)).toBeUndefined();
    for (const junk of ["", ".", "a.b", "x".repeat(20_000), `${body}.`, null, undefined]) {
      expect(signer.verify("consent", junk, 1000)).toBeUndefined();
    }
  });

  test("bound tokens match only their subject and purpose", () => {
    const csrf = signer.bind("csrf", "session-1");
    expect(signer.boundMatches("csrf", "session-1", csrf)).toBe(true);
    expect(signer.boundMatches("csrf", "session-2", csrf)).toBe(false);
    expect(signer.boundMatches("login", "session-1", csrf)).toBe(false);
    expect(signer.boundMatches("csrf", "session-1", "")).toBe(false);
    expect(signer.boundMatches("csrf", "session-1", "a".repeat(10_000))).toBe(false);
  });

  test("a short key is refused", () => {
    expect(() => new SignedValues("short")).toThrow();
  });
});

describe("LoginThrottle", () => {
  // The policy: 3 free failures, then 1 s, doubling up to 15 minutes; forgotten after a quiet hour.
  const LOGIN_THROTTLE = { freeFailures: 3, firstDelayMs: 1_000, maxDelayMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 };
  test("free failures, then doubling waits, cleared by success", () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < LOGIN_THROTTLE.freeFailures; i++) {
      expect(throttle.waitMs("a", 0)).toBe(0);
      throttle.failed("a", 0);
    }
    expect(throttle.waitMs("a", 0)).toBe(0);
    throttle.failed("a", 0);
    expect(throttle.waitMs("a", 0)).toBe(LOGIN_THROTTLE.firstDelayMs);
    throttle.failed("a", 0);
    expect(throttle.waitMs("a", 0)).toBe(LOGIN_THROTTLE.firstDelayMs * 2);
    expect(throttle.waitMs("b", 0)).toBe(0);
    throttle.succeeded("a");
    expect(throttle.waitMs("a", 0)).toBe(0);
  });

  test("the wait is capped and forgotten after a quiet hour", () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < 40; i++) throttle.failed("a", 0);
    expect(throttle.waitMs("a", 0)).toBe(LOGIN_THROTTLE.maxDelayMs);
    expect(throttle.waitMs("a", LOGIN_THROTTLE.forgetAfterMs + 1)).toBe(0);
  });
});
