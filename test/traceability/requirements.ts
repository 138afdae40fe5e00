// The requirement traceability table: every MUST and SHOULD of the MCP transports and
// authorization specifications and of the OAuth RFCs behind them that the appliance implements,
// each with the tests that verify it; beside it, what is deliberately not implemented (and why)
// and what is implemented but not yet tested. test/traceability/traceability.test.ts keeps the
// references honest; docs/requirements.md is the readable view (scripts/requirements-doc.ts).
import type { NotImplemented, Requirement, Untested } from "./requirement.ts";
import { RFC_8414, RFC_8707, RFC_9207, RFC_9728 } from "./requirements/discovery-audience.ts";
import { NOT_IMPLEMENTED as OTHERS_NOT_IMPLEMENTED, UNTESTED as OTHERS_UNTESTED } from "./requirements/exceptions.ts";
import { MCP_2026, MCP_2026_NOT_IMPLEMENTED, MCP_2026_UNTESTED } from "./requirements/mcp-2026.ts";
import { MCP_AUTHORIZATION } from "./requirements/mcp-authorization.ts";
import { MCP_TRANSPORTS } from "./requirements/mcp-transports.ts";
import { RFC_7009, RFC_7591 } from "./requirements/registration-revocation.ts";
import { RFC_6749 } from "./requirements/rfc6749.ts";

export const NOT_IMPLEMENTED: readonly NotImplemented[] = [...MCP_2026_NOT_IMPLEMENTED, ...OTHERS_NOT_IMPLEMENTED];
export const UNTESTED: readonly Untested[] = [...MCP_2026_UNTESTED, ...OTHERS_UNTESTED];

/** The table, grouped by specification in the order a request meets them. */
export const REQUIREMENT_GROUPS: readonly { title: string; requirements: readonly Requirement[] }[] = [
  { title: "MCP transports (2025-11-25 Streamable HTTP, 2024-11-05 HTTP+SSE)", requirements: MCP_TRANSPORTS },
  { title: "MCP 2026-07-28 (stateless Streamable HTTP, MRTR, subscriptions/listen)", requirements: MCP_2026 },
  { title: "MCP authorization (2025-11-25)", requirements: MCP_AUTHORIZATION },
  { title: "RFC 6749: authorization code grant and token errors", requirements: RFC_6749 },
  { title: "RFC 7591: dynamic client registration", requirements: RFC_7591 },
  { title: "RFC 7009: token revocation", requirements: RFC_7009 },
  { title: "RFC 8707: resource indicators", requirements: RFC_8707 },
  { title: "RFC 9207: issuer identification", requirements: RFC_9207 },
  { title: "RFC 9728: protected resource metadata", requirements: RFC_9728 },
  { title: "RFC 8414: authorization server metadata", requirements: RFC_8414 },
];

export const REQUIREMENTS: readonly Requirement[] = REQUIREMENT_GROUPS.flatMap((group) => group.requirements);
