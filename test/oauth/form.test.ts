import { describe, expect, test } from "bun:test";
import { parseForm } from "../../src/oauth/form.ts";

const bytes = (body: string | Uint8Array) => (typeof body === "string" ? new TextEncoder().encode(body) : body);

function params(body: string | Uint8Array): Record<string, string> {
  const result = parseForm(bytes(body));
  if (!result.ok) throw new Error(`unexpected ${result.error.code}: ${result.error.description}`);
  return Object.fromEntries(result.value);
}

function failure(body: string | Uint8Array) {
  const result = parseForm(bytes(body));
  if (result.ok) throw new Error("expected an error");
  return result.error;
}

describe("parseForm: accepted", () => {
  test("a token request", () => {
    expect(params("grant_type=authorization_code&code=mcpc_abc&redirect_uri=http%3A%2F%2Flocalhost%3A1234%2Fcb&code_verifier=x")).toEqual({
      grant_type: "authorization_code",
      code: "mcpc_abc",
      redirect_uri: "http://localhost:1234/cb",
      code_verifier: "x",
    });
  });
  test.each([
    ["a=1+2", { a: "1 2" }],
    ["a=1%2B2", { a: "1+2" }],
    ["a=%C3%A9", { a: "é" }],
    ["a=%e2%82%ac", { a: "€" }],
    ["a=x%3Dy%26z", { a: "x=y&z" }],
    ["a=1&&b=2&", { a: "1", b: "2" }],
    ["", {}],
  ])("%p", (body, expected) => {
    const result = parseForm(bytes(body));
    expect(result.ok && Object.fromEntries(result.value)).toEqual(expected as Record<string, string>);
  });
  test("prototype names are plain parameters", () => {
    const result = parseForm(bytes("__proto__=x&constructor=y"));
    expect(result.ok && result.value.get("__proto__")).toBe("x");
    expect(result.ok && result.value.get("constructor")).toBe("y");
  });
  test("RFC 6749 §3.1: a parameter without a value is as if omitted", () => {
    expect(params("a=&b&c=1")).toEqual({ c: "1" });
  });
  test("an omitted duplicate is not a repeat", () => {
    expect(params("scope=&scope=mcp%3Avault")).toEqual({ scope: "mcp:vault" });
  });
  test("bytes are read as UTF-8", () => {
    expect(params(new TextEncoder().encode("client_id=abc&state=%F0%9F%94%91"))).toEqual({ client_id: "abc", state: "🔑" });
  });
});

describe("parseForm: refused", () => {
  test.each(["code=a&code=b", "client_id=a&client_id=a", "client_secret=a&x=1&client_secret=b", "grant_type=x&grant%5Ftype=y"])(
    "%p: a repeated parameter is invalid_request (RFC 6749 §3.2)",
    (body) => {
      const error = failure(body);
      expect(error.code).toBe("invalid_request");
      expect(error.description).toMatch(/repeated/);
      expect(error.redirectable).toBe(false);
    },
  );
  test("a repeated resource is invalid_target (RFC 8707 §2: one audience per token here)", () => {
    expect(failure("resource=https%3A%2F%2Fa&resource=https%3A%2F%2Fb").code).toBe("invalid_target");
  });
  test.each(["a=%", "a=%zz", "a=%C3", "a=%FF%FE", "%=1", "a=%ED%A0%80"])("%p: malformed %-encoding is invalid_request", (body) => {
    expect(failure(body).code).toBe("invalid_request");
  });
  test("bytes that are not UTF-8 are invalid_request", () => {
    expect(failure(new Uint8Array([0x61, 0x3d, 0xff, 0xfe])).code).toBe("invalid_request");
  });
});
