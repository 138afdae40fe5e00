// The MCP Streamable HTTP endpoint of one configured server (MCP 2025-11-25 transports
// §Streamable HTTP): POST carries client messages, GET opens the session's own stream, DELETE
// ends the session. Web-standard Request in, Response out; no web framework here.
import { readBodyLimited } from "../common/request-body.ts";
import type { Logger } from "../log.ts";
import { acceptsEventStream, acceptsPostResponses, isJsonContentType } from "./content-negotiation.ts";
import type { CredentialHold } from "./credential-watch.ts";
import { jsonRpcErrorResponse } from "./http-responses.ts";
import { ErrorCode } from "./jsonrpc.ts";
import { classifyPost } from "./modern/envelope.ts";
import { StatelessEndpoint } from "./modern/stateless-endpoint.ts";
import { allowsBatches, DEFAULT_PROTOCOL_VERSION, isSupportedProtocolVersion } from "./protocol-version.ts";
import { parseBody } from "./request-body.ts";
import type { RequestNotes } from "./request-notes.ts";
import { Session } from "./session.ts";
import { SessionLimitError, type SessionRegistry, SpawnError } from "./session-registry.ts";
import type { SseConnection } from "./sse.ts";

export const SESSION_HEADER = "mcp-session-id";
const PROTOCOL_HEADER = "mcp-protocol-version";

export class StreamableHttpEndpoint {
  /** MCP 2026-07-28 requests, which carry their own metadata and have no session. */
  private readonly stateless: StatelessEndpoint;
  /** Each session's hold on the credential of its latest request. */
  private readonly holds = new WeakMap<Session, CredentialHold>();

  constructor(
    private readonly registry: SessionRegistry,
    private readonly log: Logger,
  ) {
    this.stateless = new StatelessEndpoint(registry, log);
  }

  get serverName(): string {
    return this.registry.server.name;
  }

  async handle(request: Request, notes: RequestNotes = {}): Promise<Response> {
    switch (request.method) {
      case "POST":
        return this.post(request, notes);
      case "GET":
        return this.get(request, notes);
      case "DELETE":
        return this.delete(request, notes);
      default:
        return jsonRpcErrorResponse(405, ErrorCode.InvalidRequest, `method ${request.method} is not allowed on an MCP endpoint`, {
          headers: { allow: "GET, POST, DELETE" },
        });
    }
  }

  private async post(request: Request, notes: RequestNotes): Promise<Response> {
    if (!acceptsPostResponses(request.headers.get("accept"))) {
      return jsonRpcErrorResponse(
        406,
        ErrorCode.InvalidRequest,
        "Not Acceptable: the Accept header must list application/json and text/event-stream",
      );
    }
    if (!isJsonContentType(request.headers.get("content-type"))) {
      return jsonRpcErrorResponse(415, ErrorCode.InvalidRequest, "Unsupported Media Type: the Content-Type must be application/json");
    }
    const limit = this.registry.server.maxMessageBytes;
    const text = await readBodyLimited(request, limit);
    if (text === undefined) {
      return jsonRpcErrorResponse(413, ErrorCode.MessageTooLarge, `the message exceeds max_message_size (${limit} bytes)`);
    }
    const parsed = parseBody(text);
    if (!parsed.ok) return jsonRpcErrorResponse(400, parsed.error.code, parsed.error.message);
    const body = parsed.value;

    // 2026-07-28 versioning §Backward Compatibility: the body says which era a request is of,
    // the MCP-Protocol-Version header only cross-checks it. A modern request ignores any
    // Mcp-Session-Id (streamable-http §Earlier Streamable HTTP Revisions).
    const era = classifyPost(request.headers, body);
    if (era.era === "rejected") {
      const { status, code, message, data } = era.rejection;
      const only = body.messages.length === 1 ? body.messages[0]!.message : undefined;
      return jsonRpcErrorResponse(status, code, message, { id: only && "id" in only ? only.id : null, data });
    }
    if (era.era === "modern") return this.stateless.post(request, body.messages[0]!, era.envelope, notes);

    const initialize = body.messages.find((m) => m.message.kind === "request" && m.message.method === "initialize");
    const sessionId = request.headers.get(SESSION_HEADER);
    if (initialize) {
      // MCP lifecycle: the initialize request MUST NOT be part of a batch.
      if (body.batch) return jsonRpcErrorResponse(400, ErrorCode.InvalidRequest, "initialize must not be sent in a batch");
      if (sessionId)
        return jsonRpcErrorResponse(400, ErrorCode.InvalidRequest, "initialize must not carry an Mcp-Session-Id: it starts a new session");
      return this.startSession(initialize, notes);
    }

    const found = this.findSession(sessionId, notes);
    if (found instanceof Response) return found;
    const version = this.protocolVersion(request, found);
    if (version instanceof Response) return version;
    this.holds.get(found)?.update(notes.credential);
    if (body.batch && !allowsBatches(version)) {
      return jsonRpcErrorResponse(400, ErrorCode.InvalidRequest, `JSON-RPC batches are not supported in protocol version ${version}`);
    }
    return found.post(body.messages, version);
  }

