// Which headers cross the proxy to an HTTP upstream server, each way.
//
// Towards the upstream only what the MCP transport needs is forwarded (an allow-list): the
// client's Authorization and Cookie never are. MCP 2025-11-25 authorization §Token Passthrough:
// the MCP server MUST NOT pass through the token it received from the MCP client. The headers
// the configuration names are added, and the identity header is set by the appliance alone.
// Back to the client, everything but hop-by-hop headers and a few the front door owns.

/** RFC 9110 §7.6.1: headers of one connection, never forwarded by a proxy. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/**
 * MCP 2025-11-25 transports §Streamable HTTP, and the request metadata of 2026-07-28
 * (streamable-http §Request Metadata: an upstream of that revision refuses a request without
 * them, and an intermediary MUST forward the Mcp-Param-* headers it does not know): the headers
 * a client sends, forwarded as they are.
 */
const FORWARDED_REQUEST_HEADERS = [
  "accept",
  "content-type",
  "mcp-session-id",
  "mcp-protocol-version",
  "last-event-id",
  "mcp-method",
  "mcp-name",
];
const FORWARDED_PREFIX = "mcp-param-";

const DROPPED_RESPONSE_HEADERS = new Set([
  // The body is re-streamed: its length is the runtime's to frame (chunked or not).
  "content-length",
  // Cookies of the upstream would land on the appliance's origin, beside the owner's session.
  "set-cookie",
  // A challenge from the upstream concerns the appliance's credential, not the client's token:
  // a client that saw it would start an OAuth flow against the wrong server.
  "www-authenticate",
]);

/** Header names listed in Connection (RFC 9110 §7.6.1): hop-by-hop for this message too. */
function connectionOptions(headers: Headers): Set<string> {
  const value = headers.get("connection");
  if (value === null) return new Set();
  return new Set(
    value
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
}

function isHopByHop(name: string, named: Set<string>): boolean {
  return HOP_BY_HOP.has(name) || name.startsWith("proxy-") || named.has(name);
}

/** Header values are visible ASCII: anything else in a principal's id is percent-encoded. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/gu, (char) => encodeURIComponent(char));
}

interface UpstreamHeaderOptions {
  /** Configured headers, values already resolved. */
  headers: Record<string, string>;
  identityHeader?: string;
  /** Who the front door authenticated; undefined without authentication. */
  principal?: string;
}

export function upstreamRequestHeaders(incoming: Headers, options: UpstreamHeaderOptions): Headers {
  const named = connectionOptions(incoming);
  const outgoing = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = incoming.get(name);
    if (value !== null && !isHopByHop(name, named)) outgoing.set(name, value);
  }
  for (const [name, value] of incoming) if (name.startsWith(FORWARDED_PREFIX) && !isHopByHop(name, named)) outgoing.set(name, value);
  // Compression would make the upstream hold back SSE events until a block is full; and the
  // body is relayed as it is, never decoded.
  outgoing.set("accept-encoding", "identity");
  for (const [name, value] of Object.entries(options.headers)) outgoing.set(name, value);
  // Set here and nowhere else: a client cannot name itself by sending the header.
  if (options.identityHeader !== undefined) {
    if (options.principal !== undefined) outgoing.set(options.identityHeader, headerSafe(options.principal));
    else outgoing.delete(options.identityHeader);
  }
  return outgoing;
}

export function clientResponseHeaders(upstream: Headers): Headers {
  const named = connectionOptions(upstream);
  const outgoing = new Headers();
  for (const [name, value] of upstream) {
    // CORS is answered by the front door for its own origin policy.
    if (isHopByHop(name, named) || DROPPED_RESPONSE_HEADERS.has(name) || name.startsWith("access-control-")) continue;
    outgoing.append(name, value);
  }
  return outgoing;
}
