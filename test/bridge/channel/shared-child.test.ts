// The channel layer with a scripted fake child: id and token rewriting, cancel isolation,
// attribution of the child's requests, initialize once, subscriptions, logging, exits.
import { describe, expect, test } from "bun:test";
import type { ChildChannel } from "../../../src/bridge/channel/child-channel.ts";
import { SharedChild } from "../../../src/bridge/channel/shared-child.ts";
import { createLogger } from "../../../src/log.ts";
import { FakeChild, initializingScript, notification, RecordingListener, request, settled } from "./fake-child.ts";

/** Where a child names the request its own request is about (shared-child.ts). */
const RELATED_REQUEST_META = "io.modelcontextprotocol/related-request-id";

// Warnings of the channel are expected in these tests; keep them off the output.
const log = createLogger("error", { write: () => {} });

function setup(version?: string) {
  const child = new FakeChild();
  child.script = initializingScript(version);
  const shared = new SharedChild("fake", log, child.spawner);
  return { child, shared };
}

async function session(shared: SharedChild, capabilities: Record<string, unknown> = {}, protocolVersion = "2025-11-25") {
  const listener = new RecordingListener();
  const channel = shared.attach(listener);
  channel.send(request(1, "initialize", { protocolVersion, capabilities, clientInfo: { name: "t", version: "1" } }));
  channel.send(notification("notifications/initialized"));
  await settled();
  listener.lines.length = 0;
  listener.related.length = 0;
  return { listener, channel };
}

const childIdOf = (child: FakeChild, method: string, nth = 0) => child.sent(method)[nth]!.id as number;

/** A requester that is between the rounds of a multi round-trip request when `waiting` is set. */
class ParkableListener extends RecordingListener {
  waiting = false;
  get awaitingInput(): boolean {
    return this.waiting;
  }
}

