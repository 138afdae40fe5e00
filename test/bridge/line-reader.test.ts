// The child's stdout split into messages: lines across chunks, CRLF, blank lines, multi-byte
// characters cut between reads, and the cap on a line's length.
import { describe, expect, test } from "bun:test";
import { BoundedLineReader } from "../../src/bridge/line-reader.ts";

function collect(maxLineBytes: number) {
  const lines: string[] = [];
  const oversized: { length: number; head: string; tail: string }[] = [];
  const reader = new BoundedLineReader(maxLineBytes, {
    line: (text) => lines.push(text),
    oversized: (length, head, tail) => oversized.push({ length, head, tail }),
  });
  return { reader, lines, oversized };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe("BoundedLineReader", () => {
  test("splits lines inside one chunk and joins a line spread over several", () => {
    const { reader, lines } = collect(1024);
    reader.push(bytes('{"a":1}\n{"b":'));
    reader.push(bytes("2"));
    reader.push(bytes('}\n{"c":3}'));
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    reader.push(bytes("\n"));
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  test("drops CR of CRLF and skips blank lines", () => {
    const { reader, lines } = collect(1024);
    reader.push(bytes('{"a":1}\r\n\n   \n\t\r\n{"b":2}\n'));
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
  });

  test("a multi-byte character cut between two reads arrives whole", () => {
    const { reader, lines } = collect(1024);
    const line = bytes('{"t":"é😀"}\n');
    for (let cut = 1; cut < line.length - 1; cut++) {
      reader.push(line.slice(0, cut));
      reader.push(line.slice(cut));
    }
    expect(new Set(lines)).toEqual(new Set(['{"t":"é😀"}']));
    expect(lines).toHaveLength(line.length - 2);
  });

  test("keeps earlier chunks intact when the same input buffer is not reused", () => {
    const { reader, lines } = collect(1 << 20);
    const parts = ["x".repeat(70_000), "y".repeat(70_000), "z".repeat(10)];
    for (const p of parts) reader.push(bytes(p));
    reader.push(bytes("\n"));
    expect(lines).toEqual([parts.join("")]);
  });

  test("a line over the cap is reported with its length, head and tail, and the next line is read", () => {
    const { reader, lines, oversized } = collect(1000);
    reader.push(bytes(`{"id":7,"pad":"${"p".repeat(600)}`));
    reader.push(bytes(`${"q".repeat(600)}","end":true}`));
    reader.push(bytes('\n{"ok":1}\n'));
    expect(lines).toEqual(['{"ok":1}']);
    expect(oversized).toHaveLength(1);
    const [o] = oversized;
    expect(o!.length).toBe(15 + 600 + 600 + 13);
    expect(o!.head.startsWith('{"id":7,"pad":"ppp')).toBe(true);
    expect(o!.head.length).toBe(256);
    expect(o!.tail.endsWith('qqq","end":true}')).toBe(true);
    expect(o!.tail.length).toBe(256);
  });

  test("a line exactly at the cap is delivered", () => {
    const { reader, lines, oversized } = collect(10);
    reader.push(bytes("0123456789\n01234567890\n"));
    expect(lines).toEqual(["0123456789"]);
    expect(oversized.map((o) => o.length)).toEqual([11]);
  });
});
