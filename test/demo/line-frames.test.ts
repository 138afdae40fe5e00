// Framing of the stdio transport: one message per newline, CRLF tolerated, a capped frame size.

import { describe, expect, test } from "bun:test";
import { readFrames } from "../../src/demo/line-frames.ts";

async function frames(chunks: string[], max = 16): Promise<(string | number)[]> {
  async function* input() {
    for (const chunk of chunks) yield new TextEncoder().encode(chunk);
  }
  const out: (string | number)[] = [];
  for await (const frame of readFrames(input(), max)) {
    out.push("bytes" in frame ? new TextDecoder().decode(frame.bytes) : frame.oversized);
  }
  return out;
}

describe("readFrames", () => {
  test("splits on newlines across chunk boundaries", async () => {
    expect(await frames(["a\nb", "c\n", "d\ne\n"])).toEqual(["a", "bc", "d", "e"]);
  });

  test("drops a trailing CR and skips empty lines", async () => {
    expect(await frames(["a\r\n\n\r\nb\n"])).toEqual(["a", "b"]);
  });

  test("a last line without newline still counts", async () => {
    expect(await frames(["a\nlast"])).toEqual(["a", "last"]);
  });

  test("an oversized frame is reported with its size and the next frame is intact", async () => {
    expect(await frames(["0123456789", "0123456789", "01\nok\n"])).toEqual([22, "ok"]);
  });

  test("a frame of exactly the cap is kept", async () => {
    expect(await frames(["x".repeat(16), "\n"])).toEqual(["x".repeat(16)]);
  });
});
