// MCP transports: Streamable HTTP (2025-11-25, with the batches of 2025-03-26), the stdio side the
// bridge speaks to each child, and the deprecated HTTP+SSE transport (2024-11-05) kept for old clients.
import { type Requirement, testRef } from "../requirement.ts";

const T = "MCP 2025-11-25 transports";
const status = (title: string) => testRef("test/bridge/transport-status.test.ts", "Streamable HTTP status codes", title);
const sdk = (title: string) => testRef("test/bridge/sdk-streamable.test.ts", "Streamable HTTP with the SDK client", title);
const legacy = (title: string) => testRef("test/bridge/sdk-legacy-sse.test.ts", "legacy HTTP+SSE with the SDK client", title);
const childFaults = (describe: string, title: string) => testRef("test/reliability/child-faults.test.ts", describe, title);
const clientFaults = (describe: string, title: string) => testRef("test/reliability/client-faults.test.ts", describe, title);
const answers = (title: string) => testRef("test/bridge/session-answers.test.ts", "a session's answers", title);
const golden = (name: string) => testRef("test/config/golden.test.ts", "config goldens", name);
const gaps = (describe: string, title: string) => testRef("test/bridge/requirements-gaps-2025.test.ts", describe, title);
const threeStreams = (title: string) => gaps("one session, a GET stream and two POST streams at once", title);

