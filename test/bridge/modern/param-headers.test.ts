// MCP 2026-07-28 streamable-http §Custom Headers from Tool Parameters, server side: which
// parameters of a tool's inputSchema are mirrored (x-mcp-header on a `properties` chain only),
// when a header is expected, how values compare (strings exactly, booleans as true/false, integers
// numerically), and the cases the conformance suite's http-custom-header-server-validation sends.
import { describe, expect, test } from "bun:test";
import { ErrorCode } from "../../../src/bridge/jsonrpc.ts";
import { checkParamHeaders } from "../../../src/bridge/modern/param-headers.ts";

const SCHEMA = {
  type: "object",
  properties: {
    region: { type: "string", "x-mcp-header": "Region" },
    count: { type: "integer", "x-mcp-header": "Count" },
    flag: { type: "boolean", "x-mcp-header": "Flag" },
    nested: { type: "object", properties: { deep: { type: "string", "x-mcp-header": "Deep" } } },
    list: { type: "array", items: { type: "string", "x-mcp-header": "Item" } },
    query: { type: "string" },
  },
  oneOf: [{ properties: { query: { "x-mcp-header": "Query" } } }],
  $defs: { other: { properties: { query: { "x-mcp-header": "Query" } } } },
  required: ["region", "query"],
};

function check(args: unknown, headers: Record<string, string>, schema: unknown = SCHEMA) {
  return checkParamHeaders(new Headers(headers), schema, args);
}

describe("accepted", () => {
  const cases: [string, unknown, Record<string, string>][] = [
    [
      "every mirrored value",
      { region: "us-west1", count: 42, flag: true, query: "SELECT 1" },
      { "Mcp-Param-Region": "us-west1", "Mcp-Param-Count": "42", "Mcp-Param-Flag": "true" },
    ],
    ["header names in any case", { region: "us-west1" }, { "mcp-param-region": "us-west1" }],
    ["no value: no header expected", { query: "q" }, {}],
    ["a null value: no header expected", { region: null }, {}],
    ["a header without its value is ignored", {}, { "Mcp-Param-Region": "us-west1" }],
    ["Base64 of the value", { region: "Hello" }, { "Mcp-Param-Region": "=?base64?SGVsbG8=?=" }],
    ["Base64 of non-ASCII", { region: "Hello, 世界" }, { "Mcp-Param-Region": "=?base64?SGVsbG8sIOS4lueVjA==?=" }],
    ["Base64 of a newline", { region: "line1\nline2" }, { "Mcp-Param-Region": "=?base64?bGluZTEKbGluZTI=?=" }],
    ["a value without the =?base64? prefix is literal", { region: "SGVsbG8=" }, { "Mcp-Param-Region": "SGVsbG8=" }],
    ["a value without the ?= suffix is literal", { region: "=?base64?SGVsbG8=" }, { "Mcp-Param-Region": "=?base64?SGVsbG8=" }],
    ["an integer written 42.0", { count: 42 }, { "Mcp-Param-Count": "42.0" }],
    ["a negative integer", { count: -7 }, { "Mcp-Param-Count": "-7" }],
    ["an integer with whitespace around it", { count: 7 }, { "Mcp-Param-Count": " 7 " }],
    ["false", { flag: false }, { "Mcp-Param-Flag": "false" }],
    ["a nested property", { nested: { deep: "v" } }, { "Mcp-Param-Deep": "v" }],
    ["a nested property whose parent is absent", { region: "r" }, { "Mcp-Param-Region": "r" }],
    ["an object where a primitive is declared: nothing to mirror", { region: { a: 1 } }, {}],
    ["an array where a primitive is declared", { region: ["a"] }, {}],
    ["an integer beyond the safe range: nothing to mirror", { count: 2 ** 53 }, {}],
    ["annotations under items, oneOf or $defs are not mirrored", { list: ["a"], query: "q" }, {}],
    ["arguments that are not an object", null, {}],
    ["arguments that are an array", ["us-west1"], {}],
    ["arguments that are a string", "us-west1", {}],
  ];
  for (const [name, args, headers] of cases) test(name, () => expect(check(args, headers)).toBeUndefined());

  test("schemas that are not objects, or declare nothing", () => {
    for (const schema of [undefined, null, "x", 5, [], {}, { properties: [] }, { properties: { a: "x" } }]) {
      expect(check({ a: "x" }, {}, schema)).toBeUndefined();
    }
  });

  test("annotations with names that are no header token are not mirrored (and never reach Headers.get)", () => {
    const schema = {
      properties: {
        a: { type: "string", "x-mcp-header": "Bad Name" },
        b: { type: "string", "x-mcp-header": "" },
        c: { type: "string", "x-mcp-header": 42 },
        d: { type: "string", "x-mcp-header": "Ünï" },
        e: { type: "string", "x-mcp-header": "a\r\nb" },
      },
    };
    expect(check({ a: "x", b: "x", c: "x", d: "x", e: "x" }, {}, schema)).toBeUndefined();
  });

  test("an annotation on the root itself is no parameter", () => {
    expect(check({}, {}, { "x-mcp-header": "Root", properties: {} })).toBeUndefined();
  });

  test("prototype keys resolve to own properties only", () => {
    const schema = {
      properties: { constructor: { type: "string", "x-mcp-header": "Ctor" }, toString: { type: "string", "x-mcp-header": "Str" } },
    };
    expect(check({}, {}, schema)).toBeUndefined();
    expect(check(JSON.parse('{"constructor":"v"}'), {}, schema)?.message).toContain("Mcp-Param-Ctor header is missing");
    const proto = JSON.parse('{"properties":{"__proto__":{"type":"string","x-mcp-header":"Proto"}}}');
    expect(check(JSON.parse('{"__proto__":"v"}'), {}, proto)?.message).toContain("Mcp-Param-Proto header is missing");
    expect(check(JSON.parse('{"__proto__":"v"}'), { "Mcp-Param-Proto": "v" }, proto)).toBeUndefined();
  });

  test("a schema nested 100,000 levels deep is walked without overflowing the stack", () => {
    let schema: Record<string, unknown> = { type: "string", "x-mcp-header": "Deepest" };
    let args: unknown = "v";
    for (let i = 0; i < 100_000; i++) {
      schema = { type: "object", properties: { p: schema } };
      args = { p: args };
    }
    expect(check(args, { "Mcp-Param-Deepest": "v" }, schema)).toBeUndefined();
    expect(check(args, {}, schema)?.code).toBe(ErrorCode.HeaderMismatch);
  });
});

