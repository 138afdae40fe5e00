// Bounded per-session record of SSE events, for resumption with Last-Event-ID
// (MCP 2025-11-25 transports §Resumability and Redelivery). Event ids are `<stream>.<seq>`,
// so an id names the stream it belongs to and replay never crosses streams.

interface LoggedEvent {
  stream: string;
  seq: number;
  data: string;
}

export function eventId(stream: string, seq: number): string {
  return `${stream}.${seq}`;
}

export function parseEventId(id: string): { stream: string; seq: number } | undefined {
  const dot = id.lastIndexOf(".");
  if (dot <= 0) return undefined;
  const seq = Number(id.slice(dot + 1));
  if (!Number.isSafeInteger(seq) || seq < 0) return undefined;
  return { stream: id.slice(0, dot), seq };
}

export class EventLog {
  private events: LoggedEvent[] = [];
  private bytes = 0;

  constructor(
    private readonly maxEvents: number,
    private readonly maxBytes: number,
  ) {}

  append(event: LoggedEvent): void {
    this.events.push(event);
    this.bytes += event.data.length;
    while (this.events.length > 0 && (this.events.length > this.maxEvents || this.bytes > this.maxBytes)) {
      const dropped = this.events.shift()!;
      this.bytes -= dropped.data.length;
    }
  }

  /** Events of `stream` after `seq` that are still kept, whether or not some were evicted. */
  kept(stream: string, seq: number): LoggedEvent[] {
    return this.events.filter((e) => e.stream === stream && e.seq > seq);
  }

  /** Events of `stream` after `seq`, or undefined if some of them were already evicted. */
  after(stream: string, seq: number): LoggedEvent[] | undefined {
    const found = this.events.filter((e) => e.stream === stream && e.seq > seq);
    const oldest = this.events.find((e) => e.stream === stream);
    if (oldest && oldest.seq > seq + 1) return undefined;
    return found;
  }
}
