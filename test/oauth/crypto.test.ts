import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { randomToken, secretMatches, sha256Hex, TOKEN_PREFIX } from "../../src/oauth/crypto.ts";

describe("randomToken", () => {
  test.each(Object.values(TOKEN_PREFIX))("%p + 43 base64url characters (32 bytes)", (prefix) => {
    const token = randomToken(prefix);
    expect(token.startsWith(prefix)).toBe(true);
    const body = token.slice(prefix.length);
    expect(body).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(body, "base64url").length).toBe(32);
  });
  test("never repeats", () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => randomToken("mcpa_")));
    expect(tokens.size).toBe(1000);
  });
});

describe("sha256Hex", () => {
  test("matches the known vector and hashes UTF-8", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex("é")).toBe(createHash("sha256").update(Buffer.from("c3a9", "hex")).digest("hex"));
    expect(sha256Hex("")).toHaveLength(64);
  });
});

describe("secretMatches: the presented secret is hashed first, so every length compares as 32 bytes", () => {
  const secret = randomToken(TOKEN_PREFIX.clientSecret);
  const stored = sha256Hex(secret);
  test("the right secret", () => {
    expect(secretMatches(secret, stored)).toBe(true);
    expect(secretMatches(secret, stored.toUpperCase())).toBe(true);
  });
  test.each([
    ["empty", ""],
    ["one character", "m"],
    ["one character short", secret.slice(0, -1)],
    ["one character long", `${secret}x`],
    ["another secret", randomToken(TOKEN_PREFIX.clientSecret)],
    ["the stored hash itself", stored],
    ["unicode", "🔑".repeat(50)],
    ["NUL bytes", "\0".repeat(64)],
    ["1 MB", "a".repeat(1024 * 1024)],
    ["10 MB", "b".repeat(10 * 1024 * 1024)],
  ])("a wrong secret (%s) does not match and does not throw", (_, presented) => {
    expect(secretMatches(presented, stored)).toBe(false);
  });
  test.each([
    ["empty", ""],
    ["short", "abcd"],
    ["not hex", "z".repeat(64)],
    ["odd length", stored.slice(0, 63)],
    ["too long", `${stored}00`],
  ])("an unusable stored hash (%s) never matches and does not throw", (_, badStored) => {
    expect(secretMatches(secret, badStored)).toBe(false);
    expect(secretMatches("", badStored)).toBe(false);
  });
});
