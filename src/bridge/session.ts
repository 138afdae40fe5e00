// One Streamable HTTP session: one child process, the requests in flight to it, and the
// routing of everything the child writes back to the HTTP stream that waits for it, within the
// session's [limits] (requests in flight, open streams).
import type { StdioServerConfig } from "../config/types.ts";
import type { Logger } from "../log.ts";
import { AnswerLedger } from "./answer-ledger.ts";
import type { ChildChannel } from "./channel/child-channel.ts";
import { EventLog, parseEventId } from "./event-log.ts";
import { Exchange } from "./exchange.ts";
import { GET_STREAM, SessionGetStream } from "./get-stream.ts";
import { acceptedResponse, jsonRpcErrorResponse, tooManyRequestsResponse } from "./http-responses.ts";
import {
  cancelledNotification,
  ErrorCode,
  errorResponse,
  idKey,
  type JsonRpcId,
  type PeekedMessage,
  peek,
  progressTokenKey,
  requestTimeoutResponse,
  sniffId,
} from "./jsonrpc.ts";
import { DEFAULT_PROTOCOL_VERSION, understandsPrimingEvents } from "./protocol-version.ts";
import { replay } from "./replay.ts";
import { SESSION_LIMITS } from "./session-limits.ts";
import type { LiveSession, SessionLimits } from "./session-registry.ts";
import { SSE_HEADERS, SseConnection } from "./sse.ts";
import { StreamSlots } from "./stream-slots.ts";

export interface IncomingMessage {
  /** The message as the client wrote it, on one line. */
  text: string;
  message: PeekedMessage;
}

interface InFlight {
  exchange: Exchange;
  id: JsonRpcId;
  deadline: number;
  progressToken?: string;
}

export class Session implements LiveSession {
  private readonly inFlight = new Map<string, InFlight>();
  private readonly byProgressToken = new Map<string, string>();
  private readonly exchanges = new Set<Exchange>();
  private readonly eventLog = new EventLog(SESSION_LIMITS.eventLogEvents, SESSION_LIMITS.eventLogBytes);
  private readonly answers = new AnswerLedger(SESSION_LIMITS.eventLogEvents);
  private readonly streams: StreamSlots;
  private readonly getStream: SessionGetStream;
  private exchangeCount = 0;
  private initializeKey: string | undefined;
  private closed = false;
  private lastKeepAlive = Date.now();
  lastActivity = Date.now();
  protocolVersion: string | undefined;