export const MCP_TRANSPORTS: readonly Requirement[] = [
  {
    id: "transports.utf8",
    source: `${T} (introduction)`,
    level: "MUST",
    text: "JSON-RPC messages are UTF-8: non-ASCII text makes the round trip client → child → client intact.",
    tests: [sdk("lists and calls tools")],
  },
  {
    id: "transports.stdio.stdout-only-messages",
    source: `${T} §stdio`,
    level: "MUST NOT",
    text: "The server must not write anything but MCP messages to stdout: what a child writes that is not one is logged and dropped, never forwarded.",
    tests: [
      childFaults(
        "a child that floods stdout",
        "with lines that are not JSON: each is logged once with a clear message, nothing reaches the client, no crash",
      ),
      childFaults(
        "a child that floods stdout",
        "with lines beyond max_message_size: each is dropped and logged once, memory stays bounded",
      ),
    ],
  },
  {
    id: "transports.stdio.stdin-only-messages",
    source: `${T} §stdio`,
    level: "MUST NOT",
    text: "The client must not write anything to the server's stdin that is not a valid MCP message: bodies that are not JSON-RPC are refused before they reach the child.",
    tests: [status("malformed JSON → 400 with JSON-RPC -32700"), status("a JSON value that is not a JSON-RPC message → 400 -32600")],
  },
  {
    id: "transports.stdio.stderr-not-error",
    source: `${T} §stdio`,
    level: "SHOULD NOT",
    text: "The client should not assume stderr output indicates an error: a child's stderr lines are logged with its name while its requests are served.",
    tests: [
      testRef("test/bridge/child-lifecycle.test.ts", "child process lifecycle", "stderr lines reach the log tagged with the server's name"),
    ],
  },
  {
    id: "transports.single-endpoint",
    source: `${T} §Streamable HTTP`,
    level: "MUST",
    text: "One MCP endpoint path supports both POST and GET (/<server>/mcp).",
    tests: [sdk("lists and calls tools"), testRef("test/bridge/keepalive.test.ts", "an idle GET stream receives a keep-alive frame")],
  },
  {
    id: "transports.origin-403",
    source: `${T} §Security Warning`,
    level: "MUST",
    text: "The Origin header is validated on every connection; a present and invalid Origin gets 403 Forbidden.",
    tests: [
      status("a foreign Origin → 403; a loopback Origin gets CORS headers"),
      testRef(
        "test/oauth-flow/discovery.test.ts",
        "CORS for browser clients",
        "MCP endpoint: a foreign Origin gets 403 (before auth, token or not); preflight refused too",
      ),
      testRef(
        "test/oauth-flow/discovery.test.ts",
        "CORS for browser clients",
        "the public origin itself may call the MCP endpoint; another https origin may not",
      ),
    ],
  },
  {
    id: "transports.dns-rebinding-host",
    source: `${T} §Security Warning (DNS rebinding)`,
    level: "MUST",
    text: "Requests whose Host is not a served host are refused (421), so a rebound DNS name reaches nothing.",
    tests: [
      status("a Host that is not served → refused (DNS rebinding)"),
      testRef(
        "test/conformance/conformance.test.ts",
        "MCP conformance suite (server, 2025-11-25) through the bridge",
        "dns-rebinding-protection",
      ),
    ],
  },
  {
    id: "transports.bind-localhost",
    source: `${T} §Security Warning`,
    level: "SHOULD",
    text: 'Running locally, bind only to localhost: listen defaults to 127.0.0.1, and auth = "none" is only allowed on a loopback address.',
    tests: [golden("defaults"), golden("auth-none-on-all-interfaces")],
  },
  {
    id: "transports.authentication",
    source: `${T} §Security Warning`,
    level: "SHOULD",
    text: "Proper authentication for all connections: every MCP request passes the bearer guard.",
    tests: [
      testRef(
        "test/oauth-flow/sdk-oauth.test.ts",
        "the SDK client's OAuth flow",
        "an MCP request without a token gets 401 naming the protected resource metadata",
      ),
    ],
  },
  {
    id: "transports.post.single-message",
    source: `${T} §Sending Messages to the Server`,
    level: "MUST",
    text: "A POST body is a single JSON-RPC message: batches are refused for protocol versions after 2025-03-26.",
    tests: [status("batches are refused after 2025-03-26")],
  },
  {
    id: "transports.post.batches-2025-03-26",
    source: "MCP 2025-03-26 transports §Sending Messages to the Server",
    level: "MUST",
    text: "With 2025-03-26 a body may be a batch; its requests are answered together, as one JSON array.",
    tests: [status("batches work when 2025-03-26 is in use, answered as one JSON array")],
  },
  {
    id: "transports.post.accepted-202",
    source: `${T} §Sending Messages to the Server`,
    level: "MUST",
    text: "An accepted notification or response is answered 202 Accepted with no body (checked by the file's openSession helper).",
    tests: [status("an unsupported MCP-Protocol-Version → 400; a missing one is accepted"), status("batches are refused after 2025-03-26")],
  },
  {
    id: "transports.post.refused-4xx",
    source: `${T} §Sending Messages to the Server`,
    level: "MUST",
    text: "Input the server cannot accept gets an HTTP error status (400), with a JSON-RPC error body without id.",
    tests: [status("malformed JSON → 400 with JSON-RPC -32700"), status("a JSON value that is not a JSON-RPC message → 400 -32600")],
  },
  {
    id: "transports.post.json-or-sse",
    source: `${T} §Sending Messages to the Server`,
    level: "MUST",
    text: "A request is answered with Content-Type application/json (one object) or text/event-stream (an SSE stream).",
    tests: [sdk("lists and calls tools"), status("a slow answer becomes an SSE stream and still arrives")],
  },
  {
    id: "transports.post.content-negotiation",
    source: `${T} §Sending Messages to the Server`,
    level: "MUST",
    text: "The client lists application/json and text/event-stream in Accept and sends JSON: others get 406 and 415.",
    tests: [
      status("wrong Accept → 406"),
      status("wrong Content-Type → 415"),
      testRef(
        "test/http/request-policy.test.ts",
        "content negotiation (MCP transports §Sending Messages, §Listening for Messages)",
        "POST needs application/json and text/event-stream (or */*); the answer follows each header",
      ),
    ],
  },
  {
    id: "transports.sse.priming-event",
    source: `${T} §Sending Messages to the Server`,
    level: "SHOULD",
    text: "An SSE stream starts at once with an event of an id and an empty data field (for 2025-11-25 clients), carrying a retry field.",
    tests: [status("a slow answer becomes an SSE stream and still arrives")],
  },
  {
    id: "transports.sse.related-messages",
    source: `${T} §Sending Messages to the Server`,
    level: "SHOULD",
    text: "Requests and notifications sent before the response relate to the originating request.",
    tests: [
      sdk("progress notifications reach the request that asked for them"),
      sdk("log notifications during a request reach the client"),
      sdk("a sampling request started by the child makes the round trip through the client"),
    ],
  },
  {
    id: "transports.sse.response-then-end",
    source: `${T} §Sending Messages to the Server`,
    level: "SHOULD",
    text: "The SSE stream eventually includes the response, and ends after it (the test reads the body to its end).",
    tests: [status("a slow answer becomes an SSE stream and still arrives")],
  },
  {
    id: "transports.sse.disconnect-is-not-cancel",
    source: `${T} §Sending Messages to the Server`,
    level: "SHOULD NOT",
    text: "A disconnection is not taken as the client cancelling: the request goes on and its answer waits in the event log.",
    tests: [
      clientFaults(
        "a client that disconnects mid-stream",
        "the session survives and the answer goes to the event log, from where a resumed stream gets it",
      ),
      clientFaults("a client that disconnects mid-stream", "a plain request abandoned while waiting: the session survives, nothing leaks"),
    ],
  },
  {
    id: "transports.get.accept",
    source: `${T} §Listening for Messages from the Server`,
    level: "MUST",
    text: "A GET lists text/event-stream in Accept: others get 406; methods other than GET, POST, DELETE get 405.",
    tests: [
      status("GET without text/event-stream → 406; other methods → 405"),
      testRef(
        "test/http/request-policy.test.ts",
        "content negotiation (MCP transports §Sending Messages, §Listening for Messages)",
        "GET needs text/event-stream (or */*)",
      ),
    ],
  },
  {
    id: "transports.get.event-stream",
    source: `${T} §Listening for Messages from the Server`,
    level: "MUST",
    text: "A GET is answered with Content-Type text/event-stream (the session's stream), its headers sent at once.",
    tests: [
      testRef(
        "test/reliability/limits.test.ts",
        "max_streams_per_session",
        "GET streams and POST streams share the cap: the next one is 429, closing one frees its slot",
      ),
      testRef(
        "test/fuzz/regressions.test.ts",
        "bugs found by the fuzz suite",
        "a GET stream with nothing to send yet gets its response headers at once, not with the first keep-alive",
      ),
    ],
  },
  {
    id: "transports.resume.last-event-id",
    source: `${T} §Resumability and Redelivery`,
    level: "SHOULD",
    text: "Event ids identify their stream: a GET with Last-Event-ID resumes the POST stream it came from after that event.",
    tests: [
      status("Last-Event-ID resumes a POST stream the client lost"),
      clientFaults(
        "a client that disconnects mid-stream",
        "the session survives and the answer goes to the event log, from where a resumed stream gets it",
      ),
    ],
  },
  {
    id: "transports.resume.no-foreign-replay",
    source: `${T} §Resumability and Redelivery`,
    level: "MUST NOT",
    text: "A resumed stream replays only what its own stream missed: the GET stream's events never appear on a resumed POST stream.",
    tests: [
      answers("a stream resumed after its answer was evicted from the replay buffer gets an error for it, and it is logged"),
      answers("a resume with nothing evicted replays what was missed, and no error"),
    ],
  },
  {
    id: "transports.session.visible-ascii",
    source: `${T} §Session Management`,
    level: "MUST",
    text: "The session id holds visible ASCII only (0x21–0x7E); it is 192 random bits, base64url.",
    tests: [sdk("lists and calls tools")],
  },
  {
    id: "transports.session.unique",
    source: `${T} §Session Management`,
    level: "SHOULD",
    text: "Session ids are globally unique and cryptographically secure: two sessions never share an id or a child.",
    tests: [sdk("two concurrent sessions are isolated in two children")],
  },
  {
    id: "transports.session.missing-400",
    source: `${T} §Session Management`,
    level: "SHOULD",
    text: "A request without MCP-Session-Id (other than initialize) gets 400 Bad Request.",
    tests: [status("missing session id → 400, unknown session id → 404")],
  },
  {
    id: "transports.session.ended-404",
    source: `${T} §Session Management`,
    level: "MUST",
    text: "Once a session is terminated (DELETE, idle reaping, child exit), requests carrying its id get 404 Not Found.",
    tests: [
      status("missing session id → 400, unknown session id → 404"),
      sdk("DELETE ends the session and kills the child's whole process group"),
      sdk("a child that crashes mid-request: the client gets an error at once and the session ends"),
      status("the live-session cap answers 503 with a clear message; idle sessions are reaped with their child"),
    ],
  },
  {
    id: "transports.session.delete",
    source: `${T} §Session Management`,
    level: "SHOULD",
    text: "Clients end sessions with DELETE: the appliance honours it, ending the session and its child.",
    tests: [sdk("DELETE ends the session and kills the child's whole process group")],
  },
  {
    id: "transports.protocol-version.unsupported-400",
    source: `${T} §Protocol Version Header`,
    level: "MUST",
    text: "An invalid or unsupported MCP-Protocol-Version gets 400 Bad Request.",
    tests: [status("an unsupported MCP-Protocol-Version → 400; a missing one is accepted")],
  },
  {
    id: "transports.protocol-version.missing",
    source: `${T} §Protocol Version Header`,
    level: "SHOULD",
    text: "Without the header the version negotiated at initialize applies (2025-03-26 only when there is none): a missing header is accepted.",
    tests: [status("an unsupported MCP-Protocol-Version → 400; a missing one is accepted")],
  },
  {
    id: "transports.legacy.both-endpoints",
    source: `${T} §Backwards Compatibility; MCP 2024-11-05 transports §HTTP with SSE`,
    level: "MUST",
    text: "The old transport's SSE endpoint (/<server>/sse) and POST endpoint are hosted beside the MCP endpoint.",
    tests: [legacy("lists and calls tools, with a sampling round trip and progress")],
  },
  {
    id: "transports.legacy.endpoint-event",
    source: "MCP 2024-11-05 transports §HTTP with SSE",
    level: "MUST",
    text: "On connection the server sends an endpoint event with the URI for POSTs; server messages are SSE message events.",
    tests: [legacy("lists and calls tools, with a sampling round trip and progress"), legacy("a POST to an unknown legacy session → 404")],
  },
  {
    id: "transports.stdio.no-embedded-newlines",
    source: `${T} §stdio`,
    level: "MUST NOT",
    text: "Messages written to the child's stdin contain no embedded newline (a pretty-printed POST body becomes one line).",
    tests: [
      gaps(
        "stdio: what the child's stdin gets",
        "a pretty-printed POST body reaches the child as one line (the child reads line by line, and answers)",
      ),
    ],
  },
  {
    id: "transports.get.no-response",
    source: `${T} §Listening for Messages from the Server`,
    level: "MUST NOT",
    text: "The GET stream carries no JSON-RPC response unless it resumes a stream of an earlier request.",
    tests: [threeStreams("the GET stream carries no JSON-RPC response")],
  },
  {
    id: "transports.one-stream-per-message",
    source: `${T} §Multiple Connections`,
    level: "MUST NOT",
    text: "Each message goes on one stream only, never broadcast across the streams of a session.",
    tests: [threeStreams("each message travels on one stream only, never on several")],
  },
  {
    id: "transports.event-id-unique",
    source: `${T} §Resumability and Redelivery`,
    level: "MUST",
    text: "Event ids are unique across all streams of a session.",
    tests: [threeStreams("event ids are unique across all the streams of the session")],
  },
  {
    id: "transports.legacy.origin",
    source: "MCP 2024-11-05 transports §Security Warning",
    level: "MUST",
    text: "The Origin header is validated on the legacy SSE and message endpoints too (403 for a foreign one).",
    tests: [gaps("legacy HTTP+SSE (2024-11-05): the Origin check", "a foreign Origin gets 403 on the SSE path and on the message path")],
  },
];
