// Server messages kept for the next GET stream: bounded by count and bytes, oldest dropped
// first, the newest always kept, and one report per flood.
import { describe, expect, test } from "bun:test";
import { GetStreamBacklog } from "../../src/bridge/get-stream-backlog.ts";

describe("GetStreamBacklog", () => {
  test("keeps at most maxMessages, dropping the oldest, and tells the first drop once", () => {
    let told = 0;
    const backlog = new GetStreamBacklog(3, 1 << 20, () => told++);
    for (let i = 1; i <= 10; i++) backlog.push(`m${i}`);
    expect(told).toBe(1);
    expect(backlog.take()).toEqual({ lines: ["m8", "m9", "m10"], dropped: 7 });
    // Taken: empty, and a new flood is told again.
    expect(backlog.take()).toEqual({ lines: [], dropped: 0 });
    for (let i = 1; i <= 5; i++) backlog.push(`n${i}`);
    expect(told).toBe(2);
    expect(backlog.take().dropped).toBe(2);
  });

  test("keeps at most maxBytes, but never drops the newest message", () => {
    const backlog = new GetStreamBacklog(100, 10, () => {});
    backlog.push("aaaa");
    backlog.push("bbbb");
    backlog.push("cccc");
    expect(backlog.take()).toEqual({ lines: ["bbbb", "cccc"], dropped: 1 });
    backlog.push("x".repeat(50));
    expect(backlog.take()).toEqual({ lines: ["x".repeat(50)], dropped: 0 });
  });
});
