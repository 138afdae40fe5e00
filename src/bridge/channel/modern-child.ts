// What a shared child that speaks 2026-07-28 itself (era-probe.ts) needs beside the id and token
// rewriting of shared-child.ts. Requests of 2026 requesters pass as they were written, their
// _meta envelope included; a 2025 session's requests are given the envelope that its initialize
// declared (basic/index §_meta: protocol version, client capabilities and identity, log level),
// and the 2025 methods 2026-07-28 removed (changelog) are answered by the appliance: initialize
// from the child's DiscoverResult, ping, logging/setLevel (the level travels in the envelope).
import { ErrorCode, errorResponse, type PeekedMessage, peek } from "../jsonrpc.ts";
import { isSupportedProtocolVersion, MODERN_PROTOCOL_VERSIONS, SUPPORTED_PROTOCOL_VERSIONS } from "../protocol-version.ts";
import { META } from "../request-meta.ts";
import { insertMembers, replaceMember } from "./json-splice.ts";
import { isLogLevel } from "./log-levels.ts";

type Request = Extract<PeekedMessage, { kind: "request" }>;

/** What a 2025 requester of a 2026 child declared, for the envelope of its requests. */
export interface LegacyRequester {
  capabilities: Record<string, unknown>;
  clientInfo?: unknown;
  logLevel?: string;
}

/** The DiscoverResult of a child's answer line (schema: DiscoverResult). */
function discoverResult(discover: string): Record<string, unknown> {
  const peeked = peek(discover);
  const result = peeked.ok && peeked.value.kind === "response" ? peeked.value.result : undefined;
  return typeof result === "object" && result !== null ? (result as Record<string, unknown>) : {};
}

/**
 * The 2025 InitializeResult a 2025 session gets from the child's DiscoverResult: its
 * capabilities (its change notifications reach 2025 sessions through the appliance's own listen
 * stream: modern-routing.ts), identity and instructions.
 */
function initializeAnswer(id: Request["id"], requested: unknown, discover: string): string {
  const result = discoverResult(discover);
  const meta = result._meta as Record<string, unknown> | undefined;
  const version = typeof requested === "string" && isSupportedProtocolVersion(requested) ? requested : SUPPORTED_PROTOCOL_VERSIONS[0];
  return JSON.stringify({
    jsonrpc: "2.0",
    id,
    result: {
      protocolVersion: version,
      capabilities: result.capabilities ?? {},
      serverInfo: meta?.[META.serverInfo] ?? { name: "mcp-server", version: "unknown" },
      ...(typeof result.instructions === "string" && { instructions: result.instructions }),
    },
  });
}

/**
 * The appliance's own answer to a request a 2026 child does not take, or undefined when it is
 * forwarded. `perRequest`: a 2026 requester, whose initialize (stateless-call.ts, listen-stream.ts)
 * gets the DiscoverResult itself.
 */
export function answerForChild(message: Request, requester: LegacyRequester, perRequest: boolean, discover: string): string | undefined {
  const params = message.params;
  switch (message.method) {
    case "initialize": {
      const declared = params?.capabilities;
      requester.capabilities = typeof declared === "object" && declared !== null ? (declared as Record<string, unknown>) : {};
      requester.clientInfo = params?.clientInfo;
      return perRequest
        ? replaceMember(discover, ["id"], JSON.stringify(message.id))
        : initializeAnswer(message.id, params?.protocolVersion, discover);
    }
    case "ping":
      return JSON.stringify({ jsonrpc: "2.0", id: message.id, result: {} });
    case "logging/setLevel":
      if (isLogLevel(params?.level)) requester.logLevel = params.level as string;
      return JSON.stringify({ jsonrpc: "2.0", id: message.id, result: {} });
    case "resources/subscribe":
    case "resources/unsubscribe":
      return errorResponse(
        message.id,
        ErrorCode.MethodNotFound,
        `${message.method} is not relayed to this MCP server, which speaks 2026-07-28`,
      );
  }
  return undefined;
}

/** A 2025 requester's request with the 2026-07-28 envelope of what its initialize declared. */
export function withEnvelope(line: string, requester: LegacyRequester): string {
  const meta: Array<[string, string]> = [
    [META.protocolVersion, JSON.stringify(MODERN_PROTOCOL_VERSIONS[0])],
    [META.clientCapabilities, JSON.stringify(requester.capabilities)],
  ];
  if (requester.clientInfo !== undefined) meta.push([META.clientInfo, JSON.stringify(requester.clientInfo)]);
  if (requester.logLevel !== undefined) meta.push([META.logLevel, JSON.stringify(requester.logLevel)]);
  // Each level only where it is absent: the members the request has keep their bytes.
  const withParams = insertMembers(insertMembers(line, [], [["params", "{}"]]), ["params"], [["_meta", "{}"]]);
  return insertMembers(withParams, ["params", "_meta"], meta);
}

/** The child's id of the subscriptions/listen request a notification belongs to (subscriptions pattern). */
export function subscriptionOf(params: Record<string, unknown> | undefined): number | undefined {
  const id = (params?._meta as Record<string, unknown> | undefined)?.[META.subscriptionId];
  return typeof id === "number" ? id : undefined;
}

/** A listen stream's notification, stamped with the requester's id of its listen request. */
export function forSubscriber(line: string, id: Request["id"]): string {
  return replaceMember(line, ["params", "_meta", META.subscriptionId], JSON.stringify(id));
}
