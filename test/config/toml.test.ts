import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../src/config/errors.ts";
import { parseToml, unsafeKeyProblems } from "../../src/config/toml.ts";

function failure(text: string): string {
  try {
    parseToml(text, "/etc/mcp.toml");
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a syntax error");
}

describe("TOML syntax errors name the line", () => {
  test.each([
    ["a = 1\nb = 2\nc = [1,\n  2,\n  x\n]\n", 5],
    ['a = 1\nb = "x\nc = 3\n', 2],
    ["a = 1\n[t]\nx = 1\n[t]\ny = 2\n", 4],
    ["a = 1\nb = 2\na = 3\n", 3],
    ['a = 1\nb = """\nmulti\n"""\nc = \n', 5],
    ["a = 1\n\n[servers.vault\ncommand = 1\n", 3],
    ["a = 1\nb = 2\nc = 3 4", 3],
  ])("%p fails on line %p", (text, line) => {
    expect(failure(text)).toStartWith(`/etc/mcp.toml: line ${line}: invalid TOML: `);
  });

  test("the message is Bun's, without its prefix", () => {
    expect(failure("a = 1\na = 2\n")).toBe("/etc/mcp.toml: line 2: invalid TOML: Cannot redefine key 'a'");
  });
});

describe("unsafeKeyProblems", () => {
  test("finds keys that would vanish in a JavaScript object, at any depth", () => {
    const document = Bun.TOML.parse("[a.__proto__]\nx = 1\n[[b]]\nconstructor = 1\n[c]\nprototype = { ok = 1 }\n");
    expect(unsafeKeyProblems(document)).toEqual([
      "a.__proto__: this key name cannot be used",
      "b[0].constructor: this key name cannot be used",
      "c.prototype: this key name cannot be used",
    ]);
  });
});
