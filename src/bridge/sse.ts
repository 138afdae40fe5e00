// Server-Sent Events framing (HTML Living Standard §9.2) and one outgoing SSE connection.
// Each MCP message is a single line (stdio framing), so it fits one `data:` field unchanged —
// unless it holds a raw CR, which stdio framing allows and SSE does not (see dataFields).

const encoder = new TextEncoder();

// HTML §9.2.6: a line of the stream ends at CR, LF or CRLF, and the receiver joins the data
// fields of one event with LF. So a payload holding any of them goes out as one data field per
// line, never as a line the receiver would cut short. In a JSON text a raw CR or LF can only be
// whitespace between tokens (RFC 8259 §2 and §7: strings cannot hold them unescaped), so the
// message rebuilt with LF in their place is the same message.
const LINE_BREAK = /\r\n|\r|\n/;

function dataFields(data: string): string {
  if (!data.includes("\r") && !data.includes("\n")) return `data: ${data}\n`;
  return data
    .split(LINE_BREAK)
    .map((line) => `data: ${line}\n`)
    .join("");
}

export function sseEvent(data: string, id?: string, event?: string): string {
  let frame = "";
  if (event) frame += `event: ${event}\n`;
  if (id !== undefined) frame += `id: ${id}\n`;
  return `${frame}${dataFields(data)}\n`;
}

/** MCP 2025-11-25 transports §Sending messages 6: an event with an id and empty data primes reconnection. */
export function primingEvent(id: string, retryMs: number): string {
  return `id: ${id}\nretry: ${retryMs}\ndata: \n\n`;
}

export const KEEPALIVE_FRAME = ": keepalive\n\n";

export const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  // Reverse proxies (nginx) must not buffer a stream.
  "x-accel-buffering": "no",
} as const;

/**
 * One live SSE connection. Writes are dropped once the client has gone; a client that reads
 * slower than the bridge writes is disconnected once `maxBufferedBytes` are waiting, so a
 * stalled reader cannot make the appliance buffer without bound.
 */
export class SseConnection {
  readonly body: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private closed = false;
  private readonly closeListeners: Array<() => void> = [];

  constructor(
    private readonly maxBufferedBytes: number,
    /** Told when a reader fell too far behind and was cut off (for a log line). */
    private readonly onOverflow?: (bufferedBytes: number) => void,
  ) {
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        cancel: () => this.markClosed(),
      },
      { highWaterMark: 0, size: (chunk) => chunk?.byteLength ?? 0 },
    );
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** Returns false when the connection is gone (the caller keeps the message for replay). */
  write(frame: string): boolean {
    if (this.closed) return false;
    const buffered = -(this.controller.desiredSize ?? 0);
    if (buffered > this.maxBufferedBytes) {
      this.cutOff(buffered);
      return false;
    }
    try {
      this.controller.enqueue(encoder.encode(frame));
      return true;
    } catch {
      this.markClosed();
      return false;
    }
  }

  close(): void {
    if (this.closed) return;
    try {
      this.controller.close();
    } catch {
      // already errored or cancelled by the client
    }
    this.markClosed();
  }

  /**
   * A reader this far behind may never catch up: error the stream rather than close it, so that
   * the backlog is dropped at once and the connection is reset. (A closed stream would keep the
   * backlog queued until the reader read it, for as long as the socket stays open.) The client
   * may reconnect and resume from the session's event log with Last-Event-ID.
   */
  private cutOff(buffered: number): void {
    if (this.closed) return;
    try {
      // No reason given: Bun prints an Error reason to stderr; undefined it does not.
      this.controller.error();
    } catch {
      // already closed or errored
    }
    this.markClosed();
    this.onOverflow?.(buffered);
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}
