// MCP 2026-07-28 streamable-http §Standard Request Headers, §Value Encoding and §Server
// Validation: MCP-Protocol-Version, Mcp-Method and Mcp-Name against the body of a modern message,
// the Base64 sentinel, and what a client can put in a header to get past them (it cannot).
import { describe, expect, test } from "bun:test";
import { ErrorCode } from "../../../src/bridge/jsonrpc.ts";
import { type ClientMessage, checkStandardHeaders } from "../../../src/bridge/modern/request-headers.ts";

const b64 = (text: string) => `=?base64?${Buffer.from(text, "utf8").toString("base64")}?=`;
const b64Bytes = (bytes: number[]) => `=?base64?${Buffer.from(bytes).toString("base64")}?=`;

function req(method: string, params?: Record<string, unknown>): ClientMessage {
  return { kind: "request", id: 1, method, params };
}

function check(message: ClientMessage, headers: Record<string, string>) {
  return checkStandardHeaders(new Headers({ "MCP-Protocol-Version": "2026-07-28", ...headers }), message, "2026-07-28");
}

describe("accepted", () => {
  const cases: [string, ClientMessage, Record<string, string>][] = [
    ["a method without Mcp-Name", req("tools/list"), { "Mcp-Method": "tools/list" }],
    ["tools/call", req("tools/call", { name: "get_weather" }), { "Mcp-Method": "tools/call", "Mcp-Name": "get_weather" }],
    ["prompts/get", req("prompts/get", { name: "greet" }), { "Mcp-Method": "prompts/get", "Mcp-Name": "greet" }],
    [
      "resources/read mirrors the uri",
      req("resources/read", { uri: "file:///projects/myapp/config.json" }),
      { "Mcp-Method": "resources/read", "Mcp-Name": "file:///projects/myapp/config.json" },
    ],
    [
      "a Base64 name (UTF-8)",
      req("tools/call", { name: "Hello, 世界" }),
      { "Mcp-Method": "tools/call", "Mcp-Name": "=?base64?SGVsbG8sIOS4lueVjA==?=" },
    ],
    [
      "a Base64 name with control characters",
      req("tools/call", { name: "line1\nline2" }),
      { "Mcp-Method": "tools/call", "Mcp-Name": b64("line1\nline2") },
    ],
    [
      "a Base64 name with spaces around it",
      req("tools/call", { name: " padded " }),
      { "Mcp-Method": "tools/call", "Mcp-Name": "=?base64?IHBhZGRlZCA=?=" },
    ],
    [
      "a literal that looks like the sentinel, encoded",
      req("tools/call", { name: "=?base64?literal?=" }),
      { "Mcp-Method": "tools/call", "Mcp-Name": "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=" },
    ],
    ["a byte-order mark kept", req("tools/call", { name: "\ufeffx" }), { "Mcp-Method": "tools/call", "Mcp-Name": b64("\ufeffx") }],
    ["an empty Base64 payload", req("tools/call", { name: "" }), { "Mcp-Method": "tools/call", "Mcp-Name": "=?base64??=" }],
    [
      "a value without ?= suffix is literal",
      req("tools/call", { name: "=?base64?SGk=" }),
      { "Mcp-Method": "tools/call", "Mcp-Name": "=?base64?SGk=" },
    ],
    ["whitespace around values", req("tools/call", { name: "x" }), { "Mcp-Method": " tools/call\t", "Mcp-Name": "\t x " }],
    ["lowercase header names", req("tools/call", { name: "x" }), { "mcp-method": "tools/call", "mcp-name": "x" }],
    ["uppercase header names", req("tools/call", { name: "x" }), { "MCP-METHOD": "tools/call", "MCP-NAME": "x" }],
    ["Mcp-Name on a method that has none", req("tools/list"), { "Mcp-Method": "tools/list", "Mcp-Name": "anything" }],
    // The name is not a string: nothing a header can mirror, and the server refuses those params itself.
    ["a number as name, with a header", req("tools/call", { name: 42 }), { "Mcp-Method": "tools/call", "Mcp-Name": "42" }],
    ["a number as name, without", req("tools/call", { name: 42 }), { "Mcp-Method": "tools/call" }],
    ["no name in the body, no header", req("tools/call", { arguments: {} }), { "Mcp-Method": "tools/call" }],
    ["no params", req("resources/read"), { "Mcp-Method": "resources/read" }],
    ["a method named like a prototype key", req("constructor", { name: "x" }), { "Mcp-Method": "constructor" }],
    ["__proto__ as method", req("__proto__", { name: "x" }), { "Mcp-Method": "__proto__" }],
  ];
  for (const [name, message, headers] of cases) test(name, () => expect(check(message, headers)).toBeUndefined());

  test("a huge Base64 name equal to the body", () => {
    const name = "ü".repeat(50_000);
    expect(check(req("tools/call", { name }), { "Mcp-Method": "tools/call", "Mcp-Name": b64(name) })).toBeUndefined();
  });
});