  private async startSession(initialize: Parameters<Session["initialize"]>[0], notes: RequestNotes): Promise<Response> {
    let session: Session;
    try {
      session = this.registry.create<Session>(
        notes.client?.(),
        (id, child, ended) => new Session(id, this.registry.server, this.registry.limits, child, this.log, ended, notes.principal),
      );
    } catch (error) {
      if (error instanceof SessionLimitError) return error.response();
      if (error instanceof SpawnError) return jsonRpcErrorResponse(502, ErrorCode.ServerUnavailable, error.message);
      throw error;
    }
    notes.session = session.id;
    this.holds.set(session, this.registry.holdCredential(session, notes.credential, notes.client?.()));
    return session.initialize(initialize);
  }

  private async get(request: Request, notes: RequestNotes): Promise<Response> {
    if (!acceptsEventStream(request.headers.get("accept"))) {
      return jsonRpcErrorResponse(406, ErrorCode.InvalidRequest, "Not Acceptable: the Accept header must list text/event-stream");
    }
    const sessionId = request.headers.get(SESSION_HEADER);
    if (!sessionId) return noSession("GET");
    const found = this.findSession(sessionId, notes);
    if (found instanceof Response) return found;
    const version = this.protocolVersion(request, found);
    if (version instanceof Response) return version;
    this.holds.get(found)?.update(notes.credential);
    // A stream is one long request: it ends when the token it was opened with does.
    const watch = (connection: SseConnection) =>
      this.registry.credentials.hold(
        notes.credential,
        "stream",
        () => connection.close(),
        () => connection.isOpen,
      );
    return found.openStream(request.headers.get("last-event-id") ?? undefined, version, watch);
  }

  private async delete(request: Request, notes: RequestNotes): Promise<Response> {
    const sessionId = request.headers.get(SESSION_HEADER);
    if (!sessionId) return noSession("DELETE");
    const found = this.findSession(sessionId, notes);
    if (found instanceof Response) return found;
    this.registry.end(found.id, "the client ended the session (DELETE)");
    return new Response(null, { status: 200 });
  }

  /** MCP 2025-11-25 transports §Session Management 2–3: missing id → 400, unknown or ended → 404. */
  private findSession(sessionId: string | null, notes: RequestNotes): Session | Response {
    if (!sessionId) return jsonRpcErrorResponse(400, ErrorCode.InvalidRequest, "Bad Request: Mcp-Session-Id header is required");
    notes.session = sessionId;
    const session = this.registry.get(sessionId);
    // A session belongs to whoever opened it; to anyone else it does not exist.
    if (!(session instanceof Session) || session.isClosed || session.owner !== notes.principal)
      return jsonRpcErrorResponse(404, ErrorCode.InvalidRequest, "Session not found: start a new session with initialize");
    return session;
  }

  /** MCP 2025-11-25 transports §Protocol Version Header. */
  private protocolVersion(request: Request, session: Session): string | Response {
    const header = request.headers.get(PROTOCOL_HEADER);
    if (header === null) return session.protocolVersion ?? DEFAULT_PROTOCOL_VERSION;
    if (!isSupportedProtocolVersion(header)) {
      return jsonRpcErrorResponse(400, ErrorCode.InvalidRequest, `Bad Request: unsupported MCP-Protocol-Version "${header.slice(0, 40)}"`);
    }
    return header;
  }
}

/**
 * GET or DELETE without a session: 2026-07-28 has neither (streamable-http §Earlier Streamable
 * HTTP Revisions: 405); a 2025 client gets the same 405 a server without a standalone stream
 * sends (2025-11-25 transports §Listening for Messages), and the message says what a session needs.
 */
function noSession(method: "GET" | "DELETE"): Response {
  return jsonRpcErrorResponse(
    405,
    ErrorCode.InvalidRequest,
    `Method Not Allowed: ${method} needs the Mcp-Session-Id of a 2025 session (MCP 2026-07-28 has no ${method === "GET" ? "GET stream" : "sessions"})`,
    // RFC 9110 §15.5.6: Allow lists what the resource supports, with a session GET and DELETE too.
    { headers: { allow: "GET, POST, DELETE" } },
  );
}
