// What the bridge relies on in the runtime's pipes: every chunk read from a child's stdout is a
// buffer of its own. The line reader keeps chunks without copying them (src/bridge/line-reader.ts);
// if a runtime upgrade starts reusing read buffers, this fails before any message is corrupted.
import { expect, test } from "bun:test";

test("chunks read from Bun.spawn stdout are never overwritten by later reads", async () => {
  const letters = 40;
  const script = `for (let i = 0; i < ${letters}; i++) process.stdout.write(String.fromCharCode(65 + (i % 26)).repeat(65536));`;
  const child = Bun.spawn(["node", "-e", script], { stdout: "pipe" });
  const kept: Uint8Array[] = [];
  const copies: Uint8Array[] = [];
  for await (const chunk of child.stdout) {
    kept.push(chunk);
    copies.push(chunk.slice());
  }
  expect(await child.exited).toBe(0);
  expect(kept.length).toBeGreaterThan(1);
  const total = kept.reduce((sum, c) => sum + c.length, 0);
  expect(total).toBe(letters * 65536);
  for (const [i, chunk] of kept.entries()) expect(Buffer.from(chunk).equals(Buffer.from(copies[i]!))).toBe(true);
});
