import { describe, expect, test } from "bun:test";
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
