// A Streamable HTTP session over a scripted channel: a cancelled request's POST ends without an
// answer, and a stream resumed after its events were evicted gets an error for each lost answer.
import { describe, expect, test } from "bun:test";
import type { ChildChannel } from "../../src/bridge/channel/child-channel.ts";
import { peek } from "../../src/bridge/jsonrpc.ts";
import { type IncomingMessage, Session } from "../../src/bridge/session.ts";
import { SESSION_LIMITS } from "../../src/bridge/session-limits.ts";
import { defaultLimitsConfig } from "../../src/config/limits.ts";
import { createLogger } from "../../src/log.ts";
import { stdioServer } from "../helpers/appliance.ts";

const logs: string[] = [];
const log = createLogger("debug", { write: (line: string) => void logs.push(line) });

class ScriptedChannel implements ChildChannel {
  readonly lines: string[] = [];
  send(line: string): boolean {
    this.lines.push(line);
    return true;
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

function incoming(message: Record<string, unknown>): IncomingMessage {
  const text = JSON.stringify({ jsonrpc: "2.0", ...message });
  const peeked = peek(text);
  if (!peeked.ok) throw new Error(peeked.error);
  return { text, message: peeked.value };
}

function newSession() {
  const channel = new ScriptedChannel();
  const session = new Session("s1", stdioServer("t", "behaviour-server.mjs"), defaultLimitsConfig(), channel, log, () => {});
  return { channel, session };
}

/** The JSON-RPC messages of an SSE body. */
function messagesOf(body: string): Record<string, unknown>[] {
  return body
    .split("\n")
    .filter((line) => line.startsWith("data: {"))
    .map((line) => JSON.parse(line.slice(6)));
}

describe("a session's answers", () => {
  test("after notifications/cancelled the POST ends without a JSON-RPC answer", async () => {
    const { channel, session } = newSession();
    const response = session.post([incoming({ id: 7, method: "tools/call", params: {} })], "2025-11-25");
    session.post([incoming({ method: "notifications/cancelled", params: { requestId: 7 } })], "2025-11-25");
    const ended = await response;
    expect(ended.headers.get("content-type")).toStartWith("text/event-stream");
    expect(messagesOf(await ended.text())).toEqual([]);
    expect(channel.lines.map((l) => JSON.parse(l).method)).toEqual(["tools/call", "notifications/cancelled"]);
    // The child's late answer reaches no one.
    session.fromChild(JSON.stringify({ jsonrpc: "2.0", id: 7, result: {} }));
    expect(session.busy).toBe(false);
  });

  test("a cancel in a batch leaves the other answers to come as one array", async () => {
    const { session } = newSession();
    const response = session.post(
      [incoming({ id: 1, method: "ping" }), incoming({ id: 2, method: "ping" })],
      "2025-03-26",
    ) as Promise<Response>;
    session.post([incoming({ method: "notifications/cancelled", params: { requestId: 2 } })], "2025-03-26");
    session.fromChild(JSON.stringify({ jsonrpc: "2.0", id: 1, result: {} }));
    expect(await (await response).json()).toEqual([{ jsonrpc: "2.0", id: 1, result: {} }]);
  });

  test("a stream resumed after its answer was evicted from the replay buffer gets an error for it, and it is logged", async () => {
    const { session } = newSession();
    const response = session.post([incoming({ id: "call", method: "tools/call", params: { _meta: { progressToken: 1 } } })], "2025-11-25");
    // Progress first makes the POST a stream (event p1.1); the answer is event p1.2.
    session.fromChild(JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: 1, progress: 1 } }));
    session.fromChild(JSON.stringify({ jsonrpc: "2.0", id: "call", result: { ok: true } }));
    const first = await response;
    expect(messagesOf(await first.text()).at(-1)).toMatchObject({ id: "call", result: { ok: true } });

    // The GET stream's events push the POST stream's out of the replay buffer.
    const get = session.openStream(undefined, "2025-11-25");
    for (let i = 0; i <= SESSION_LIMITS.eventLogEvents; i++) {
      session.fromChild(JSON.stringify({ jsonrpc: "2.0", method: "notifications/message", params: { level: "info", data: i } }));
    }
    void get.body?.cancel();

    const resumed = session.openStream("p1.1", "2025-11-25");
    expect(messagesOf(await resumed.text())).toEqual([{ jsonrpc: "2.0", id: "call", error: expect.objectContaining({ code: -32004 }) }]);
    expect(logs.some((l) => l.includes('"lostAnswers":1'))).toBe(true);
    await session.close("test over");
  });

  test("a resume with nothing evicted replays what was missed, and no error", async () => {
    const { session } = newSession();
    const response = session.post([incoming({ id: 3, method: "tools/call", params: { _meta: { progressToken: 1 } } })], "2025-11-25");
    session.fromChild(JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: 1, progress: 1 } }));
    session.fromChild(JSON.stringify({ jsonrpc: "2.0", id: 3, result: {} }));
    await (await response).text();
    const resumed = session.openStream("p1.1", "2025-11-25");
    expect(messagesOf(await resumed.text())).toEqual([{ jsonrpc: "2.0", id: 3, result: {} }]);
    // Once nothing of the ended stream is left to send, 204 tells the client to stop coming back.
    expect(session.openStream("p1.2", "2025-11-25").status).toBe(204);
    await session.close("test over");
  });
});
