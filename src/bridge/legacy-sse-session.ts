// One session of the deprecated HTTP+SSE transport (MCP 2024-11-05 transports §HTTP with SSE):
// one child, one event stream carrying every message from the server, client messages POSTed
// to the endpoint the stream named. The session lives as long as the stream.
import type { StdioServerConfig } from "../config/types.ts";
import type { Logger } from "../log.ts";
import type { ChildChannel } from "./channel/child-channel.ts";
import { jsonRpcErrorResponse, tooManyRequestsResponse } from "./http-responses.ts";
import { cancelledNotification, ErrorCode, errorResponse, type JsonRpcId, peek, requestTimeoutResponse, sniffId } from "./jsonrpc.ts";
import { PendingRequests } from "./pending-requests.ts";
import type { IncomingMessage } from "./session.ts";
import { SESSION_LIMITS } from "./session-limits.ts";
import type { LiveSession, SessionLimits } from "./session-registry.ts";
import { KEEPALIVE_FRAME, SseConnection, sseEvent } from "./sse.ts";

export class LegacySseSession implements LiveSession {
  readonly stream: SseConnection;
  lastActivity = Date.now();
  private closed = false;
  private lastKeepAlive = Date.now();
  private readonly pending = new PendingRequests();

  constructor(
    readonly id: string,
    private readonly server: StdioServerConfig,
    private readonly limits: SessionLimits,
    private readonly child: ChildChannel,
    private readonly log: Logger,
    private readonly onEnded: (session: LiveSession) => void,
    readonly owner?: string,
  ) {
    this.stream = new SseConnection(SESSION_LIMITS.streamBufferBytes, (buffered) =>
      this.log.warn(
        { server: this.server.name, session: id, buffered, limit: SESSION_LIMITS.streamBufferBytes },
        "cut off a legacy SSE reader that fell too far behind",
      ),
    );
    this.stream.onClose(() => void this.close("the client closed the SSE stream"));
  }

  get idle(): boolean {
    return false; // lives exactly as long as its stream
  }

  /** Shutdown waits for these answers too (they arrive on the stream). */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  /**
   * The messages of one POST, accepted (202: answers travel on the stream) or refused whole,
   * before any reaches the child, when their requests would exceed max_requests_per_session.
   */
  receive(messages: IncomingMessage[]): Response {
    this.lastActivity = Date.now();
    const requests = messages.flatMap((m) => (m.message.kind === "request" ? [m.message.id] : []));
    if (this.pending.size + requests.length > this.limits.maxRequestsPerSession) {
      return tooManyRequestsResponse(
        `this session already has ${this.pending.size} requests in flight (max_requests_per_session is ${this.limits.maxRequestsPerSession}); send it again once one is answered`,
        SESSION_LIMITS.retryAfterS,
        messages.length === 1 ? (requests[0] ?? null) : null,
      );
    }
    const deadline = Date.now() + this.server.requestTimeoutMs;
    for (const id of requests) this.pending.add(id, deadline);
    for (const m of messages) {
      const cancelled =
        m.message.kind === "notification" && m.message.method === "notifications/cancelled" ? m.message.params?.requestId : undefined;
      if (typeof cancelled === "string" || typeof cancelled === "number") this.pending.settle(cancelled);
      if (!this.child.send(m.text)) return jsonRpcErrorResponse(502, ErrorCode.ServerUnavailable, "the MCP server process is not running");
    }
    return new Response("Accepted", { status: 202 });
  }

  fromChild(line: string): void {
    // The same rule as Streamable HTTP sessions: what is not a JSON-RPC message is logged, not forwarded.
    const peeked = peek(line);
    if (!peeked.ok) {
      this.log.warn(
        { server: this.server.name, session: this.id, length: line.length, reason: peeked.error },
        "ignored a line from the MCP server that is not a JSON-RPC message",
      );
      return;
    }
    // A response to a request no longer waiting (timed out, or cancelled by the client) was
    // already answered with an error, or must not be (MCP cancellation §Behavior): one answer per id.
    if (peeked.value.kind === "response" && peeked.value.id !== null && !this.pending.settle(peeked.value.id)) {
      this.log.debug({ server: this.server.name, session: this.id }, "dropped a response to a request no longer in flight");
      return;
    }
    this.stream.write(sseEvent(line, undefined, "message"));
  }

  oversizedFromChild(length: number, head: string, tail: string): void {
    this.log.warn(
      { server: this.server.name, session: this.id, length },
      "dropped a message from the MCP server larger than max_message_size",
    );
    const id: JsonRpcId | undefined = sniffId(head, tail);
    if (id !== undefined) {
      this.fromChild(errorResponse(id, ErrorCode.MessageTooLarge, `the MCP server's response (${length} bytes) exceeds max_message_size`));
    }
  }

  tick(now: number): void {
    // The same as on Streamable HTTP: past request_timeout the server is told to stop
    // (notifications/cancelled) and the client gets a JSON-RPC error in place of the answer.
    for (const id of this.pending.expire(now)) {
      this.child.send(cancelledNotification(id, "request timed out"));
      this.stream.write(sseEvent(requestTimeoutResponse(id, this.server.requestTimeoutMs), undefined, "message"));
    }
    if (now - this.lastKeepAlive >= SESSION_LIMITS.keepAliveEveryMs) {
      this.lastKeepAlive = now;
      this.stream.write(KEEPALIVE_FRAME);
    }
  }

  childExited(code: number | null, signal: string | null): void {
    void this.close(`the MCP server process exited (${signal ? `signal ${signal}` : `code ${code}`})`);
  }

  get isClosed(): boolean {
    return this.closed;
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