describe("a shared child", () => {
  test("a request waiting for its client's input is not the asker of the child's next request", async () => {
    const { child, shared } = setup();
    const parked = new ParkableListener();
    const pc = shared.attach(parked);
    pc.send(request(1, "initialize", { protocolVersion: "2025-11-25", capabilities: { elicitation: {} } }));
    const active = await session(shared, { elicitation: {} });
    await settled();
    pc.send(request(2, "tools/call", { name: "ask" }));
    active.channel.send(request(2, "tools/call", { name: "ask" }));
    // Two requests in flight, neither named: no one can be told apart, so the child hears an error.
    child.write({ id: "q1", method: "elicitation/create", params: {} });
    expect(child.received.find((m) => m.id === "q1")).toMatchObject({ error: { code: -32603 } });
    // One of them waits for its client: the other is the only one that can be asking.
    parked.waiting = true;
    child.write({ id: "q2", method: "elicitation/create", params: {} });
    expect(active.listener.messages.at(-1)).toMatchObject({ id: "q2", method: "elicitation/create" });
    expect(parked.messages.some((m) => m.id === "q2")).toBe(false);
  });

  test("is initialized once; each session gets the cached result with its own id and version", async () => {
    const { child, shared } = setup();
    const a = new RecordingListener();
    const b = new RecordingListener();
    const ca = shared.attach(a);
    const cb = shared.attach(b);
    ca.send(request(1, "initialize", { protocolVersion: "2025-11-25", capabilities: { sampling: {}, experimental: {} } }));
    cb.send(request("init", "initialize", { protocolVersion: "2025-06-18", capabilities: {} }));
    ca.send(notification("notifications/initialized"));
    cb.send(notification("notifications/initialized"));
    await settled();
    expect(child.sent("initialize")).toHaveLength(1);
    expect(child.sent("initialize")[0]!.params).toMatchObject({ capabilities: { sampling: {} }, clientInfo: { name: "mcp-appliance" } });
    expect(child.sent("initialize")[0]!.params!.capabilities).not.toHaveProperty("experimental");
    expect(child.sent("notifications/initialized")).toHaveLength(1);
    expect(a.messages).toEqual([expect.objectContaining({ id: 1, result: expect.objectContaining({ protocolVersion: "2025-11-25" }) })]);
    expect(b.messages).toEqual([
      expect.objectContaining({ id: "init", result: expect.objectContaining({ protocolVersion: "2025-06-18" }) }),
    ]);

    // A session that comes later is answered from the cache: the child hears nothing.
    const c = await session(shared, {}, "2099-01-01");
    expect(child.sent("initialize")).toHaveLength(1);
    c.channel.send(request(7, "initialize", { protocolVersion: "2099-01-01" }));
    await settled();
    expect(c.listener.messages[0]).toMatchObject({ id: 7, result: { protocolVersion: "2025-11-25" } });
  });

  test("a refused initialize reaches every waiting session, and the child is no longer usable", async () => {
    const child = new FakeChild();
    child.script = (m, c) => m.method === "initialize" && c.write({ id: m.id, error: { code: -32602, message: "nope" } });
    const shared = new SharedChild("fake", log, child.spawner);
    const a = new RecordingListener();
    shared.attach(a).send(request(3, "initialize", {}));
    await settled();
    expect(a.messages[0]).toMatchObject({ id: 3, error: { message: "nope" } });
    expect(shared.usable).toBe(false);
  });

  test("colliding ids get ids of the child's own, and each answer goes back to its requester byte for byte", async () => {
    const { child, shared } = setup();
    const a = await session(shared);
    const b = await session(shared);
    a.channel.send(request(1, "tools/call", { name: "x" }));
    b.channel.send(request(1, "tools/call", { name: "y" }));
    const [ida, idb] = child.sent("tools/call").map((m) => m.id);
    expect(ida).not.toBe(idb);
    child.write(`{"result":{"v":1.0,"s":"caf\\u00e9"},"jsonrpc":"2.0","id":${idb}}`);
    child.write(`{"jsonrpc":"2.0","id":${ida},"result":{"who":"a"}}`);
    expect(b.listener.lines).toEqual(['{"result":{"v":1.0,"s":"caf\\u00e9"},"jsonrpc":"2.0","id":1}']);
    expect(a.listener.messages).toEqual([{ jsonrpc: "2.0", id: 1, result: { who: "a" } }]);
    // A second answer under the same child id reaches no one.
    child.write({ id: ida, result: {} });
    expect(a.listener.lines).toHaveLength(1);
  });

  test("progress tokens are mapped both ways and progress reaches only its requester", async () => {
    const { child, shared } = setup();
    const a = await session(shared);
    const b = await session(shared);
    a.channel.send(request(1, "tools/call", { name: "p", _meta: { progressToken: "t" } }));
    b.channel.send(request(1, "tools/call", { name: "p", _meta: { progressToken: "t" } }));
    const [ta, tb] = child.sent("tools/call").map((m) => (m.params!._meta as { progressToken: unknown }).progressToken);
    expect(ta).not.toBe(tb);
    child.write(notification("notifications/progress", { progressToken: tb, progress: 1 }));
    expect(b.listener.messages).toEqual([expect.objectContaining({ params: { progressToken: "t", progress: 1 } })]);
    expect(b.listener.related).toEqual([1]);
    expect(a.listener.lines).toHaveLength(0);
  });

  test("a session's cancel cancels its own request only", async () => {
    const { child, shared } = setup();
    const a = await session(shared);
    const b = await session(shared);
    a.channel.send(request(5, "tools/call", {}));
    b.channel.send(request(5, "tools/call", {}));
    const [ida, idb] = child.sent("tools/call").map((m) => m.id);
    a.channel.send(notification("notifications/cancelled", { requestId: 5, reason: "user" }));
    // Nothing of a's is in flight under 9; b's 5 is not a's to cancel once a's is gone.
    a.channel.send(notification("notifications/cancelled", { requestId: 9 }));
    a.channel.send(notification("notifications/cancelled", { requestId: 5 }));
    expect(child.sent("notifications/cancelled").map((m) => m.params)).toEqual([{ requestId: ida, reason: "user" }]);
    child.write({ id: ida, result: {} });
    child.write({ id: idb, result: { ok: true } });
    expect(a.listener.lines).toHaveLength(0);
    expect(b.listener.messages).toEqual([{ jsonrpc: "2.0", id: 5, result: { ok: true } }]);
  });

  test("the child's requests go to the session whose request it handles, by _meta, progress token or as the only one", async () => {
    const { child, shared } = setup();
    const a = await session(shared, { sampling: {} });
    const b = await session(shared, { sampling: {}, elicitation: {} });
    a.channel.send(request(1, "tools/call", { _meta: { progressToken: 1 } }));
    b.channel.send(request(1, "tools/call", {}));
    const [ida, idb] = child.sent("tools/call").map((m) => m.id as number);
    child.write({ id: "s1", method: "elicitation/create", params: { _meta: { [RELATED_REQUEST_META]: idb } } });
    child.write({ id: "s2", method: "sampling/createMessage", params: { _meta: { progressToken: ida } } });
    expect(b.listener.messages).toEqual([expect.objectContaining({ id: "s1", method: "elicitation/create" })]);
    expect(b.listener.related).toEqual([1]);
    expect(a.listener.messages).toEqual([expect.objectContaining({ id: "s2", params: { _meta: { progressToken: 1 } } })]);

    // Answers go back under the child's id, from the session asked only.
    b.channel.send(JSON.stringify({ jsonrpc: "2.0", id: "s2", result: { forged: true } }));
    a.channel.send(JSON.stringify({ jsonrpc: "2.0", id: "s2", result: { ok: 1 } }));
    expect(child.received.filter((m) => m.id === "s2")).toEqual([{ jsonrpc: "2.0", id: "s2", result: { ok: 1 } }]);

    // Two requests in flight and nothing names one: an error for the child at once.
    child.write({ id: "s3", method: "roots/list" });
    expect(child.received.find((m) => m.id === "s3")).toMatchObject({ error: { code: -32603 } });

    // a's client declared no elicitation: an error, not a request its client cannot serve.
    child.write({ id: "s4", method: "elicitation/create", params: { _meta: { progressToken: ida } } });
    expect(child.received.find((m) => m.id === "s4")).toMatchObject({
      error: { code: -32021, data: { requiredCapabilities: { elicitation: {} } } },
    });

    // b's session ends with the child's s1 unanswered: the child gets an error, and b's request is cancelled.
    await b.channel.stop();
    expect(child.received.find((m) => m.id === "s1")).toMatchObject({ error: { code: -32603 } });
    expect(child.sent("notifications/cancelled").map((m) => m.params!.requestId)).toEqual([idb]);

    // Only a's request is left in flight: it is the one.
    child.write({ id: "s5", method: "sampling/createMessage", params: {} });
    expect(a.listener.messages.at(-1)).toMatchObject({ id: "s5" });
    expect(a.listener.related.at(-1)).toBe(1);
  });

  test("resource subscriptions are counted: asked once, updates to subscribers only, unsubscribed when the last goes", async () => {
    const { child, shared } = setup();
    const a = await session(shared);
    const b = await session(shared);
    const c = await session(shared);
    a.channel.send(request(1, "resources/subscribe", { uri: "file:///x" }));
    child.write({ id: childIdOf(child, "resources/subscribe"), result: {} });
    b.channel.send(request(1, "resources/subscribe", { uri: "file:///x" }));
    await settled();
    expect(child.sent("resources/subscribe")).toHaveLength(1);
    expect(a.listener.messages).toEqual([{ jsonrpc: "2.0", id: 1, result: {} }]);
    expect(b.listener.messages).toEqual([{ jsonrpc: "2.0", id: 1, result: {} }]);

    const updated = notification("notifications/resources/updated", { uri: "file:///x" });
    child.write(updated);
    expect(a.listener.lines.at(-1)).toBe(updated);
    expect(b.listener.lines.at(-1)).toBe(updated);
    expect(c.listener.lines).toHaveLength(0);

    a.channel.send(request(2, "resources/unsubscribe", { uri: "file:///x" }));
    await settled();
    expect(child.sent("resources/unsubscribe")).toHaveLength(0);
    expect(a.listener.messages.at(-1)).toEqual({ jsonrpc: "2.0", id: 2, result: {} });
    child.write(updated);
    expect(a.listener.lines.filter((l) => l === updated)).toHaveLength(1);
    expect(b.listener.lines.filter((l) => l === updated)).toHaveLength(2);

    await b.channel.stop();
    expect(child.sent("resources/unsubscribe").map((m) => m.params)).toEqual([{ uri: "file:///x" }]);
  });

  test("a subscription the child refuses is taken back", async () => {
    const { child, shared } = setup();
    const a = await session(shared);
    a.channel.send(request(1, "resources/subscribe", { uri: "file:///y" }));
    child.write({ id: childIdOf(child, "resources/subscribe"), error: { code: -32602, message: "no such resource" } });
    a.channel.send(request(2, "resources/subscribe", { uri: "file:///y" }));
    expect(child.sent("resources/subscribe")).toHaveLength(2);
  });

  test("list_changed reaches every session; log messages reach those who asked, at their level", async () => {
    const { child, shared } = setup();
    const a = await session(shared);
    const b = await session(shared);
    const c = await session(shared);
    a.channel.send(request(1, "logging/setLevel", { level: "error" }));
    b.channel.send(request(1, "logging/setLevel", { level: "debug" }));
    expect(child.sent("logging/setLevel").map((m) => m.params!.level)).toEqual(["error", "debug"]);
    for (const m of child.sent("logging/setLevel")) child.write({ id: m.id, result: {} });
    const changed = notification("notifications/tools/list_changed");
    child.write(changed);
    for (const s of [a, b, c]) expect(s.listener.lines).toContain(changed);
    const info = notification("notifications/message", { level: "info", data: "i" });
    const error = notification("notifications/message", { level: "error", data: "e" });
    child.write(info);
    child.write(error);
    expect(a.listener.lines.filter((l) => l.includes("notifications/message"))).toEqual([error]);
    expect(b.listener.lines.filter((l) => l.includes("notifications/message"))).toEqual([info, error]);
    expect(c.listener.lines.filter((l) => l.includes("notifications/message"))).toEqual([]);
  });

  test("an exit reaches every session; the child is no longer usable", async () => {
    const { child, shared } = setup();
    const a = await session(shared);
    const b = await session(shared);
    a.channel.send(request(1, "tools/call", {}));
    child.exit(3);
    expect(a.listener.exited).toEqual({ code: 3, signal: null });
    expect(b.listener.exited).toEqual({ code: 3, signal: null });
    expect(shared.usable).toBe(false);
    expect(a.channel.send(request(2, "ping"))).toBe(false);
  });

  test("an unused child is one with no session attached and nothing in flight", async () => {
    const { shared } = setup();
    const a: { channel: ChildChannel } = await session(shared);
    expect(shared.unused).toBe(false);
    await a.channel.stop();
    expect(shared.unused).toBe(true);
  });
});
