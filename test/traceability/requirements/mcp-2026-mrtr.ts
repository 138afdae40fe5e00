// MCP 2026-07-28 basic/versioning.mdx (negotiation per request, server/discover, extensions, a
// dual-era server) and basic/patterns/mrtr.mdx (server requirements, error handling): the MRTR
// relay turns a 2025 child's sampling, elicitation and roots requests into input_required rounds.
import { type Requirement, testRef } from "../requirement.ts";
import {
  digest,
  discover,
  envelope,
  gap,
  inputRequired,
  M,
  mrtrGap,
  next,
  refusal,
  sealer,
  stateless,
  V,
  V2_SHARED,
  v2,
} from "./mcp-2026-refs.ts";

export const MCP_2026_VERSIONING_MRTR: readonly Requirement[] = [
  // ---- versioning ------------------------------------------------------------------------------
  {
    id: "mcp2026.versioning.unsupported-error",
    source: `${V} §Protocol Version Negotiation`,
    level: "MUST",
    text: "A version not implemented here (unknown, or a 2025 revision named in _meta, which begins with initialize) gets UnsupportedProtocolVersionError listing the supported versions.",
    tests: [
      refusal("an unsupported version: -32022 with what is supported and what was requested"),
      refusal("a 2025 revision in _meta is unsupported there: it begins with initialize"),
      gap("an unsupported protocol version is 400 with -32022, the supported versions and the request's id"),
    ],
  },
  {
    id: "mcp2026.versioning.discover",
    source: `${V} §Protocol Version Negotiation`,
    level: "MUST",
    text: "server/discover is implemented: answered from the child's initialize result, with supportedVersions, capabilities and serverInfo.",
    tests: [
      stateless("server/discover is answered from the child's initialize result"),
      discover("a 2025 child's initialize answer as a DiscoverResult, its members as written"),
      v2("auto", "negotiates the modern era"),
    ],
  },
  {
    id: "mcp2026.versioning.extensions",
    source: `${V} §Extension Negotiation`,
    level: "MUST",
    text: "Where one side lacks an extension, fall back to core behaviour: the appliance speaks no extension, so a 2025 child's tasks capability (an extension with another wire in this revision) is not offered.",
    tests: [discover("2025-11-25 tasks (an extension on this revision) are not offered; logging is")],
  },
  {
    id: "mcp2026.versioning.dual-era",
    source: `${V} §Compatibility Matrix (a dual-era server)`,
    level: "MUST",
    text: "A dual-era server selects its behaviour from how the client opens: a request with modern _meta is served statelessly, initialize starts a 2025 session, both on one endpoint.",
    tests: [
      v2("legacy", "negotiates the legacy era"),
      v2("auto", "negotiates the modern era"),
      v2("pin", "negotiates the modern era"),
      envelope("2025 traffic stays legacy", "initialize without _meta"),
    ],
  },
  // ---- mrtr: server requirements ---------------------------------------------------------------
  {
    id: "mcp2026.mrtr.pattern",
    source: `${M} (introduction)`,
    level: "MUST",
    text: "Server-to-client requests (roots/list, sampling/createMessage, elicitation/create) are sent with the MRTR pattern: an input_required result, then the client's retry.",
    tests: [
      stateless("elicitation: the child's request comes back as an input request; the retry finishes the call"),
      v2("pin", "elicitation: answered by the client's handler"),
      v2("pin", "two questions in a row (2026: two input_required rounds)"),
    ],
  },
  {
    id: "mcp2026.mrtr.input-requests",
    source: `${M} §Server Requirements 2`,
    level: "MUST",
    text: "inputRequests keys are unique within the request (input-1, input-2, … across all its rounds), and each value is an elicitation/create, sampling/createMessage or roots/list request.",
    tests: [
      testRef(
        "test/bridge/modern/requirements-gaps.test.ts",
        "MCP 2026-07-28 mrtr §Server Requirements 2 through the appliance",
        "input requests are elicitation, sampling or roots requests, under keys unique within the request (all rounds)",
      ),
    ],
  },
  {
    id: "mcp2026.mrtr.supported-requests-only",
    source: `${M} §Supported Requests`,
    level: "MUST NOT",
    text: "No InputRequiredResult on requests other than tools/call, prompts/get and resources/read (a child's request during another is refused to the child).",
    tests: [next("input-required-result-unsupported-methods")],
  },
  {
    id: "mcp2026.mrtr.state-integrity",
    source: `${M} §Server Requirements 4; §Security Considerations`,
    level: "MUST",
    text: "requestState is attacker-controlled input that selects a call in flight: it is HMAC-protected, and a state that fails verification is rejected.",
    tests: [
      sealer("forged when made with another key, or when either part is changed"),
      sealer("property: no other text opens — changing, cutting or extending a state is never accepted"),
      stateless("a requestState that is tampered, replayed, another client's or another request's is refused"),
    ],
  },
  {
    id: "mcp2026.mrtr.state-binding",
    source: `${M} §Server Requirements 5`,
    level: "SHOULD",
    text: "The protected state names the principal, an expiry and the originating request (method, a digest of its params); each is verified on receipt.",
    tests: [
      sealer("foreign for another principal, server, method or params (mrtr §Server Requirements 5)"),
      sealer("expired at now + ttl and after"),
      digest("differs when the tool, its arguments or the URI differ"),
      stateless("a requestState that is tampered, replayed, another client's or another request's is refused"),
    ],
  },
  {
    id: "mcp2026.mrtr.single-use",
    source: `${M} §Server Requirements 5 (warning)`,
    level: "MUST",
    text: "A state that must be consumed at most once is enforced server-side: each round's state resumes its call once, a replay is refused.",
    tests: [
      stateless("a requestState that is tampered, replayed, another client's or another request's is refused"),
      sealer("each round gets a new state, even for the same call at the same moment (multi-round)"),
    ],
  },
  {
    id: "mcp2026.mrtr.requests-or-state",
    source: `${M} §Server Requirements 6`,
    level: "MUST",
    text: "Every InputRequiredResult includes at least one of inputRequests and requestState (requestState always).",
    tests: [
      inputRequired("without input requests only requestState; serverInfo in _meta; keys and state escaped"),
      inputRequired("answers the client's id with the child's requests, de-JSON-RPC'd and as written"),
    ],
  },
  {
    id: "mcp2026.mrtr.declared-capabilities",
    source: `${M} §Server Requirements 7`,
    level: "MUST NOT",
    text: "No input request of a kind the client did not declare in its capabilities: the child's request is refused to the child instead.",
    tests: [stateless("a capability the request did not declare is never asked for")],
  },
  {
    id: "mcp2026.mrtr.no-assumed-retry",
    source: `${M} §Server Requirements 8`,
    level: "MUST NOT",
    text: "Nothing assumes the client fulfils the input requests or retries: an abandoned round does not hold up the next request, and it ends at request_timeout.",
    tests: [
      testRef(
        "test/bridge/v2-client.test.ts",
        V2_SHARED,
        "mode pin: a round the client never continues does not hold up the next request's questions",
      ),
    ],
  },
  // ---- mrtr: error handling --------------------------------------------------------------------
  {
    id: "mcp2026.mrtr.validate-input-responses",
    source: `${M} §Error Handling`,
    level: "SHOULD",
    text: "inputResponses that are not an InputResponses object get a JSON-RPC error (-32602); the round can still be answered.",
    tests: [
      mrtrGap("inputResponses that are not an object get a JSON-RPC error, and the round can still be answered"),
      next("input-required-result-validate-input"),
    ],
  },
  {
    id: "mcp2026.mrtr.ignore-unknown",
    source: `${M} §Error Handling`,
    level: "SHOULD",
    text: "Answers in inputResponses that were never asked for are ignored.",
    tests: [mrtrGap("answers to questions that were never asked are ignored")],
  },
  {
    id: "mcp2026.mrtr.re-request-missing",
    source: `${M} §Error Handling`,
    level: "SHOULD",
    text: "A retry that lacks an answer the child still waits for gets a new InputRequiredResult asking for it again, not an error.",
    tests: [mrtrGap("a retry without the answer asked for is asked again, in a new round, rather than failed")],
  },
];