  constructor(
    readonly id: string,
    private readonly server: StdioServerConfig,
    private readonly limits: SessionLimits,
    private readonly child: ChildChannel,
    private readonly log: Logger,
    private readonly onEnded: (session: LiveSession) => void,
    /** The principal that opened the session; only it may use the session. */
    readonly owner?: string,
  ) {
    this.streams = new StreamSlots(limits.maxStreamsPerSession);
    this.getStream = new SessionGetStream(this.eventLog, log, { server: server.name, session: id });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  /** Idle: nothing in flight and no stream open. */
  get idle(): boolean {
    return this.inFlight.size === 0 && !this.getStream.isOpen && this.exchanges.size === 0;
  }

  // ---- client → child ----------------------------------------------------------------------

  /** The initialize request that created this session; its response carries the session id. */
  initialize(incoming: IncomingMessage): Promise<Response> {
    if (incoming.message.kind !== "request") throw new Error("initialize must be a request");
    this.initializeKey = idKey(incoming.message.id);
    const requested = incoming.message.params?.protocolVersion;
    const version = typeof requested === "string" ? requested : DEFAULT_PROTOCOL_VERSION;
    return Promise.resolve(this.post([incoming], version, { "mcp-session-id": this.id }));
  }

  post(messages: IncomingMessage[], protocolVersion: string, extraHeaders: Record<string, string> = {}): Promise<Response> | Response {
    this.lastActivity = Date.now();
    const requests = messages.filter((m) => m.message.kind === "request");
    for (const m of requests) {
      const key = idKey((m.message as { id: JsonRpcId }).id);
      if (this.inFlight.has(key)) {
        return jsonRpcErrorResponse(400, ErrorCode.InvalidRequest, "a request with this id is already in flight in this session", {
          id: (m.message as { id: JsonRpcId }).id,
        });
      }
    }

    // Refused before anything reaches the child: the client may simply send it again.
    if (this.inFlight.size + requests.length > this.limits.maxRequestsPerSession) {
      const only = messages.length === 1 ? (requests[0]!.message as { id: JsonRpcId }).id : null;
      return tooManyRequestsResponse(
        `this session already has ${this.inFlight.size} requests in flight (max_requests_per_session is ${this.limits.maxRequestsPerSession}); send it again once one is answered`,
        SESSION_LIMITS.retryAfterS,
        only,
      );
    }

    for (const m of messages) this.noteClientMessage(m.message);

    if (requests.length === 0) {
      for (const m of messages) this.child.send(m.text);
      return acceptedResponse();
    }

    const exchange: Exchange = new Exchange({
      streamId: `p${++this.exchangeCount}`,
      awaiting: new Set(requests.map((m) => idKey((m.message as { id: JsonRpcId }).id))),
      batch: messages.length > 1,
      primeStreams: understandsPrimingEvents(protocolVersion),
      extraHeaders,
      eventLog: this.eventLog,
      answers: this.answers,
      maxStreamBufferBytes: SESSION_LIMITS.streamBufferBytes,
      retryMs: SESSION_LIMITS.reconnectRetryMs,
      onOverflow: this.streamOverflowed,
      streams: this.streams,
      noStreamFree: () => this.refuseStream(exchange),
    });
    const deadline = Date.now() + this.server.requestTimeoutMs;
    for (const m of requests) {
      const msg = m.message as Extract<PeekedMessage, { kind: "request" }>;
      const key = idKey(msg.id);
      const token = progressTokenKey(msg.params);
      this.inFlight.set(key, { exchange, id: msg.id, deadline, progressToken: token });
      if (token !== undefined) this.byProgressToken.set(token, key);
    }
    this.exchanges.add(exchange);
    exchange.onDone(() => this.exchanges.delete(exchange));

    for (const m of messages) {
      if (!this.child.send(m.text)) {
        this.failInFlight(exchange, "the MCP server process is not running");
        break;
      }
    }
    return exchange.response;
  }

  /** Open the session's own SSE stream (GET), or resume a stream from Last-Event-ID. */
  openStream(lastEventId: string | undefined, protocolVersion: string, opened?: (connection: SseConnection) => void): Response {
    this.lastActivity = Date.now();
    const resume = lastEventId ? parseEventId(lastEventId) : undefined;
    const exchange = resume && resume.stream !== GET_STREAM ? [...this.exchanges].find((e) => e.streamId === resume.stream) : undefined;
    if (this.getStream.isOpen && !resume) {
      return jsonRpcErrorResponse(409, ErrorCode.InvalidRequest, "this session already has an open GET stream");
    }
    const missed = resume ? this.replayFrames(resume.stream, resume.seq) : [];
    // A POST's stream that is over, with nothing of it left to send (a cancelled request's, say):
    // 204 tells an SSE client to stop reconnecting (HTML §9.2.3 server-sent events), where an
    // empty stream would have it come back without a Last-Event-ID.
    if (resume && resume.stream !== GET_STREAM && !exchange && missed.length === 0) return new Response(null, { status: 204 });
    // A resumed stream replaces the one it resumes (whose client has gone): that one's slot is its.
    if (resume?.stream === GET_STREAM) this.getStream.closeCurrent();
    exchange?.detach();
    const connection = new SseConnection(SESSION_LIMITS.streamBufferBytes, this.streamOverflowed);
    if (!this.streams.claim(connection)) {
      return tooManyRequestsResponse(
        `this session already has ${this.limits.maxStreamsPerSession} SSE streams open (max_streams_per_session); close one or try again later`,
        SESSION_LIMITS.retryAfterS,
      );
    }
    opened?.(connection);
    // The runtime sends the response headers with the first bytes: a stream with nothing to say
    // yet (older clients get no priming event, a resume may have nothing to replay) opens with a
    // comment, which every SSE parser ignores, instead of after the first keep-alive.
    connection.write(":\n\n");

    for (const frame of missed) connection.write(frame);
    if (resume && resume.stream !== GET_STREAM) {
      if (exchange && !exchange.done) exchange.attach(connection);
      else connection.close();
      return new Response(connection.body, { headers: SSE_HEADERS });
    }

    this.getStream.attach(connection, !resume && understandsPrimingEvents(protocolVersion));
    return new Response(connection.body, { headers: SSE_HEADERS });
  }

  private replayFrames(stream: string, afterSeq: number): string[] {
    const { frames, evicted, lostAnswers } = replay(this.eventLog, this.answers, stream, afterSeq);
    if (evicted) {
      this.log.warn(
        { server: this.server.name, session: this.id, stream, lostAnswers },
        "a stream resumed after some of its events left the replay buffer; requests whose answers were lost got a JSON-RPC error",
      );
    }
    return frames;
  }

  private noteClientMessage(message: PeekedMessage): void {
    // MCP 2025-11-25 cancellation §Behavior Requirements 4: the receiver SHOULD NOT send a
    // response for a cancelled request. The waiting POST ends here, without an answer for it
    // (an answer the client no longer expects is an error at its end), not at request_timeout.
    if (message.kind === "notification" && message.method === "notifications/cancelled") {
      const requestId = message.params?.requestId;
      if (typeof requestId === "string" || typeof requestId === "number") {
        const key = idKey(requestId);
        const entry = this.inFlight.get(key);
        if (entry) {
          this.settle(key, entry);
          entry.exchange.withdraw(key);
        }
      }
    }
  }

  // ---- child → client ----------------------------------------------------------------------

  /** A message from the child; `relatedTo` is the id of the client request it concerns, when known. */
  fromChild(line: string, relatedTo?: JsonRpcId): void {
    const peeked = peek(line);
    if (!peeked.ok) {
      this.log.warn(
        { server: this.server.name, session: this.id, length: line.length, reason: peeked.error },
        "ignored a line from the MCP server that is not a JSON-RPC message",
      );
      return;
    }
    const message = peeked.value;
    if (message.kind === "response") {
      if (message.id === null) {
        this.log.warn({ server: this.server.name, session: this.id }, "the MCP server answered with an error that has no id");
        return;
      }
      const key = idKey(message.id);
      const entry = this.inFlight.get(key);
      if (!entry) {
        this.log.debug({ server: this.server.name, session: this.id }, "dropped a response to a request no longer in flight");
        return;
      }
      this.settle(key, entry);
      if (key === this.initializeKey) {
        // Only the first answer under that id is the initialize result: a client that reuses the
        // id later must not end its session with an error answer.
        this.initializeKey = undefined;
        this.noteInitializeResult(message);
      }
      entry.exchange.deliver(line, key);
      return;
    }
    const target = this.attribute(message, relatedTo);
    if (target) target.deliver(line);
    else this.getStream.emit(line);
  }

  /** A line longer than max_message_size: answer its request with an error instead of losing it. */
  oversizedFromChild(length: number, head: string, tail: string): void {
    this.log.warn(
      { server: this.server.name, session: this.id, length, limit: this.server.maxMessageBytes },
      "dropped a message from the MCP server larger than max_message_size",
    );
    const id = sniffId(head, tail);
    const key = id === undefined ? undefined : idKey(id);
    const entry = key === undefined ? undefined : this.inFlight.get(key);
    if (!entry || key === undefined) return;
    this.settle(key, entry);
    entry.exchange.deliver(
      errorResponse(
        entry.id,
        ErrorCode.MessageTooLarge,
        `the MCP server's response (${length} bytes) exceeds max_message_size (${this.server.maxMessageBytes} bytes)`,
      ),
      key,
    );
  }

  /**
   * Where a server-initiated message goes (MCP 2025-11-25 transports: messages on a POST's stream
   * SHOULD relate to its request): to the request a shared child named, progress by its token,
   * otherwise the only request in flight; anything else goes on the GET stream.
   */
  private attribute(message: PeekedMessage, relatedTo: JsonRpcId | undefined): Exchange | undefined {
    const related = relatedTo === undefined ? undefined : this.inFlight.get(idKey(relatedTo));
    if (related) return related.exchange;
    if (message.kind === "notification" && message.method === "notifications/progress") {
      const token = progressTokenKey({ _meta: { progressToken: message.params?.progressToken } });
      const key = token === undefined ? undefined : this.byProgressToken.get(token);
      const entry = key === undefined ? undefined : this.inFlight.get(key);
      if (entry) return entry.exchange;
    }
    const live = [...this.exchanges].filter((e) => !e.done);
    return live.length === 1 ? live[0] : undefined;
  }

  private readonly streamOverflowed = (buffered: number): void => {
    this.log.warn(
      { server: this.server.name, session: this.id, buffered, limit: SESSION_LIMITS.streamBufferBytes },
      "cut off an SSE reader that fell too far behind; it may resume with Last-Event-ID",
    );
  };

  private noteInitializeResult(message: Extract<PeekedMessage, { kind: "response" }>): void {
    const result = message.result as { protocolVersion?: unknown } | undefined;
    if (typeof result?.protocolVersion === "string") this.protocolVersion = result.protocolVersion;
    if (message.isError) {
      // A server that refused to initialize is of no further use: end the session once answered.
      queueMicrotask(() => void this.close("the MCP server refused initialize"));
    }
  }

  /**
   * An exchange must become a stream and none is free: its requests are cancelled at the child
   * (MCP cancellation: the receiver SHOULD stop; no one will read the answer) and the POST is
   * answered 429 instead. The session and its other requests carry on.
   */
  private refuseStream(exchange: Exchange): Response {
    const ids: JsonRpcId[] = [];
    for (const [key, entry] of this.inFlight) {
      if (entry.exchange !== exchange) continue;
      this.settle(key, entry);
      ids.push(entry.id);
      this.child.send(cancelledNotification(entry.id, "no SSE stream free for its messages"));
    }
    this.log.info(
      { server: this.server.name, session: this.id, limit: this.limits.maxStreamsPerSession },
      "cancelled a request that needed an SSE stream: max_streams_per_session are open",
    );
    return tooManyRequestsResponse(
      `the server sent messages about this request, which need an SSE stream, and this session already has ${this.limits.maxStreamsPerSession} open (max_streams_per_session): the request was cancelled; send it again once a stream has closed`,
      SESSION_LIMITS.retryAfterS,
      ids.length === 1 ? ids[0] : null,
    );
  }

  private settle(key: string, entry: InFlight): void {
    this.inFlight.delete(key);
    if (entry.progressToken !== undefined) this.byProgressToken.delete(entry.progressToken);
  }

  private failInFlight(exchange: Exchange, reason: string): void {
    for (const [key, entry] of this.inFlight) {
      if (entry.exchange !== exchange) continue;
      this.settle(key, entry);
      exchange.deliver(errorResponse(entry.id, ErrorCode.ServerUnavailable, reason), key);
    }
  }

  // ---- housekeeping ------------------------------------------------------------------------

  /** Called about once a second: request deadlines, slow answers, keep-alive frames. */
  tick(now: number): void {
    for (const [key, entry] of this.inFlight) {
      if (entry.deadline > now) continue;
      this.settle(key, entry);
      this.child.send(cancelledNotification(entry.id, "request timed out"));
      entry.exchange.deliver(requestTimeoutResponse(entry.id, this.server.requestTimeoutMs), key);
    }
    for (const exchange of this.exchanges) {
      if (now - exchange.startedAt >= SESSION_LIMITS.upgradeToStreamAfterMs) exchange.upgradeToStream();
    }
    if (now - this.lastKeepAlive >= SESSION_LIMITS.keepAliveEveryMs) {
      this.lastKeepAlive = now;
      for (const exchange of this.exchanges) exchange.keepAlive();
      this.getStream.keepAlive();
    }
  }

  /** The child exited: every waiting client gets an error now, and the session ends. */
  childExited(code: number | null, signal: string | null): void {
    if (this.closed) return;
    const reason = `the MCP server process exited (${signal ? `signal ${signal}` : `code ${code}`})`;
    this.log.info({ server: this.server.name, session: this.id, code, signal }, "MCP server process exited");
    for (const exchange of [...this.exchanges]) this.failInFlight(exchange, reason);
    void this.close(reason);
  }

  async close(reason: string): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.log.info({ server: this.server.name, session: this.id, reason }, "session ended");
    for (const exchange of [...this.exchanges]) this.failInFlight(exchange, `session ended: ${reason}`);
    this.getStream.end();
    this.onEnded(this);
    await this.child.stop();
  }
}
