// HTTP/1.1 over a bare TCP socket, for what fetch will not send or cannot show: bytes it refuses
// (traversal paths, hostile header bytes), a request sent only in part, a reader that stops
// reading, a kept-alive connection used by hand, and how and when the appliance ends it.
import { connect, type Socket } from "node:net";

export interface RawResponse {
  /** The status line's code; 0 when the connection ended without one (the parser refused). */
  status: number;
  /** The status line and header lines, as sent. */
  head: string;
  /** Header names lower-cased; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: Buffer;
  /** What ended the connection, when it was not a clean close (a reset, a timeout). */
  error?: string;
}

/** Split the bytes of an answer into status, head, headers and body. */
export function parseRawResponse(data: Buffer): RawResponse {
  const end = data.indexOf("\r\n\r\n");
  const head = end === -1 ? data.toString("latin1") : data.subarray(0, end).toString("latin1");
  const [statusLine = "", ...lines] = head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? "0"),
    head,
    headers,
    body: end === -1 ? Buffer.alloc(0) : data.subarray(end + 4),
  };
}

/** A connection to 127.0.0.1:`port` that sends `first` once connected and records what comes back. */
export class RawConnection {
  readonly socket: Socket;
  /** Resolves when the connection has ended, by either side, with the time it did. */
  readonly closed: Promise<number>;
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private total = 0;
  private failure: string | undefined;
  private isClosed = false;
  private readonly listeners = new Set<() => void>();

  /** `keepAtMost`: bytes kept to look at later (all are counted); a flood must not fill the test's memory. */
  constructor(
    port: number,
    first: Buffer | string = "",
    private readonly keepAtMost = 16 * 1024 * 1024,
  ) {
    this.socket = connect(port, "127.0.0.1");
    this.socket.on("connect", () => {
      if (first.length > 0) this.socket.write(typeof first === "string" ? Buffer.from(first, "latin1") : first);
    });
    this.socket.on("data", (chunk: Buffer) => {
      this.total += chunk.length;
      if (this.keptBytes < this.keepAtMost) {
        this.kept.push(chunk);
        this.keptBytes += chunk.length;
      }
      this.notify();
    });
    // A reset is one of the endings tests expect; it is recorded, not thrown.
    this.socket.on("error", (error: Error) => (this.failure ??= error.message));
    this.closed = new Promise((resolve) =>
      this.socket.on("close", () => {
        this.isClosed = true;
        resolve(Date.now());
        this.notify();
      }),
    );
  }

  write(bytes: Buffer | string): void {
    this.socket.write(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes);
  }

  /** Bytes received so far, kept or not. */
  received(): number {
    return this.total;
  }

  get ended(): boolean {
    return this.isClosed;
  }

  /** What was received (up to `keepAtMost`). */
  data(): Buffer {
    return Buffer.concat(this.kept);
  }

  text(encoding: BufferEncoding = "utf8"): string {
    return this.data().toString(encoding);
  }

  response(): RawResponse {
    return { ...parseRawResponse(this.data()), ...(this.failure === undefined ? {} : { error: this.failure }) };
  }

  /** Resolves once `check` holds, looked at on every arrival; rejects if the connection ends first or time runs out. */
  until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.listeners.delete(look);
        if (error) reject(error);
        else resolve();
      };
      const look = () => {
        if (check()) done();
        else if (this.isClosed) done(new Error(`the connection ended before ${what}: ${JSON.stringify(this.text().slice(0, 300))}`));
      };
      const timer = setTimeout(() => done(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      this.listeners.add(look);
      look();
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** One request as raw bytes; the answer once the appliance closes the connection (send `Connection: close`). */
export async function rawExchange(port: number, request: Buffer | string, timeoutMs = 10_000): Promise<RawResponse> {
  const connection = new RawConnection(port, request);
  const timer = setTimeout(() => connection.socket.destroy(new Error(`no close within ${timeoutMs} ms`)), timeoutMs);
  await connection.closed;
  clearTimeout(timer);
  return connection.response();
}
