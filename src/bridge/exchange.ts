// One client POST that carried requests: it waits for the child's responses to them and
// carries whatever the child sends on their behalf meanwhile. It answers with a single JSON
// body when the child's first word is the whole answer, and switches to an SSE stream as soon
// as anything else has to travel first (MCP 2025-11-25 transports §Sending Messages 5–6), or
// when the answer is slow in coming, so that idle timeouts of proxies never cut the request.
// A stream takes one of the session's stream slots ([limits] max_streams_per_session).

import type { AnswerLedger } from "./answer-ledger.ts";
import { type EventLog, eventId } from "./event-log.ts";
import { jsonResponse } from "./http-responses.ts";
import { primingEvent, SSE_HEADERS, SseConnection, sseEvent } from "./sse.ts";
import type { StreamSlots } from "./stream-slots.ts";

interface ExchangeOptions {
  streamId: string;
  /** idKeys of the requests this exchange answers. */
  awaiting: Set<string>;
  batch: boolean;
  primeStreams: boolean;
  extraHeaders: Record<string, string>;
  eventLog: EventLog;
  maxStreamBufferBytes: number;
  retryMs: number;
  /** Where the answers sent on this exchange's stream are noted, to tell a resume what it lost. */
  answers: AnswerLedger;
  /** Told when the reader of this exchange's stream fell too far behind and was cut off. */
  onOverflow?: (bufferedBytes: number) => void;
  streams: StreamSlots;
  /**
   * The child sent something other than the answer first, so the response must become a stream,
   * and no stream slot is free: the response to answer with instead. The exchange ends with it.
   */
  noStreamFree: () => Response;
}

type Mode = "waiting" | "sse" | "done";

export class Exchange {
  readonly response: Promise<Response>;
  private resolveResponse!: (response: Response) => void;
  private mode: Mode = "waiting";
  private collected: string[] = [];
  private connection: SseConnection | undefined;
  private seq = 0;
  /** Set when the client went away before the answer: later messages only go to the event log. */
  private abandoned = false;
  private readonly doneListeners: Array<() => void> = [];
  readonly startedAt = Date.now();

  constructor(private readonly options: ExchangeOptions) {
    this.response = new Promise((resolve) => (this.resolveResponse = resolve));
  }

  get streamId(): string {
    return this.options.streamId;
  }

  get done(): boolean {
    return this.mode === "done";
  }

  get awaiting(): ReadonlySet<string> {
    return this.options.awaiting;
  }

  onDone(listener: () => void): void {
    if (this.mode === "done") listener();
    else this.doneListeners.push(listener);
  }

  /** The HTTP client disconnected: keep going (disconnection is not cancellation), deliver to the log. */
  abandon(): void {
    this.abandoned = true;
    this.connection = undefined;
  }

  /** A message from the child for this exchange; `answers` is the idKey it responds to, if it is a response. */
  deliver(line: string, answers?: string): void {
    if (this.mode === "done") return;
    if (answers !== undefined) this.options.awaiting.delete(answers);
    const complete = this.options.awaiting.size === 0;

    if (this.mode === "waiting" && answers !== undefined) {
      if (!this.options.batch && complete) {
        this.finishWith(jsonResponse(line, this.options.extraHeaders));
        return;
      }
      if (this.options.batch) {
        this.collected.push(line);
        if (complete) this.finishWith(jsonResponse(`[${this.collected.join(",")}]`, this.options.extraHeaders));
        return;
      }
    }
    if (this.mode === "waiting" && !this.openStream()) {
      this.finishWith(this.options.noStreamFree());
      return;
    }
    const seq = this.emit(line);
    if (answers !== undefined) this.options.answers.record(this.streamId, answers, seq);
    if (complete) this.finishStream();
  }

  /**
   * A request the client cancelled: its answer is never sent (MCP 2025-11-25 cancellation
   * §Behavior Requirements 4). When nothing else is awaited the exchange ends with what it has:
   * the stream closes, or the other answers of a batch go as one array, or, with nothing to
   * say, an event stream that ends at once (a POST of requests is answered with JSON or a stream).
   */
  withdraw(answers: string): void {
    if (this.mode === "done" || !this.options.awaiting.delete(answers) || this.options.awaiting.size > 0) return;
    if (this.mode === "sse") this.finishStream();
    else if (this.collected.length > 0) this.finishWith(jsonResponse(`[${this.collected.join(",")}]`, this.options.extraHeaders));
    else this.finishWith(new Response("", { status: 200, headers: { ...SSE_HEADERS, ...this.options.extraHeaders } }));
  }

  /**
   * Switch a slow answer to SSE so keep-alive frames can flow. With no stream slot free it stays
   * a plain response for now (the answer still comes); the next tick tries again.
   */
  upgradeToStream(): void {
    if (this.mode === "waiting") this.openStream();
  }

  keepAlive(): void {
    if (this.mode === "sse") this.connection?.write(":\n\n");
  }

  /** End the current connection, which a resumed one is about to replace (freeing its slot first). */
  detach(): void {
    const connection = this.connection;
    this.connection = undefined;
    connection?.close();
  }

  /** Attach a resumed connection (GET with Last-Event-ID) after replaying what it missed. */
  attach(connection: SseConnection): void {
    this.connection?.close();
    this.connection = connection;
    this.abandoned = false;
    connection.onClose(() => {
      if (this.connection === connection) this.connection = undefined;
    });
  }

  /** False when no stream slot is free: nothing changed. */
  private openStream(): boolean {
    if (this.options.streams.full) return false;
    const connection = new SseConnection(this.options.maxStreamBufferBytes, this.options.onOverflow);
    this.options.streams.claim(connection);
    this.mode = "sse";
    this.connection = connection;
    connection.onClose(() => {
      if (this.connection === connection) this.connection = undefined;
    });
    if (this.options.primeStreams) {
      connection.write(primingEvent(eventId(this.streamId, 0), this.options.retryMs));
    }
    this.resolveResponse(new Response(connection.body, { status: 200, headers: { ...SSE_HEADERS, ...this.options.extraHeaders } }));
    for (const line of this.collected.splice(0)) this.emit(line);
    return true;
  }

  private emit(line: string): number {
    const seq = ++this.seq;
    this.options.eventLog.append({ stream: this.streamId, seq, data: line });
    if (!this.abandoned) this.connection?.write(sseEvent(line, eventId(this.streamId, seq)));
    return seq;
  }

  private finishStream(): void {
    this.mode = "done";
    this.connection?.close();
    this.notifyDone();
  }

  private finishWith(response: Response): void {
    this.mode = "done";
    this.resolveResponse(response);
    this.notifyDone();
  }

  private notifyDone(): void {
    for (const listener of this.doneListeners.splice(0)) listener();
  }
}
