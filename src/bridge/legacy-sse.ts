// The deprecated HTTP+SSE transport (MCP 2024-11-05 transports §HTTP with SSE) for clients
// that predate Streamable HTTP: a GET opens an event stream whose first event names the POST
// endpoint; every message from the server travels on that one stream. The session lives as
// long as the stream.
import type { StdioServerConfig } from "../config/types.ts";
import type { Logger } from "../log.ts";
import type { StdioChild } from "./child.ts";
import { acceptsEventStream, isJsonContentType } from "./content-negotiation.ts";
import { jsonRpcErrorResponse } from "./http-responses.ts";
import { ErrorCode, errorResponse, peek, sniffId } from "./jsonrpc.ts";
import { parseBody, readBodyLimited } from "./request-body.ts";
import { SESSION_LIMITS } from "./session.ts";
import { type LiveSession, type SessionRegistry, SessionLimitError, SpawnError } from "./session-registry.ts";
import { KEEPALIVE_FRAME, SSE_HEADERS, SseConnection, sseEvent } from "./sse.ts";
import type { RequestNotes } from "./streamable-http.ts";

export class LegacySseSession implements LiveSession {
  readonly stream: SseConnection;
  lastActivity = Date.now();
  private closed = false;
  private lastKeepAlive = Date.now();

  constructor(
    readonly id: string,
    private readonly server: StdioServerConfig,
    private readonly child: StdioChild,
    private readonly log: Logger,
    private readonly onEnded: (session: LiveSession) => void,
    readonly owner?: string,
  ) {
    this.stream = new SseConnection(SESSION_LIMITS.streamBufferBytes, (buffered) =>
      this.log.warn({ server: this.server.name, session: id, buffered, limit: SESSION_LIMITS.streamBufferBytes }, "cut off a legacy SSE reader that fell too far behind"),
    );
    this.stream.onClose(() => void this.close("the client closed the SSE stream"));
  }

  get idle(): boolean {
    return false; // lives exactly as long as its stream
  }

  send(text: string): boolean {
    this.lastActivity = Date.now();
    return this.child.send(text);
  }

  fromChild(line: string): void {
    // The same rule as Streamable HTTP sessions: what is not a JSON-RPC message is logged, not forwarded.
    const peeked = peek(line);
    if (!peeked.ok) {
      this.log.warn({ server: this.server.name, session: this.id, length: line.length, reason: peeked.reason }, "ignored a line from the MCP server that is not a JSON-RPC message");
      return;
    }
    this.stream.write(sseEvent(line, undefined, "message"));
  }

  oversizedFromChild(length: number, head: string, tail: string): void {
    this.log.warn({ server: this.server.name, session: this.id, length }, "dropped a message from the MCP server larger than max_message_size");
    const id = sniffId(head, tail);
    if (id !== undefined) {
      this.fromChild(errorResponse(id, ErrorCode.MessageTooLarge, `the MCP server's response (${length} bytes) exceeds max_message_size`));
    }
  }

  tick(now: number): void {
    if (now - this.lastKeepAlive >= SESSION_LIMITS.keepAliveEveryMs) {
      this.lastKeepAlive = now;
      this.stream.write(KEEPALIVE_FRAME);
    }
  }

  childExited(code: number | null, signal: string | null): void {
    void this.close(`the MCP server process exited (${signal ? `signal ${signal}` : `code ${code}`})`);
  }

  async close(reason: string): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.log.info({ server: this.server.name, session: this.id, reason }, "legacy SSE session ended");
    this.stream.close();
    this.onEnded(this);
    await this.child.stop();
  }
}

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
      session = this.registry.create((id, child, ended) => new LegacySseSession(id, this.registry.server, child, this.log, ended, notes.principal));
    } catch (error) {
      if (error instanceof SessionLimitError) return jsonRpcErrorResponse(503, ErrorCode.ServerUnavailable, error.message, { headers: { "retry-after": "5" } });
      if (error instanceof SpawnError) return jsonRpcErrorResponse(502, ErrorCode.ServerUnavailable, error.message);
      throw error;
    }
    notes.session = session.id;
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
    const body = parseBody(text);
    if (!body.ok) return jsonRpcErrorResponse(body.status, body.code, body.message);
    for (const m of body.messages) {
      if (!session.send(m.text)) return jsonRpcErrorResponse(502, ErrorCode.ServerUnavailable, "the MCP server process is not running");
    }
    return new Response("Accepted", { status: 202 });
  }
}