describe("refused with 400 and -32020", () => {
  // [case, message, headers (beside a 2026-07-28 MCP-Protocol-Version), what the message must say]
  const cases: [string, ClientMessage, Record<string, string>, string[]][] = [
    ["no Mcp-Method", req("tools/list"), {}, ["Mcp-Method header is missing", '"tools/list"']],
    ["another method", req("tools/list"), { "Mcp-Method": "prompts/list" }, ['"prompts/list"', '"tools/list"']],
    ["the method in other case", req("tools/list"), { "Mcp-Method": "TOOLS/LIST" }, ['"TOOLS/LIST"']],
    ["the method with a control character", req("tools/list"), { "Mcp-Method": "tools/list\u0001" }, ["\\u0001", "characters"]],
    [
      "the method Base64-encoded (only names and params may be)",
      req("tools/list"),
      { "Mcp-Method": b64("tools/list") },
      ["does not match"],
    ],
    ["two Mcp-Method values", req("tools/list"), { "Mcp-Method": "tools/list, tools/list" }, ["does not match"]],
    [
      "no Mcp-Name for tools/call",
      req("tools/call", { name: "t" }),
      { "Mcp-Method": "tools/call" },
      ["Mcp-Name header is missing", "params.name", '"t"'],
    ],
    ["no Mcp-Name for prompts/get", req("prompts/get", { name: "p" }), { "Mcp-Method": "prompts/get" }, ["params.name"]],
    [
      "no Mcp-Name for resources/read",
      req("resources/read", { uri: "file:///a" }),
      { "Mcp-Method": "resources/read" },
      ["params.uri", '"file:///a"'],
    ],
    [
      "another tool",
      req("tools/call", { name: "get_weather" }),
      { "Mcp-Method": "tools/call", "Mcp-Name": "wrong_tool_name" },
      ['"wrong_tool_name"', '"get_weather"'],
    ],
    [
      "the name in other case",
      req("tools/call", { name: "Tool" }),
      { "Mcp-Method": "tools/call", "Mcp-Name": "tool" },
      ['"tool"', '"Tool"'],
    ],
    [
      "a Base64 name of another tool",
      req("tools/call", { name: "a" }),
      { "Mcp-Method": "tools/call", "Mcp-Name": b64("b") },
      ['"b"', '"a"'],
    ],
    [
      "a sentinel-shaped literal, unencoded",
      req("tools/call", { name: "=?base64?literal?=" }),
      { "Mcp-Method": "tools/call", "Mcp-Name": "=?base64?literal?=" },
      ["Base64"],
    ],
    [
      "Base64 without its padding",
      req("tools/call", { name: "Hello" }),
      { "Mcp-Method": "tools/call", "Mcp-Name": "=?base64?SGVsbG8?=" },
      ["Base64"],
    ],
    [
      "Base64 with foreign characters",
      req("tools/call", { name: "Hello" }),
      { "Mcp-Method": "tools/call", "Mcp-Name": "=?base64?SGVs!!!bG8=?=" },
      ["Base64"],
    ],
    [
      "Base64 with white space inside",
      req("tools/call", { name: "Hello" }),
      { "Mcp-Method": "tools/call", "Mcp-Name": "=?base64?SGVs bG8=?=" },
      ["Base64"],
    ],
    [
      "Base64 the URL-safe alphabet",
      req("tools/call", { name: "??>" }),
      { "Mcp-Method": "tools/call", "Mcp-Name": "=?base64?Pz8-?=" },
      ["Base64"],
    ],
    [
      "non-canonical Base64 (stray bits)",
      req("tools/call", { name: "Hello" }),
      { "Mcp-Method": "tools/call", "Mcp-Name": "=?base64?SGVsbG9=?=" },
      ["canonical"],
    ],
    [
      "Base64 of bytes that are not UTF-8",
      req("tools/call", { name: "x" }),
      { "Mcp-Method": "tools/call", "Mcp-Name": b64Bytes([0xff, 0xfe]) },
      ["UTF-8"],
    ],
    [
      "Base64 of an overlong UTF-8 form",
      req("tools/call", { name: "/" }),
      { "Mcp-Method": "tools/call", "Mcp-Name": b64Bytes([0xc0, 0xaf]) },
      ["UTF-8"],
    ],
    [
      "Base64 of a lone surrogate",
      req("tools/call", { name: "x" }),
      { "Mcp-Method": "tools/call", "Mcp-Name": b64Bytes([0xed, 0xa0, 0x80]) },
      ["UTF-8"],
    ],
    [
      "a raw non-ASCII name",
      req("tools/call", { name: "café" }),
      { "Mcp-Method": "tools/call", "Mcp-Name": "café" },
      ["characters outside visible ASCII"],
    ],
    [
      "a raw control character",
      req("tools/call", { name: "a\u0001b" }),
      { "Mcp-Method": "tools/call", "Mcp-Name": "a\u0001b" },
      ["\\u0001", "characters outside"],
    ],
    ["DEL in a name", req("tools/call", { name: "a\u007fb" }), { "Mcp-Method": "tools/call", "Mcp-Name": "a\u007fb" }, ["\\u007f"]],
    [
      "a malformed Mcp-Name even without a body name",
      req("tools/call", {}),
      { "Mcp-Method": "tools/call", "Mcp-Name": "=?base64?***?=" },
      ["Base64"],
    ],
  ];
  for (const [name, message, headers, named] of cases) {
    test(name, () => {
      const refused = check(message, headers);
      expect(refused).toMatchObject({ status: 400, code: ErrorCode.HeaderMismatch });
      expect(refused?.message.startsWith("Header mismatch: ")).toBe(true);
      for (const part of named) expect(refused?.message).toContain(part);
    });
  }

  test("no MCP-Protocol-Version on a request", () => {
    const refused = checkStandardHeaders(new Headers({ "Mcp-Method": "tools/list" }), req("tools/list"), "2026-07-28");
    expect(refused).toMatchObject({ status: 400, code: ErrorCode.HeaderMismatch });
    expect(refused?.message).toContain("MCP-Protocol-Version header is missing");
  });

  test("huge values are cut in the message", () => {
    const name = "n".repeat(100_000);
    const refused = check(req("tools/call", { name }), { "Mcp-Method": "tools/call", "Mcp-Name": "m".repeat(100_000) });
    expect(refused?.code).toBe(ErrorCode.HeaderMismatch);
    expect(refused!.message.length).toBeLessThan(300);
    expect(refused?.message).toContain("…");
  });

  test("white space inside a value is part of it (only the outer white space is not)", () => {
    const inner = `a${" \t".repeat(50_000)}b`;
    expect(check(req("tools/call", { name: inner }), { "Mcp-Method": "tools/call", "Mcp-Name": ` ${inner} ` })).toBeUndefined();
    expect(check(req("tools/call", { name: "ab" }), { "Mcp-Method": "tools/call", "Mcp-Name": inner })?.code).toBe(
      ErrorCode.HeaderMismatch,
    );
  });

  test("a huge malformed Base64 value is refused without echoing it", () => {
    const refused = check(req("tools/call", { name: "x" }), { "Mcp-Method": "tools/call", "Mcp-Name": `=?base64?${"A".repeat(99_999)}?=` });
    expect(refused?.code).toBe(ErrorCode.HeaderMismatch);
    expect(refused!.message.length).toBeLessThan(300);
  });
});

describe("notifications: presence is required of requests only", () => {
  const note = (method: string): ClientMessage => ({ kind: "notification", method, params: undefined });
  test("no headers at all", () => {
    expect(checkStandardHeaders(new Headers(), note("notifications/x"), "2026-07-28")).toBeUndefined();
  });
  test("an Mcp-Method that agrees", () => {
    expect(checkStandardHeaders(new Headers({ "Mcp-Method": "notifications/x" }), note("notifications/x"), "2026-07-28")).toBeUndefined();
  });
  test("an Mcp-Method that disagrees", () => {
    const refused = checkStandardHeaders(new Headers({ "Mcp-Method": "notifications/y" }), note("notifications/x"), "2026-07-28");
    expect(refused?.code).toBe(ErrorCode.HeaderMismatch);
  });
});
