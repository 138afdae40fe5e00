// What the server says outside any request while the session has no GET stream open (MCP
// 2025-11-25 transports §Listening for Messages): kept for the next GET stream, within a count and
// a byte bound so that a flooding server cannot fill the appliance's memory. The oldest go first;
// how many went is told once, when the backlog is taken.

export class GetStreamBacklog {
  private readonly lines: string[] = [];
  private bytes = 0;
  private dropped = 0;

  constructor(
    private readonly maxMessages: number,
    private readonly maxBytes: number,
    /** Called on the first drop since the backlog was last taken: one log line per flood, not one per message. */
    private readonly onFirstDrop: () => void,
  ) {}

  push(line: string): void {
    this.lines.push(line);
    this.bytes += line.length;
    // The newest message is kept even when it alone is over the byte bound.
    while (this.lines.length > 1 && (this.lines.length > this.maxMessages || this.bytes > this.maxBytes)) {
      this.bytes -= this.lines.shift()!.length;
      if (this.dropped++ === 0) this.onFirstDrop();
    }
  }

  /** Everything kept, oldest first, and how many were dropped since the last take; empties it. */
  take(): { lines: string[]; dropped: number } {
    const taken = { lines: this.lines.splice(0), dropped: this.dropped };
    this.bytes = 0;
    this.dropped = 0;
    return taken;
  }
}
