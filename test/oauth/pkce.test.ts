import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { checkCodeChallenge, checkCodeVerifier } from "../../src/oauth/pkce.ts";

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

const s256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");

describe("checkCodeVerifier (token request)", () => {
  test("the right verifier passes", () => {
    expect(checkCodeVerifier(VERIFIER, CHALLENGE)).toBeUndefined();
  });
  test("missing: invalid_request", () => {
    expect(checkCodeVerifier(undefined, CHALLENGE)?.code).toBe("invalid_request");
  });
  test.each([VERIFIER, "a".repeat(43), "~".repeat(128), "A-._~0123456789abcdefghijklmnopqrstuvwxyzABC"])(
    "RFC 7636 §4.1: %p has the verifier's syntax and verifies against its own challenge",
    (verifier) => {
      expect(checkCodeVerifier(verifier, s256(verifier))).toBeUndefined();
    },
  );
  test("a random verifier verifies against its own challenge", () => {
    const verifier = Buffer.from(crypto.getRandomValues(new Uint8Array(64))).toString("base64url");
    expect(checkCodeVerifier(verifier, s256(verifier))).toBeUndefined();
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
    "a".repeat(1_000_000),
    "short",
    "'; DROP TABLE grants; --".padEnd(50, "x"),
  ])("RFC 7636 §4.1: %p is not a verifier, even when its hash is the challenge: invalid_grant", (verifier) => {
    for (const challenge of [CHALLENGE, s256(verifier)]) {
      const error = checkCodeVerifier(verifier, challenge);
      expect(error?.code).toBe("invalid_grant");
      expect(error?.description).toMatch(/43 to 128/);
    }
  });
  test.each([
    ["another verifier", `${VERIFIER.slice(0, -1)}Y`, CHALLENGE],
    ["plain (verifier equals challenge)", CHALLENGE, CHALLENGE],
    ["the challenge with a changed last character", VERIFIER, `${CHALLENGE.slice(0, -1)}N`],
    ["a padded challenge", VERIFIER, `${CHALLENGE}=`],
    ["an empty challenge", VERIFIER, ""],
  ])("RFC 7636 §4.6: %s does not verify: invalid_grant", (_, verifier, challenge) => {
    const error = checkCodeVerifier(verifier, challenge);
    expect(error?.code).toBe("invalid_grant");
    expect(error?.description).toMatch(/does not match/);
  });
});
