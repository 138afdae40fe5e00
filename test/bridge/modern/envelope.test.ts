// The era of a POST (MCP 2026-07-28 versioning §Backward Compatibility) and the edge of
// streamable-http §Server Validation, case by case: what stays 2025 traffic, what is a modern
// request and its envelope, and which refusal (status, code, what the message names) each fault
// gets — in the order the conformance suite's server-stateless and http-header-validation expect.
import { describe, expect, test } from "bun:test";
import { ErrorCode } from "../../../src/bridge/jsonrpc.ts";
import { classifyPost } from "../../../src/bridge/modern/envelope.ts";
import { MODERN_PROTOCOL_VERSIONS } from "../../../src/bridge/protocol-version.ts";
import { parseBody } from "../../../src/bridge/request-body.ts";

const VERSION = "io.modelcontextprotocol/protocolVersion";
const CAPS = "io.modelcontextprotocol/clientCapabilities";
const INFO = "io.modelcontextprotocol/clientInfo";
const LEVEL = "io.modelcontextprotocol/logLevel";
const META = { [VERSION]: "2026-07-28", [INFO]: { name: "test-client", version: "1.0.0" }, [CAPS]: {} };

function classify(body: unknown, headers: Record<string, string> = {}) {
  const parsed = parseBody(JSON.stringify(body));
  if (!parsed.ok) throw new Error(parsed.error.message);
  return classifyPost(new Headers(headers), parsed.value);
}

/** The headers a conforming 2026-07-28 client sends with a request for `method`. */
function headersFor(method: string, name?: string): Record<string, string> {
  return { "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": method, ...(name === undefined ? {} : { "Mcp-Name": name }) };
}

function request(method: string, params?: unknown) {
  return { jsonrpc: "2.0", id: 7, method, ...(params === undefined ? {} : { params }) };
}

function rejection(body: unknown, headers: Record<string, string>) {
  const era = classify(body, headers);
  if (era.era !== "rejected") throw new Error(`expected a rejection, got ${era.era}`);
  return era.rejection;
}

describe("2025 traffic stays legacy", () => {
  const cases: [string, unknown, Record<string, string>][] = [
    ["initialize without _meta", request("initialize", { protocolVersion: "2025-11-25", capabilities: {} }), {}],
    ["initialize with a 2025 header", request("initialize", { protocolVersion: "2025-11-25" }), { "MCP-Protocol-Version": "2025-11-25" }],
    ["initialize whose _meta names a 2025 revision", request("initialize", { _meta: { ...META, [VERSION]: "2025-11-25" } }), {}],
    ["initialize with an incomplete modern _meta", request("initialize", { _meta: { [VERSION]: "2026-07-28" } }), {}],
    ["a request without _meta or header", request("tools/list"), {}],
    ["a request in a session", request("tools/list", {}), { "MCP-Protocol-Version": "2025-11-25", "Mcp-Session-Id": "abc" }],
    ["a request whose _meta has only a progress token", request("tools/call", { name: "x", _meta: { progressToken: 1 } }), {}],
    ["a request whose _meta is a string", request("tools/list", { _meta: "2026-07-28" }), {}],
    ["a request whose _meta is an array", request("tools/list", { _meta: [META] }), {}],
    ["a request whose params are an array", request("tools/list", [META]), {}],
    ["a notification", { jsonrpc: "2.0", method: "notifications/initialized" }, { "MCP-Protocol-Version": "2025-11-25" }],
    ["a response, even with a modern header", { jsonrpc: "2.0", id: 1, result: {} }, headersFor("tools/list")],
    ["a batch of 2025 messages", [request("tools/list"), { jsonrpc: "2.0", method: "notifications/initialized" }], {}],
    ["a header of an unknown older revision", request("tools/list"), { "MCP-Protocol-Version": "2024-01-01" }],
  ];
  for (const [name, body, headers] of cases) {
    test(name, () => expect(classify(body, headers)).toEqual({ era: "legacy" }));
  }
});

