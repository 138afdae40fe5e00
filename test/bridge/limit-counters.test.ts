// The counters behind [limits] max_streams_per_session and (for legacy SSE sessions)
// max_requests_per_session, on their own; their HTTP answers are in test/reliability/limits.test.ts.
import { describe, expect, test } from "bun:test";
import { PendingRequests } from "../../src/bridge/pending-requests.ts";
import { SseConnection } from "../../src/bridge/sse.ts";
import { StreamSlots } from "../../src/bridge/stream-slots.ts";

describe("StreamSlots", () => {
  test("a slot is held while its connection is open, and freed when it closes", () => {
    const slots = new StreamSlots(2);
    const [a, b, c] = [1, 2, 3].map(() => new SseConnection(1024));
    expect(slots.claim(a!)).toBe(true);
    expect(slots.claim(b!)).toBe(true);
    expect(slots.full).toBe(true);
    expect(slots.claim(c!)).toBe(false);
    a!.close();
    expect(slots.full).toBe(false);
    expect(slots.claim(c!)).toBe(true);
  });

  test("a connection already closed frees its slot at once", () => {
    const slots = new StreamSlots(1);
    const closed = new SseConnection(1024);
    closed.close();
    expect(slots.claim(closed)).toBe(true);
    expect(slots.full).toBe(false);
  });
});

describe("PendingRequests", () => {
  test('ids count until answered, cancelled or past their deadline; 1 and "1" are different ids', () => {
    const pending = new PendingRequests();
    pending.add(1, 1000);
    pending.add("1", 5000);
    expect(pending.size).toBe(2);
    expect(pending.settle(1)).toBe(true);
    expect(pending.settle(1)).toBe(false);
    expect(pending.size).toBe(1);
    expect(pending.expire(4999)).toEqual([]);
    expect(pending.size).toBe(1);
    expect(pending.expire(5000)).toEqual(["1"]);
    expect(pending.size).toBe(0);
    expect(pending.settle("1")).toBe(false);
  });
});
