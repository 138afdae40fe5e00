// The deprecated HTTP+SSE transport (MCP 2024-11-05 transports §HTTP with SSE) for clients
// that predate Streamable HTTP: a GET opens an event stream whose first event names the POST
// endpoint; every message from the server travels on that one stream. The session lives as
// long as the stream (legacy-sse-session.ts).
import { readBodyLimited } from "../common/request-body.ts";
import type { Logger } from "../log.ts";
import { acceptsEventStream, isJsonContentType } from "./content-negotiation.ts";
import { jsonRpcErrorResponse } from "./http-responses.ts";
import { ErrorCode } from "./jsonrpc.ts";
import { LegacySseSession } from "./legacy-sse-session.ts";
import { parseBody } from "./request-body.ts";
import type { RequestNotes } from "./request-notes.ts";
import { SessionLimitError, type SessionRegistry, SpawnError } from "./session-registry.ts";
import { SSE_HEADERS, sseEvent } from "./sse.ts";

export class LegacySseEndpoint {
  constructor(
    private readonly registry: SessionRegistry,
    private readonly log: Logger,
  ) {}

  get streamPath(): string {
    return this.registry.server.ssePath;
  }

  get messagePath(): string {
    return `${this.registry.server.ssePath}/message`;
  }

  /** GET on the stream path: a new session whose first event is `endpoint`. */
  openStream(request: Request, notes: RequestNotes): Response {
    if (!acceptsEventStream(request.headers.get("accept"))) {
      return jsonRpcErrorResponse(406, ErrorCode.InvalidRequest, "Not Acceptable: the Accept header must list text/event-stream");
    }
    let session: LegacySseSession;
    try {
      session = this.registry.create(
        notes.client?.(),
        (id, child, ended) => new LegacySseSession(id, this.registry.server, this.registry.limits, child, this.log, ended, notes.principal),
      );
    } catch (error) {
      if (error instanceof SessionLimitError) return error.response();
      if (error instanceof SpawnError) return jsonRpcErrorResponse(502, ErrorCode.ServerUnavailable, error.message);
      throw error;
    }
    notes.session = session.id;
    // The stream is the session: it ends when the token it was opened with expires or ends.
    this.registry.credentials.hold(
      notes.credential,
      "stream",
      () => this.registry.end(session.id, "the credential of its stream expired or was revoked"),
      () => !session.isClosed,
    );
    session.stream.write(sseEvent(`${this.messagePath}?sessionId=${session.id}`, undefined, "endpoint"));
    return new Response(session.stream.body, { headers: SSE_HEADERS });
  }

  /** POST to the announced endpoint: accepted with 202, the answer travels on the stream. */
  async postMessage(request: Request, notes: RequestNotes): Promise<Response> {
    const sessionId = new URL(request.url).searchParams.get("sessionId");
    if (!sessionId) return jsonRpcErrorResponse(400, ErrorCode.InvalidRequest, "the sessionId query parameter is required");
    notes.session = sessionId;
    const session = this.registry.get(sessionId);
    if (!(session instanceof LegacySseSession) || session.owner !== notes.principal) {
      return jsonRpcErrorResponse(404, ErrorCode.InvalidRequest, "Session not found");
    }
    if (!isJsonContentType(request.headers.get("content-type"))) {
      return jsonRpcErrorResponse(415, ErrorCode.InvalidRequest, "Unsupported Media Type: the Content-Type must be application/json");
    }
    const text = await readBodyLimited(request, this.registry.server.maxMessageBytes);
    if (text === undefined) return jsonRpcErrorResponse(413, ErrorCode.MessageTooLarge, "the message exceeds max_message_size");
    const parsed = parseBody(text);
    if (!parsed.ok) return jsonRpcErrorResponse(400, parsed.error.code, parsed.error.message);
    return session.receive(parsed.value.messages);
  }
}
