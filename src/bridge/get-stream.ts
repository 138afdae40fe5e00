// A Streamable HTTP session's own SSE stream, opened with GET (MCP 2025-11-25 transports
// §Listening for Messages from the Server): it carries what the child sends that belongs to no
// request in flight. While none is open those messages wait in a bounded backlog; each event
// goes to the replay buffer too, for a resume with Last-Event-ID.
import type { Logger } from "../log.ts";
import { type EventLog, eventId } from "./event-log.ts";
import { GetStreamBacklog } from "./get-stream-backlog.ts";
import { SESSION_LIMITS } from "./session-limits.ts";
import { primingEvent, type SseConnection, sseEvent } from "./sse.ts";

/** The stream part of the GET stream's event ids. */
export const GET_STREAM = "g";

export class SessionGetStream {
  private connection: SseConnection | undefined;
  private seq = 0;
  private readonly backlog: GetStreamBacklog;

  constructor(
    private readonly eventLog: EventLog,
    private readonly log: Logger,
    private readonly where: { server: string; session: string },
  ) {
    this.backlog = new GetStreamBacklog(SESSION_LIMITS.queuedForGetStream, SESSION_LIMITS.queuedForGetStreamBytes, () =>
      this.log.warn(
        { ...this.where, keep: SESSION_LIMITS.queuedForGetStream, keepBytes: SESSION_LIMITS.queuedForGetStreamBytes },
        "no GET stream is open: dropping the oldest queued server messages (reported again, with a count, when a GET stream opens or the session ends)",
      ),
    );
  }

  get isOpen(): boolean {
    return this.connection?.isOpen ?? false;
  }

  /** A resumed GET stream replaces the one it resumes, whose client has gone. */
  closeCurrent(): void {
    this.connection?.close();
  }

  /** Take `connection` as the GET stream (a priming event first when asked), then send what waited. */
  attach(connection: SseConnection, prime: boolean): void {
    this.connection = connection;
    connection.onClose(() => {
      if (this.connection === connection) this.connection = undefined;
    });
    if (prime) connection.write(primingEvent(eventId(GET_STREAM, this.seq), SESSION_LIMITS.reconnectRetryMs));
    const { lines, dropped } = this.backlog.take();
    this.reportDrops(dropped);
    for (const line of lines) this.emit(line);
  }

  emit(line: string): void {
    if (!this.connection?.isOpen) {
      this.backlog.push(line);
      return;
    }
    const seq = ++this.seq;
    this.eventLog.append({ stream: GET_STREAM, seq, data: line });
    this.connection.write(sseEvent(line, eventId(GET_STREAM, seq)));
  }

  keepAlive(): void {
    this.connection?.write(":\n\n");
  }

  end(): void {
    this.reportDrops(this.backlog.take().dropped);
    this.connection?.close();
  }

  private reportDrops(dropped: number): void {
    if (dropped === 0) return;
    this.log.warn({ ...this.where, dropped }, "server messages dropped while no GET stream was open");
  }
}