describe("modern requests and their envelope", () => {
  test("a complete request: the envelope as sent", () => {
    const era = classify(request("tools/list", { _meta: { ...META, [LEVEL]: "info", progressToken: "p" } }), headersFor("tools/list"));
    expect(era).toEqual({
      era: "modern",
      envelope: {
        protocolVersion: "2026-07-28",
        clientCapabilities: {},
        clientInfo: { name: "test-client", version: "1.0.0" },
        logLevel: "info",
      },
    });
  });

  test("clientInfo and logLevel are optional (absent logLevel: no log notifications)", () => {
    const era = classify(
      request("server/discover", { _meta: { [VERSION]: "2026-07-28", [CAPS]: { sampling: {} } } }),
      headersFor("server/discover"),
    );
    expect(era).toEqual({ era: "modern", envelope: { protocolVersion: "2026-07-28", clientCapabilities: { sampling: {} } } });
  });

  test("initialize with a complete modern envelope is a modern request (for a method this revision lacks)", () => {
    expect(classify(request("initialize", { _meta: META }), headersFor("initialize")).era).toBe("modern");
  });

  test("header names are case-insensitive, and whitespace around values is not part of them", () => {
    const headers = { "mcp-protocol-version": " 2026-07-28\t", "MCP-METHOD": "  tools/call ", "mcp-name": "  get_weather  " };
    expect(classify(request("tools/call", { name: "get_weather", _meta: META }), headers).era).toBe("modern");
  });

  test("an Mcp-Session-Id is ignored", () => {
    const headers = { ...headersFor("tools/list"), "Mcp-Session-Id": "stale" };
    expect(classify(request("tools/list", { _meta: META }), headers).era).toBe("modern");
  });

  test("a notification with an envelope needs no headers; one without, the modern header alone", () => {
    expect(classify({ jsonrpc: "2.0", method: "notifications/x", params: { _meta: { [VERSION]: "2026-07-28" } } })).toEqual({
      era: "modern",
      envelope: { protocolVersion: "2026-07-28", clientCapabilities: {} },
    });
    expect(classify({ jsonrpc: "2.0", method: "notifications/x" }, { "MCP-Protocol-Version": "2026-07-28" })).toEqual({
      era: "modern",
      envelope: { protocolVersion: "2026-07-28", clientCapabilities: {} },
    });
  });
});