describe("refused with 400 and -32020", () => {
  const cases: [string, unknown, Record<string, string>, string[]][] = [
    [
      "the header omitted while the value is in the body",
      { region: "test-value" },
      {},
      ["Mcp-Param-Region header is missing", '"region"', '"test-value"'],
    ],
    ["another value", { region: "us-west1" }, { "Mcp-Param-Region": "eu-west1" }, ['"eu-west1"', '"us-west1"']],
    ["the value in other case", { region: "us-west1" }, { "Mcp-Param-Region": "US-WEST1" }, ['"US-WEST1"']],
    ["Base64 without padding", { region: "Hello" }, { "Mcp-Param-Region": "=?base64?SGVsbG8?=" }, ["Base64"]],
    ["Base64 with non-alphabet characters", { region: "Hello" }, { "Mcp-Param-Region": "=?base64?SGVs!!!bG8=?=" }, ["Base64"]],
    ["Base64 of something else", { region: "Hello" }, { "Mcp-Param-Region": "=?base64?SGk=?=" }, ['"Hi"', '"Hello"']],
    ["raw non-ASCII", { region: "é" }, { "Mcp-Param-Region": "é" }, ["characters outside visible ASCII"]],
    ["a raw control character", { region: "a\u0001" }, { "Mcp-Param-Region": "a\u0001" }, ["\\u0001"]],
    ["a malformed recognized header even without a value", {}, { "Mcp-Param-Region": "=?base64?%%%?=" }, ["Base64"]],
    ["an integer in another notation", { count: 42 }, { "Mcp-Param-Count": "4.2e1" }, ['"4.2e1"', "42"]],
    ["another integer", { count: 42 }, { "Mcp-Param-Count": "43" }, ['"43"']],
    ["an integer header for a string value compares as text", { region: "42" }, { "Mcp-Param-Region": "42.0" }, ['"42.0"']],
    ["True is not true", { flag: true }, { "Mcp-Param-Flag": "True" }, ['"True"', "true"]],
    ["1 is not true", { flag: true }, { "Mcp-Param-Flag": "1" }, ['"1"']],
    ["a missing boolean", { flag: false }, {}, ["Mcp-Param-Flag header is missing", "false"]],
    ["a missing nested value", { nested: { deep: "v" } }, {}, ["Mcp-Param-Deep header is missing", '"nested.deep"']],
    ["an empty string is a value", { region: "" }, {}, ["Mcp-Param-Region header is missing"]],
  ];
  for (const [name, args, headers, named] of cases) {
    test(name, () => {
      const refused = check(args, headers);
      expect(refused).toMatchObject({ status: 400, code: ErrorCode.HeaderMismatch });
      for (const part of named) expect(refused?.message).toContain(part);
    });
  }

  test("huge values are cut in the message", () => {
    const refused = check({ region: "r".repeat(50_000) }, { "Mcp-Param-Region": "s".repeat(50_000) });
    expect(refused?.code).toBe(ErrorCode.HeaderMismatch);
    expect(refused!.message.length).toBeLessThan(300);
  });

  test("names that differ only in case share one header", () => {
    const schema = { properties: { a: { type: "string", "x-mcp-header": "Same" }, b: { type: "string", "x-mcp-header": "SAME" } } };
    expect(check({ a: "x", b: "x" }, { "Mcp-Param-Same": "x" }, schema)).toBeUndefined();
    expect(check({ a: "x", b: "y" }, { "Mcp-Param-Same": "x" }, schema)?.message).toContain('"y"');
  });
});
