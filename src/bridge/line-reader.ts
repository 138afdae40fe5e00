// Splits a child's stdout into newline-delimited messages (MCP stdio transport: "Messages are
// delimited by newlines, and MUST NOT contain embedded newlines") with a hard cap on a line's
// length, so a child that never writes a newline cannot make the appliance buffer without bound.

const NEWLINE = 0x0a;
const SNIFF_BYTES = 256;
const NOT_BLANK = /\S/;

export interface LineSink {
  line(text: string): void;
  /** A line longer than the cap was dropped; head and tail are its first and last bytes, for logs and id sniffing. */
  oversized(length: number, head: string, tail: string): void;
}

export class BoundedLineReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  /** Bytes of the current line already dropped because it is over the cap. */
  private discarding = 0;
  private head = "";
  private tailBytes: Uint8Array = new Uint8Array(0);
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly maxLineBytes: number,
    private readonly sink: LineSink,
  ) {}

  push(chunk: Uint8Array): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      this.append(chunk.subarray(start, end));
      if (newline === -1) return;
      this.finishLine();
      start = newline + 1;
    }
  }

  private append(part: Uint8Array): void {
    if (part.length === 0) return;
    if (this.discarding > 0) {
      this.discarding += part.length;
      this.rememberTail(part);
      return;
    }
    if (this.buffered + part.length > this.maxLineBytes) {
      const start = this.buffered >= SNIFF_BYTES ? this.join() : concat(this.join(), part);
      this.head = this.decoder.decode(start.subarray(0, SNIFF_BYTES));
      this.discarding = this.buffered + part.length;
      this.chunks = [];
      this.buffered = 0;
      this.rememberTail(part);
      return;
    }
    // Kept without a copy: the runtime hands each read its own buffer (Bun.spawn pipes; checked
    // by test/bridge/runtime-pipes.test.ts), so a kept view cannot be overwritten by a later read.
    this.chunks.push(part);
    this.buffered += part.length;
  }

  private rememberTail(part: Uint8Array): void {
    const keep = part.length >= SNIFF_BYTES ? part.subarray(part.length - SNIFF_BYTES) : part;
    const merged = new Uint8Array(Math.min(SNIFF_BYTES, this.tailBytes.length + keep.length));
    const fromOld = merged.length - keep.length;
    merged.set(this.tailBytes.subarray(this.tailBytes.length - fromOld), 0);
    merged.set(keep, fromOld);
    this.tailBytes = merged;
  }

  private finishLine(): void {
    if (this.discarding > 0) {
      const tail = this.decoder.decode(this.tailBytes);
      this.sink.oversized(this.discarding, this.head, tail);
      this.discarding = 0;
      this.head = "";
      this.tailBytes = new Uint8Array(0);
      return;
    }
    if (this.buffered === 0) return;
    let text = this.decoder.decode(this.join());
    this.chunks = [];
    this.buffered = 0;
    if (text.endsWith("\r")) text = text.slice(0, -1);
    // A test for any non-blank character, not trim(): that would copy a multi-megabyte line.
    if (NOT_BLANK.test(text)) this.sink.line(text);
  }

  private join(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0]!;
    const out = new Uint8Array(this.buffered);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + Math.min(b.length, SNIFF_BYTES));
  out.set(a, 0);
  out.set(b.subarray(0, SNIFF_BYTES), a.length);
  return out;
}
