// Server-Sent Events framing (HTML Living Standard §9.2) and one outgoing SSE connection.
// Each MCP message is a single line (stdio framing), so it fits one `data:` field unchanged.

const encoder = new TextEncoder();

export function sseEvent(data: string, id?: string, event?: string): string {
  let frame = "";
  if (event) frame += `event: ${event}\n`;
  if (id !== undefined) frame += `id: ${id}\n`;
  return `${frame}data: ${data}\n\n`;
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

  constructor(private readonly maxBufferedBytes: number) {
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
    if ((this.controller.desiredSize ?? 0) < -this.maxBufferedBytes) {
      this.close();
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

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}