describe("refusals", () => {
  const HeaderMismatch = ErrorCode.HeaderMismatch;
  const InvalidParams = ErrorCode.InvalidParams;
  // [case, body, headers, code, what the message must name]
  const cases: [string, unknown, Record<string, string>, number, string[]][] = [
    // server-stateless: sep-2575-request-meta-invalid-*, 400 with -32602 naming the key.
    ["no _meta (params {})", request("server/discover", {}), headersFor("server/discover"), InvalidParams, ["no _meta", "2026-07-28"]],
    ["no params at all", request("server/discover"), headersFor("server/discover"), InvalidParams, ["no _meta"]],
    ["_meta is not an object", request("tools/list", { _meta: 5 }), headersFor("tools/list"), InvalidParams, ["no _meta"]],
    ["_meta is an array", request("tools/list", { _meta: [] }), headersFor("tools/list"), InvalidParams, ["no _meta"]],
    [
      "_meta without the protocol version",
      request("server/discover", { _meta: { [INFO]: META[INFO], [CAPS]: {} } }),
      headersFor("server/discover"),
      InvalidParams,
      [VERSION],
    ],
    [
      "_meta with neither required key",
      request("tools/list", { _meta: { progressToken: 1 } }),
      headersFor("tools/list"),
      InvalidParams,
      [`${VERSION}, ${CAPS}`],
    ],
    [
      "_meta without clientCapabilities",
      request("server/discover", { _meta: { [VERSION]: "2026-07-28", [INFO]: META[INFO] } }),
      headersFor("server/discover"),
      InvalidParams,
      [`lacks ${CAPS}`],
    ],
    [
      "clientCapabilities null",
      request("tools/list", { _meta: { ...META, [CAPS]: null } }),
      headersFor("tools/list"),
      InvalidParams,
      [CAPS],
    ],
    [
      "clientCapabilities an array",
      request("tools/list", { _meta: { ...META, [CAPS]: [] } }),
      headersFor("tools/list"),
      InvalidParams,
      [CAPS],
    ],
    [
      "protocolVersion a number",
      request("tools/list", { _meta: { ...META, [VERSION]: 20260728 } }),
      headersFor("tools/list"),
      InvalidParams,
      [VERSION],
    ],
    ["clientInfo a string", request("tools/list", { _meta: { ...META, [INFO]: "me" } }), headersFor("tools/list"), InvalidParams, [INFO]],
    [
      "clientInfo without version",
      request("tools/list", { _meta: { ...META, [INFO]: { name: "x" } } }),
      headersFor("tools/list"),
      InvalidParams,
      [INFO],
    ],
    [
      "an unknown log level",
      request("tools/list", { _meta: { ...META, [LEVEL]: "verbose" } }),
      headersFor("tools/list"),
      InvalidParams,
      [LEVEL],
    ],
    // sep-2575-http-server-header-mismatch-400 and what real clients send: both values named.
    [
      "a 2026 header over a v999 envelope",
      request("server/discover", { _meta: { ...META, [VERSION]: "v999.0.0" } }),
      headersFor("server/discover"),
      HeaderMismatch,
      ['"2026-07-28"', '"v999.0.0"', "MCP-Protocol-Version"],
    ],
    [
      "a 2025 header over a 2026 envelope",
      request("tools/list", { _meta: META }),
      { ...headersFor("tools/list"), "MCP-Protocol-Version": "2025-11-25" },
      HeaderMismatch,
      ['"2025-11-25"', '"2026-07-28"'],
    ],
    [
      "initialize without envelope under a 2026 header",
      request("initialize", { protocolVersion: "2025-11-25" }),
      headersFor("initialize"),
      HeaderMismatch,
      ['"2026-07-28"', "initialize"],
    ],
    // The standard headers (http-header-validation).
    [
      "no MCP-Protocol-Version",
      request("tools/list", { _meta: META }),
      { "Mcp-Method": "tools/list" },
      HeaderMismatch,
      ["MCP-Protocol-Version header is missing"],
    ],
    [
      "no Mcp-Method",
      request("tools/list", { _meta: META }),
      { "MCP-Protocol-Version": "2026-07-28" },
      HeaderMismatch,
      ["Mcp-Method header is missing"],
    ],
    [
      "an Mcp-Method of another method",
      request("tools/list", { _meta: META }),
      headersFor("prompts/list"),
      HeaderMismatch,
      ['"prompts/list"', '"tools/list"'],
    ],
    ["an Mcp-Method in other case", request("tools/list", { _meta: META }), headersFor("TOOLS/LIST"), HeaderMismatch, ['"TOOLS/LIST"']],
    [
      "no Mcp-Name for tools/call",
      request("tools/call", { name: "get_weather", arguments: {}, _meta: META }),
      headersFor("tools/call"),
      HeaderMismatch,
      ["Mcp-Name header is missing", '"get_weather"'],
    ],
    [
      "an Mcp-Name of another tool",
      request("tools/call", { name: "get_weather", _meta: META }),
      headersFor("tools/call", "wrong_tool_name"),
      HeaderMismatch,
      ['"wrong_tool_name"', '"get_weather"'],
    ],
    [
      "a notification whose Mcp-Method disagrees",
      { jsonrpc: "2.0", method: "notifications/x", params: { _meta: { [VERSION]: "2026-07-28" } } },
      { "Mcp-Method": "notifications/y" },
      HeaderMismatch,
      ['"notifications/y"'],
    ],
  ];
  for (const [name, body, headers, code, named] of cases) {
    test(name, () => {
      const refused = rejection(body, headers);
      expect({ status: refused.status, code: refused.code }).toEqual({ status: 400, code });
      for (const part of named) expect(refused.message).toContain(part);
    });
  }

  test("an unsupported version: -32022 with what is supported and what was requested", () => {
    const refused = rejection(request("server/discover", { _meta: { ...META, [VERSION]: "v999.0.0" } }), {
      ...headersFor("server/discover"),
      "MCP-Protocol-Version": "v999.0.0",
    });
    expect(refused).toMatchObject({ status: 400, code: ErrorCode.UnsupportedProtocolVersion });
    expect(refused.data).toEqual({ supported: [...MODERN_PROTOCOL_VERSIONS], requested: "v999.0.0" });
    expect(MODERN_PROTOCOL_VERSIONS[0]).toBe("2026-07-28");
    expect(refused.message).toContain('"v999.0.0"');
  });

  test("a 2025 revision in _meta is unsupported there: it begins with initialize", () => {
    const refused = rejection(request("tools/list", { _meta: { ...META, [VERSION]: "2025-11-25" } }), {});
    expect(refused.code).toBe(ErrorCode.UnsupportedProtocolVersion);
    expect(refused.message).toContain("initialize");
  });

  test("an unsupported notification header is -32022 too", () => {
    const refused = rejection({ jsonrpc: "2.0", method: "notifications/x" }, { "MCP-Protocol-Version": "2099-01-01" });
    expect(refused).toMatchObject({ code: ErrorCode.UnsupportedProtocolVersion, data: { requested: "2099-01-01" } });
  });

  test("a huge version is echoed bounded, in the message and in data", () => {
    const huge = `2099-${"9".repeat(100_000)}`;
    const refused = rejection(request("tools/list", { _meta: { ...META, [VERSION]: huge } }), {});
    expect(refused.message.length).toBeLessThan(400);
    const requested = (refused.data as { requested: string }).requested;
    expect(requested.length).toBeLessThanOrEqual(81);
    expect(huge.startsWith(requested.slice(0, 80))).toBe(true);
  });

  test("control and invisible characters are escaped in messages", () => {
    const refused = rejection(request("tools/list", { _meta: { ...META, [VERSION]: "v1\u0000\u202e\u0085x" } }), {});
    expect(refused.message).toContain("\\u0000");
    expect(refused.message).toContain("\\u202e");
    expect(refused.message).toContain("\\u0085");
    expect(refused.message).not.toMatch(/[\u0000-\u001f\u0085\u202e]/);
  });

  test("a batch with a 2026-07-28 element is an invalid request", () => {
    const refused = rejection([request("tools/list"), request("tools/list", { _meta: META })], {});
    expect(refused).toMatchObject({ status: 400, code: ErrorCode.InvalidRequest });
    expect(refused.message).toContain("batch");
  });

  describe("which fault is answered first", () => {
    test("a malformed envelope before a header mismatch", () => {
      const body = request("tools/list", { _meta: { [VERSION]: "2026-07-28" } });
      expect(rejection(body, { ...headersFor("tools/list"), "MCP-Protocol-Version": "2025-11-25" }).code).toBe(ErrorCode.InvalidParams);
    });
    test("a version header mismatch before an unsupported version", () => {
      const body = request("tools/list", { _meta: { ...META, [VERSION]: "2099-01-01" } });
      expect(rejection(body, headersFor("tools/list")).code).toBe(ErrorCode.HeaderMismatch);
    });
    test("an unsupported version before missing standard headers", () => {
      const body = request("tools/call", { name: "x", _meta: { ...META, [VERSION]: "2099-01-01" } });
      expect(rejection(body, {}).code).toBe(ErrorCode.UnsupportedProtocolVersion);
    });
    test("MCP-Protocol-Version before Mcp-Method before Mcp-Name", () => {
      const body = request("tools/call", { name: "x", _meta: META });
      expect(rejection(body, {}).message).toContain("MCP-Protocol-Version header is missing");
      expect(rejection(body, { "MCP-Protocol-Version": "2026-07-28" }).message).toContain("Mcp-Method header is missing");
    });
  });
});
