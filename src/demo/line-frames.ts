// Reads newline-delimited frames from a byte stream: the MCP stdio transport (2025-11-25,
// basic/transports §stdio): "Messages are delimited by newlines, and MUST NOT contain embedded
// newlines." A frame longer than the cap is skipped up to its newline and reported as oversized,
// so a client that never sends a newline cannot make the server buffer without bound.

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

type Frame = { bytes: Uint8Array } | { oversized: number };

export async function* readFrames(input: AsyncIterable<Uint8Array | string>, maxFrameBytes: number): AsyncGenerator<Frame> {
  let parts: Uint8Array[] = [];
  let buffered = 0;
  let dropped = 0;

  function* endFrame(): Generator<Frame> {
    if (dropped > 0) {
      yield { oversized: dropped };
    } else if (buffered > 0) {
      let bytes = Buffer.concat(parts, buffered);
      // Tolerate CRLF from clients written on Windows.
      if (bytes[bytes.length - 1] === CARRIAGE_RETURN) bytes = bytes.subarray(0, -1);
      if (bytes.length > 0) yield { bytes };
    }
    parts = [];
    buffered = 0;
    dropped = 0;
  }

  function append(part: Uint8Array): void {
    if (part.length === 0) return;
    if (dropped > 0 || buffered + part.length > maxFrameBytes) {
      dropped += buffered + part.length;
      parts = [];
      buffered = 0;
      return;
    }
    // The stream may reuse the chunk's memory: keep a copy.
    parts.push(part.slice());
    buffered += part.length;
  }

  for await (const raw of input) {
    const chunk = typeof raw === "string" ? Buffer.from(raw, "utf8") : raw;
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) {
        append(chunk.subarray(start));
        break;
      }
      append(chunk.subarray(start, newline));
      yield* endFrame();
      start = newline + 1;
    }
  }
  // A last message without its newline is still a message; be lenient.
  yield* endFrame();
}
