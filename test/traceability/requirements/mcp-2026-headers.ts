// MCP 2026-07-28 streamable-http §Request Metadata: the protocol version header, the standard
// headers that mirror the body (Mcp-Method, Mcp-Name), their encoding and case rules, server
// validation, and the Mcp-Param-* headers of x-mcp-header tool parameters.
import type { Requirement } from "../requirement.ts";
import { envelope, gap, headers, oneUrl, params, refusal, S, stateless } from "./mcp-2026-refs.ts";

export const MCP_2026_HEADERS: readonly Requirement[] = [
  // ---- streamable-http: request metadata headers ----------------------------------------------
  {
    id: "mcp2026.version-header.required",
    source: `${S} §Protocol Version Header`,
    level: "MUST",
    text: "Every POST of a request carries MCP-Protocol-Version; a request without it is refused (400, -32020).",
    tests: [refusal("no MCP-Protocol-Version"), headers("refused with 400 and -32020", "no MCP-Protocol-Version on a request")],
  },
  {
    id: "mcp2026.version-header.matches-meta",
    source: `${S} §Protocol Version Header`,
    level: "MUST",
    text: "The header must match _meta io.modelcontextprotocol/protocolVersion: a mismatch is 400 with HeaderMismatch (-32020).",
    tests: [
      refusal("a 2026 header over a v999 envelope"),
      refusal("a 2025 header over a 2026 envelope"),
      oneUrl("a 2025 header with a 2026 envelope is a header mismatch that names both"),
    ],
  },
  {
    id: "mcp2026.version-header.unsupported",
    source: `${S} §Protocol Version Header`,
    level: "MUST",
    text: "A protocol version not served here gets 400 with UnsupportedProtocolVersionError (-32022) listing the supported versions.",
    tests: [
      gap("an unsupported protocol version is 400 with -32022, the supported versions and the request's id"),
      refusal("an unsupported version: -32022 with what is supported and what was requested"),
    ],
  },
  {
    id: "mcp2026.method-not-found-404",
    source: `${S} §Protocol Version Header`,
    level: "MUST",
    text: "A method this revision removed (initialize, ping, logging/setLevel, resources/subscribe, resources/unsubscribe) gets 404 Not Found with -32601. (Methods the child lacks: see the not-implemented list.)",
    tests: [stateless("methods 2026-07-28 removed answer 404 with -32601")],
  },
  {
    id: "mcp2026.standard-headers.required",
    source: `${S} §Standard Request Headers; §Server Validation`,
    level: "MUST",
    text: "Mcp-Method on every request, Mcp-Name on tools/call, prompts/get and resources/read are required: one missing is refused (400, -32020).",
    tests: [
      refusal("no Mcp-Method"),
      refusal("no Mcp-Name for tools/call"),
      headers("refused with 400 and -32020", "no Mcp-Name for resources/read"),
      headers("refused with 400 and -32020", "no Mcp-Name for prompts/get"),
    ],
  },
  {
    id: "mcp2026.server-validation",
    source: `${S} §Server Validation`,
    level: "MUST",
    text: "Headers that do not match the body are refused: another method in Mcp-Method, another tool or URI in Mcp-Name.",
    tests: [
      refusal("an Mcp-Method of another method"),
      refusal("an Mcp-Name of another tool"),
      headers("refused with 400 and -32020", "another tool"),
      headers("accepted", "resources/read mirrors the uri"),
    ],
  },
  {
    id: "mcp2026.validation-error",
    source: `${S} §Server Validation`,
    level: "MUST",
    text: "A header validation failure is HTTP 400 with a JSON-RPC error of code -32020 (HeaderMismatch).",
    tests: [
      headers("refused with 400 and -32020", "another method"),
      params("refused with 400 and -32020", "another value"),
      stateless("a listed tool's x-mcp-header arguments must come as Mcp-Param headers equal to the body"),
    ],
  },
  {
    id: "mcp2026.validation.invalid-characters",
    source: `${S} §Server Validation`,
    level: "MUST",
    text: "A header value with characters a header may not hold (controls, raw non-ASCII) is a validation failure.",
    tests: [
      headers("refused with 400 and -32020", "the method with a control character"),
      headers("refused with 400 and -32020", "a raw non-ASCII name"),
      headers("refused with 400 and -32020", "a raw control character"),
    ],
  },
  {
    id: "mcp2026.name-decoded",
    source: `${S} §Value Encoding`,
    level: "MUST",
    text: "An Mcp-Name in the =?base64?…?= form is decoded (strict Base64 of UTF-8) before it is compared with the body.",
    tests: [
      headers("accepted", "a Base64 name (UTF-8)"),
      headers("refused with 400 and -32020", "a Base64 name of another tool"),
      headers("refused with 400 and -32020", "Base64 of bytes that are not UTF-8"),
    ],
  },
  {
    id: "mcp2026.case-sensitivity",
    source: `${S} §Case Sensitivity`,
    level: "MUST",
    text: "Header names are compared case-insensitively; header values (method names, tool names) case-sensitively.",
    tests: [
      envelope("modern requests and their envelope", "header names are case-insensitive, and whitespace around values is not part of them"),
      headers("accepted", "uppercase header names"),
      params("accepted", "header names in any case"),
      refusal("an Mcp-Method in other case"),
      headers("refused with 400 and -32020", "the name in other case"),
    ],
  },
  // ---- streamable-http: custom headers from tool parameters ----------------------------------
  {
    id: "mcp2026.param.reject-invalid",
    source: `${S} §Server Behavior for Custom Headers`,
    level: "MUST",
    text: "A recognized Mcp-Param-{Name} header holding invalid characters or malformed Base64 is refused, even with no value in the body.",
    tests: [
      params("refused with 400 and -32020", "raw non-ASCII"),
      params("refused with 400 and -32020", "a raw control character"),
      params("refused with 400 and -32020", "a malformed recognized header even without a value"),
    ],
  },
  {
    id: "mcp2026.param.match-body",
    source: `${S} §Server Behavior for Custom Headers`,
    level: "MUST",
    text: "Each x-mcp-header parameter of the called tool (as its tools/list gave it) with a value in the arguments needs its Mcp-Param header, equal after decoding; otherwise 400 with -32020.",
    tests: [
      stateless("a listed tool's x-mcp-header arguments must come as Mcp-Param headers equal to the body"),
      params("accepted", "Base64 of non-ASCII"),
      params("refused with 400 and -32020", "another value"),
      params("refused with 400 and -32020", "Base64 of something else"),
      params("accepted", "annotations under items, oneOf or $defs are not mirrored"),
    ],
  },
  {
    id: "mcp2026.param.omitted-refused",
    source: `${S} §Server Behavior for Custom Headers`,
    level: "MUST",
    text: "A client that omits the header while the value is in the body is refused.",
    tests: [
      params("refused with 400 and -32020", "the header omitted while the value is in the body"),
      params("refused with 400 and -32020", "a missing boolean"),
      params("refused with 400 and -32020", "a missing nested value"),
    ],
  },
  {
    id: "mcp2026.param.not-expected",
    source: `${S} §Server Behavior for Custom Headers`,
    level: "MUST NOT",
    text: "No header is expected for a parameter whose value is null or absent.",
    tests: [params("accepted", "no value: no header expected"), params("accepted", "a null value: no header expected")],
  },
  {
    id: "mcp2026.param.integers-numeric",
    source: `${S} §Server Validation (note)`,
    level: "SHOULD",
    text: "Integer parameters compare numerically: a header of 42.0 matches the argument 42.",
    tests: [params("accepted", "an integer written 42.0"), params("refused with 400 and -32020", "another integer")],
  },
];
