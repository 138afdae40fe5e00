// MCP 2026-07-28, served beside the 2025 revisions on the same URL: the server's MUSTs and SHOULDs
// of basic/transports/streamable-http.mdx (stateless requests, request metadata headers,
// cancellation, backward compatibility), basic/versioning.mdx and basic/patterns/mrtr.mdx
// (server requirements and error handling), with subscriptions/listen as streamable-http
// §Receiving Messages describes it. Beside the table: what is not done, and what no test checks yet.
import { type NotImplemented, type Requirement, testRef, type Untested } from "../requirement.ts";
import { MCP_2026_HEADERS } from "./mcp-2026-headers.ts";
import { MCP_2026_VERSIONING_MRTR } from "./mcp-2026-mrtr.ts";
import { envelope, gap, golden, listen, M, next, oneUrl, refusal, S, stateless, V2_SHARED, v2 } from "./mcp-2026-refs.ts";

const TRANSPORT: readonly Requirement[] = [
  // ---- streamable-http: endpoint and security -------------------------------------------------
  {
    id: "mcp2026.endpoint-post",
    source: `${S} (introduction)`,
    level: "MUST",
    text: "One MCP endpoint path supports POST: 2026-07-28 requests go to /<server>/mcp, the URL of the 2025 sessions.",
    tests: [
      stateless("tools/call is answered with resultType; tools/list carries ttlMs and cacheScope"),
      v2("pin", "tools: list and call"),
    ],
  },
  {
    id: "mcp2026.origin-403",
    source: `${S} §Security & Endpoint`,
    level: "MUST",
    text: "The Origin header is validated on every request; a present and invalid one gets 403 Forbidden.",
    tests: [gap("a foreign Origin is refused with 403"), next("dns-rebinding-protection")],
  },
  {
    id: "mcp2026.bind-localhost",
    source: `${S} §Security & Endpoint`,
    level: "SHOULD",
    text: 'Running locally, bind only to localhost: listen defaults to 127.0.0.1, and auth = "none" is only allowed on a loopback address.',
    tests: [golden("defaults"), golden("auth-none-on-all-interfaces")],
  },
  {
    id: "mcp2026.authentication",
    source: `${S} §Security & Endpoint`,
    level: "SHOULD",
    text: "Proper authentication for all connections: a stateless request passes the same bearer guard as a session.",
    tests: [
      oneUrl("a stateless request needs the same bearer token as a session"),
      testRef("test/bridge/v2-client.test.ts", V2_SHARED, "mode pin through the v2 client's own OAuth flow (DCR, PKCE, consent, iss)"),
    ],
  },
  // ---- streamable-http: sending and receiving messages ---------------------------------------
  {
    id: "mcp2026.single-message",
    source: `${S} §Sending Messages 4`,
    level: "MUST",
    text: "The body of a POST is a single request or notification: a JSON-RPC batch holding a 2026-07-28 message is refused (400, -32600).",
    tests: [refusal("a batch with a 2026-07-28 element is an invalid request")],
  },
  {
    id: "mcp2026.notification-202",
    source: `${S} §Sending Messages 5`,
    level: "MUST",
    text: "A notification the server accepts gets 202 Accepted with no body.",
    tests: [gap("a notification is accepted with 202 and no body")],
  },
  {
    id: "mcp2026.notification-refused",
    source: `${S} §Sending Messages 5`,
    level: "MUST",
    text: "A notification the server cannot accept gets an HTTP error status (400), its body a JSON-RPC error without an id.",
    tests: [
      gap("a notification that cannot be accepted gets 400, with a JSON-RPC error that has no id"),
      refusal("a notification whose Mcp-Method disagrees"),
    ],
  },
  {
    id: "mcp2026.json-or-sse",
    source: `${S} §Sending Messages 6`,
    level: "MUST",
    text: "A request is answered with Content-Type application/json (one JSON object) or text/event-stream (an SSE stream of that request).",
    tests: [
      stateless("tools/call is answered with resultType; tools/list carries ttlMs and cacheScope"),
      stateless("progress travels on the request's own SSE stream, before the answer"),
    ],
  },
  {
    id: "mcp2026.sse.related-notifications",
    source: `${S} §Receiving Messages`,
    level: "MUST",
    text: "Notifications on a request's SSE stream relate to that request, even when one child serves every requester.",
    tests: [
      gap("each request's stream carries only the notifications of that request (a child shared by both)"),
      stateless("progress travels on the request's own SSE stream, before the answer"),
    ],
  },
  {
    id: "mcp2026.sse.no-requests",
    source: `${S} §Receiving Messages`,
    level: "MUST NOT",
    text: "No independent JSON-RPC request on a response stream: a child's elicitation, sampling or roots request becomes an input request inside an InputRequiredResult.",
    tests: [
      gap("a child's elicitation travels as an input request inside the result, never as a request of its own"),
      v2("pin", "elicitation: answered by the client's handler"),
      v2("pin", "sampling: answered by the client's handler"),
      v2("pin", "roots: answered by the client's handler"),
    ],
  },
  {
    id: "mcp2026.sse.response-ends-stream",
    source: `${S} §Receiving Messages`,
    level: "SHOULD",
    text: "The final JSON-RPC response terminates the stream (the test reads the body to its end).",
    tests: [gap("an SSE response says X-Accel-Buffering: no, and the final response ends it")],
  },
  {
    id: "mcp2026.sse.x-accel-buffering",
    source: `${S} §Receiving Messages`,
    level: "SHOULD",
    text: "An SSE response carries X-Accel-Buffering: no, so that reverse proxies do not buffer it.",
    tests: [gap("an SSE response says X-Accel-Buffering: no, and the final response ends it")],
  },
  {
    id: "mcp2026.listen.opted-in-only",
    source: `${S} §Receiving Messages (subscriptions/listen)`,
    level: "MUST NOT",
    text: "The subscriptions/listen stream carries the change notifications the client opted in to, tagged with its subscription id, and never request-scoped ones (progress, log messages).",
    tests: [
      gap("the listen stream carries no progress or log message of other requests"),
      listen,
      v2("pin", "subscriptions/listen delivers resources/updated"),
    ],
  },
  // ---- streamable-http: cancellation ----------------------------------------------------------
  {
    id: "mcp2026.cancel.stream-close",
    source: `${S} §Cancellation`,
    level: "MUST",
    text: "Closing the SSE response stream (or dropping the request) cancels that request.",
    tests: [
      stateless("closing the stream cancels the child's request"),
      v2("pin", "cancellation: aborting the call cancels it at the child"),
    ],
  },
  {
    id: "mcp2026.cancel.stop-work",
    source: `${S} §Cancellation`,
    level: "SHOULD",
    text: "Work on a cancelled request stops as soon as practical: the child is sent notifications/cancelled for it.",
    tests: [
      stateless("closing the stream cancels the child's request"),
      v2("pin", "cancellation: aborting the call cancels it at the child"),
    ],
  },
];

