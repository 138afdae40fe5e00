import { describe, expect, test } from "bun:test";
import { formatScope, parseScope, scopeCovers, serverScope } from "../../src/oauth/scopes.ts";

describe("serverScope", () => {
  test("one scope per served server", () => {
    expect(serverScope("vault")).toBe("mcp:vault");
  });
});

describe("parseScope (RFC 6749 §3.3)", () => {
  test.each([
    ["mcp:vault", ["mcp:vault"]],
    ["mcp:vault mcp:notes", ["mcp:vault", "mcp:notes"]],
    ["  mcp:vault   mcp:notes ", ["mcp:vault", "mcp:notes"]],
    ["mcp:vault mcp:vault", ["mcp:vault"]],
    ["", []],
    ["MCP:VAULT mcp:vault", ["MCP:VAULT", "mcp:vault"]],
    ["offline_access openid", ["offline_access", "openid"]],
  ])("%p -> %p", (text, scopes) => {
    expect(parseScope(text)).toEqual({ ok: true, value: scopes });
  });
  test.each(["mcp:vault\tmcp:notes", "mcp:vault\nmcp:notes", 'mcp:"vault"', "mcp:\\vault", "mcp:välkommen", "mcp:\u0000"])(
    "%p is refused",
    (text) => {
      expect(parseScope(text).ok).toBe(false);
    },
  );
  test("a long list parses without trouble", () => {
    const text = Array.from({ length: 10_000 }, (_, i) => `s${i}`).join(" ");
    const result = parseScope(text);
    expect(result.ok && result.value.length).toBe(10_000);
  });
});

describe("formatScope", () => {
  test("space-delimited, duplicates dropped", () => {
    expect(formatScope(["mcp:vault", "mcp:notes", "mcp:vault"])).toBe("mcp:vault mcp:notes");
    expect(formatScope([])).toBe("");
  });
});

describe("scopeCovers", () => {
  test.each([
    [["mcp:vault"], ["mcp:vault"], true],
    [["mcp:vault", "mcp:notes"], ["mcp:notes"], true],
    [["mcp:vault"], [], true],
    [[], ["mcp:vault"], false],
    [["mcp:notes"], ["mcp:vault"], false],
    [["MCP:vault"], ["mcp:vault"], false],
    [["mcp:vault"], ["mcp:vault", "mcp:notes"], false],
    [["mcp:vaul"], ["mcp:vault"], false],
  ])("granted %p covers %p: %p", (granted, required, covers) => {
    expect(scopeCovers(granted, required)).toBe(covers);
  });
});
