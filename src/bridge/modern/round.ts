// One HTTP response of a stateless (2026-07-28) call: a single JSON body when the final message
// comes first, an SSE stream scoped to the request as soon as a notification must travel before
// it or the answer is slow (streamable-http §Receiving Messages). A call that asks the client
// for input (MRTR) spans several rounds, each its own POST and its own response. Closing the
// stream, or dropping the request, is the client's cancellation (streamable-http §Cancellation).
import { jsonResponse } from "../http-responses.ts";

const JSON_HEADERS = { "content-type": "application/json" };

import { SESSION_LIMITS } from "../session-limits.ts";
import { SSE_HEADERS, SseConnection, sseEvent } from "../sse.ts";

export class Round {
  readonly response: Promise<Response>;
  private resolveResponse!: (response: Response) => void;
  private connection: SseConnection | undefined;
  private state: "waiting" | "streaming" | "done" = "waiting";
  private readonly goneListeners: Array<() => void> = [];
  readonly startedAt = Date.now();

  /** `signal`: the request's, aborted when the client disconnects before a response was sent. */
  constructor(signal: AbortSignal | undefined) {
    this.response = new Promise((resolve) => (this.resolveResponse = resolve));
    signal?.addEventListener("abort", () => this.clientGone(), { once: true });
  }

  get done(): boolean {
    return this.state === "done";
  }

  /** The client left before the round ended: it cancelled the request. */
  onClientGone(listener: () => void): void {
    this.goneListeners.push(listener);
  }

  /** A notification about the request (progress, a log message): it needs the stream. */
  notify(line: string): void {
    if (this.state === "done") return;
    this.stream();
    this.connection?.write(sseEvent(line));
  }

  /**
   * The round's last message: the answer, an error, or an input_required result. `status` is
   * the HTTP status when the answer is a JSON body (a stream has sent its 200 already).
   */
  finish(line: string, status = 200): void {
    if (this.state === "done") return;
    if (this.state === "waiting") {
      this.state = "done";
      this.resolveResponse(status === 200 ? jsonResponse(line) : new Response(line, { status, headers: JSON_HEADERS }));
      return;
    }
    this.state = "done";
    this.connection?.write(sseEvent(line));
    this.connection?.close();
  }

  /** About once a second: a slow answer becomes a stream so keep-alive comments can flow. */
  tick(now: number): void {
    if (this.state === "waiting" && now - this.startedAt >= SESSION_LIMITS.upgradeToStreamAfterMs) this.stream();
  }

  keepAlive(): void {
    if (this.state === "streaming") this.connection?.write(":\n\n");
  }

  private stream(): void {
    if (this.state !== "waiting") return;
    this.state = "streaming";
    const connection = new SseConnection(SESSION_LIMITS.streamBufferBytes);
    this.connection = connection;
    connection.onClose(() => {
      if (this.state === "streaming") this.clientGone();
    });
    this.resolveResponse(new Response(connection.body, { status: 200, headers: SSE_HEADERS }));
  }

  private clientGone(): void {
    if (this.state === "done") return;
    this.state = "done";
    this.connection?.close();
    for (const listener of this.goneListeners.splice(0)) listener();
  }
}