const BACKWARD_COMPATIBILITY: readonly Requirement[] = [
  // ---- streamable-http: backward compatibility ------------------------------------------------
  {
    id: "mcp2026.compat.get-delete-405",
    source: `${S} §Earlier Streamable HTTP Revisions`,
    level: "SHOULD",
    text: "GET or DELETE without a session get 405 Method Not Allowed (with a 2025 session id they still serve that session).",
    tests: [oneUrl("GET and DELETE without a session answer 405")],
  },
  {
    id: "mcp2026.compat.session-id-ignored",
    source: `${S} §Earlier Streamable HTTP Revisions`,
    level: "SHOULD",
    text: "An Mcp-Session-Id on a 2026-07-28 request is ignored, and no session id is minted or echoed.",
    tests: [
      gap("an Mcp-Session-Id and a Last-Event-ID are ignored, and no session id is minted or echoed"),
      envelope("modern requests and their envelope", "an Mcp-Session-Id is ignored"),
    ],
  },
  {
    id: "mcp2026.method-not-found-404.child",
    source: `${S} §Protocol Version Header`,
    level: "MUST",
    text: "A method the server does not implement gets 404 Not Found with -32601: the methods this revision removed before the child, the child's own -32601 answers too.",
    tests: [stateless("a method the child does not have answers 404 with -32601"), next("server-stateless")],
  },
  {
    id: "mcp2026.intermediary-forwards-param-headers",
    source: `${S} §Server Behavior for Custom Headers`,
    level: "MUST",
    text: "Intermediate servers forward Mcp-Param-{Name} headers they do not recognize: an HTTP upstream gets them, with Mcp-Method and Mcp-Name.",
    tests: [
      testRef(
        "test/http-upstream/proxy-parts.test.ts",
        "headers towards the upstream",
        "only the MCP transport's headers (2026-07-28 request metadata too) pass, plus the configured ones and the identity header",
      ),
    ],
  },
  {
    id: "mcp2026.compat.last-event-id-ignored",
    source: `${S} §Earlier Streamable HTTP Revisions`,
    level: "SHOULD",
    text: "A Last-Event-ID on a 2026-07-28 request is ignored: its streams are not resumable.",
    tests: [gap("an Mcp-Session-Id and a Last-Event-ID are ignored, and no session id is minted or echoed")],
  },
];

/** In the order of the specification pages: streamable-http, versioning, mrtr. */
export const MCP_2026: readonly Requirement[] = [...TRANSPORT, ...MCP_2026_HEADERS, ...BACKWARD_COMPATIBILITY, ...MCP_2026_VERSIONING_MRTR];

export const MCP_2026_NOT_IMPLEMENTED: readonly NotImplemented[] = [
  {
    id: "mcp2026.param.unlisted-tool",
    source: `${S} §Server Behavior for Custom Headers`,
    level: "MUST",
    text: "Any server that processes the message body validates Mcp-Param-* headers against the body.",
    reason:
      "The appliance learns x-mcp-header annotations from the tools/list answers that pass through it; a tools/call for a tool it has not seen listed is not checked (the child, which knows its tools, still validates the arguments). A conforming client mirrors headers from a tools/list, which passed through the appliance.",
  },
  {
    id: "mcp2026.http-sse-migrate",
    source: `${S} §HTTP+SSE Transport (2024-11-05)`,
    level: "SHOULD",
    text: "Existing implementations should migrate off the deprecated HTTP+SSE transport.",
    reason:
      "The 2024-11-05 endpoints (/<server>/sse) stay beside the MCP endpoint, as the section's own backward-compatibility advice for servers describes: some clients still speak only that transport. It carries 2025 sessions only, never 2026-07-28 requests.",
  },
];

export const MCP_2026_UNTESTED: readonly Untested[] = [
  {
    id: "mcp2026.cancel.no-further-messages",
    source: `${S} §Cancellation`,
    level: "MUST NOT",
    text: "After the stream of a request is closed, nothing more is sent for it (the call ends, and what the child still says about it is dropped).",
    implementedIn: "src/bridge/modern/stateless-call.ts (end, fromChild), src/bridge/modern/round.ts (clientGone)",
  },
  {
    id: "mcp2026.mrtr.other-child-requests",
    source: `${M} §Server Requirements 2`,
    level: "MUST",
    text: "A child's request of any other method never becomes an input request: it is answered -32601 to the child (ping is answered by the appliance). Only the relay of the three kinds is tested.",
    implementedIn: "src/bridge/modern/stateless-call.ts (INPUT_METHODS, childRequest)",
  },
];
