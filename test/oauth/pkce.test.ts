import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { checkCodeChallenge, checkCodeVerifier, isCodeVerifier, verifyS256 } from "../../src/oauth/pkce.ts";

// RFC 7636 Appendix B
const VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

describe("checkCodeChallenge (authorization request)", () => {
  test("S256 with a 43-character base64url challenge is accepted", () => {
    expect(checkCodeChallenge(CHALLENGE, "S256")).toBeUndefined();
  });
  test.each([
    [undefined, "S256", /code_challenge is required/],
    [CHALLENGE, undefined, /absent means plain/],
    [CHALLENGE, "plain", /plain is not supported/],
    [CHALLENGE, "s256", /must be S256/],
    [CHALLENGE, "S512", /must be S256/],
    [CHALLENGE, "", /must be S256/],
    [CHALLENGE.slice(0, 42), "S256", /43-character/],
    [`${CHALLENGE}=`, "S256", /43-character/],
    [`${CHALLENGE}A`, "S256", /43-character/],
    [VERIFIER.replace("-", "+"), "S256", /43-character/],
    [CHALLENGE.replace("E", "é"), "S256", /43-character/],
    ["a".repeat(128), "S256", /43-character/],
    ["a".repeat(100_000), "S256", /43-character/],
    ["", "S256", /43-character/],
  ])("%p with method %p: invalid_request (RFC 7636 §4.4.1)", (challenge, method, description) => {
    const error = checkCodeChallenge(challenge, method);
    expect(error?.code).toBe("invalid_request");
    expect(error?.description).toMatch(description);
  });
});

describe("isCodeVerifier (RFC 7636 §4.1)", () => {
  test.each([VERIFIER, "a".repeat(43), "~".repeat(128), "A-._~0123456789abcdefghijklmnopqrstuvwxyzABC"])("%p is valid", (verifier) => {
    expect(isCodeVerifier(verifier)).toBe(true);
  });
  test.each([
    "a".repeat(42),
    "a".repeat(129),
    "",
    `${"a".repeat(42)}+`,
    `${"a".repeat(42)}=`,
    `${"a".repeat(42)} `,
    `${"a".repeat(42)}é`,
    `${"a".repeat(42)}%`,
  ])("%p is not", (verifier) => {
    expect(isCodeVerifier(verifier)).toBe(false);
  });
});

describe("verifyS256 (RFC 7636 §4.6)", () => {
  test("the RFC 7636 Appendix B example verifies", () => {
    expect(verifyS256(VERIFIER, CHALLENGE)).toBe(true);
  });
  test("a random verifier verifies against its own challenge", () => {
    const verifier = Buffer.from(crypto.getRandomValues(new Uint8Array(64))).toString("base64url");
    expect(verifyS256(verifier, createHash("sha256").update(verifier).digest("base64url"))).toBe(true);
  });
  test.each([
    ["another verifier", `${VERIFIER.slice(0, -1)}Y`, CHALLENGE],
    ["plain (verifier equals challenge)", CHALLENGE, CHALLENGE],
    ["the challenge with a changed last character", VERIFIER, `${CHALLENGE.slice(0, -1)}N`],
    ["a padded challenge", VERIFIER, `${CHALLENGE}=`],
    ["an empty challenge", VERIFIER, ""],
    ["a huge verifier", "a".repeat(1_000_000), CHALLENGE],
    ["a verifier of the wrong syntax whose hash matches", "short", createHash("sha256").update("short").digest("base64url")],
  ])("%s does not verify", (_, verifier, challenge) => {
    expect(verifyS256(verifier, challenge)).toBe(false);
  });
});

describe("checkCodeVerifier (token request)", () => {
  test("the right verifier passes", () => {
    expect(checkCodeVerifier(VERIFIER, CHALLENGE)).toBeUndefined();
  });
  test("missing: invalid_request", () => {
    expect(checkCodeVerifier(undefined, CHALLENGE)?.code).toBe("invalid_request");
  });
  test.each([
    ["wrong", `${VERIFIER.slice(0, -1)}Y`, /does not match/],
    ["too short", "abc", /43 to 128/],
    ["hostile", "'; DROP TABLE grants; --".padEnd(50, "x"), /43 to 128/],
  ])("%s: invalid_grant", (_, verifier, description) => {
    const error = checkCodeVerifier(verifier, CHALLENGE);
    expect(error?.code).toBe("invalid_grant");
    expect(error?.description).toMatch(description);
  });
});
