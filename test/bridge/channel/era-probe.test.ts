// The era of a child learnt at spawn (channel/era-probe.ts) and a shared child that speaks
// 2026-07-28 itself (shared-child.ts with modern-child.ts), with scripted fake children: the
// sibling probe and its verdicts, the verdict kept per server, protocol = "2025" / "2026", and the
// routing of 2026 and 2025 requesters on a 2026 child.
import { describe, expect, test } from "bun:test";
import type { ChildSpawner } from "../../../src/bridge/channel/child-channel.ts";
import { EraProbe } from "../../../src/bridge/channel/era-probe.ts";
import { SharedChild } from "../../../src/bridge/channel/shared-child.ts";
import type { ChildEvents } from "../../../src/bridge/child.ts";
import type { StdioServerConfig } from "../../../src/config/types.ts";
import { createLogger } from "../../../src/log.ts";
import { FakeChild, initializingScript, type Message, notification, RecordingListener, request, settled } from "./fake-child.ts";

const log = createLogger("error", { write: () => {} });
const SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId";
const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientCapabilities": {},
};

type Script = (message: Message, child: FakeChild) => void;

/** A 2026-07-28 server: server/discover, and a tool that answers or asks for input. */
const modernScript: Script = (message, child) => {
  if (message.method === "server/discover") {
    child.write({
      id: message.id,
      result: {
        resultType: "complete",
        supportedVersions: ["2026-07-28"],
        capabilities: { tools: { listChanged: true }, resources: { subscribe: true, listChanged: true }, logging: {} },
        _meta: { "io.modelcontextprotocol/serverInfo": { name: "modern", version: "2" } },
        instructions: "be kind",
      },
    });
  }
  if (message.method === "tools/call" && message.params?.name === "ask") {
    const answer = (message.params.inputResponses as Record<string, { content?: { name?: string } }> | undefined)?.who;
    child.write({
      id: message.id,
      result: answer
        ? { resultType: "complete", content: [{ type: "text", text: `hi ${answer.content?.name} (${message.params.requestState})` }] }
        : {
            resultType: "input_required",
            inputRequests: { who: { method: "elicitation/create", params: { message: "Who?" } } },
            requestState: "child-state",
          },
    });
  } else if (message.method === "tools/call") {
    child.write({ id: message.id, result: { resultType: "complete", content: [] } });
  }
};

/** Each spawn makes a fake child running the next script; made[i] is the i-th spawned. */
function spawner(...scripts: Script[]) {
  const made: FakeChild[] = [];
  const spawn: ChildSpawner = (events: ChildEvents) => {
    const child = new FakeChild();
    child.script = scripts[made.length] ?? (() => {});
    made.push(child);
    return child.spawner(events);
  };
  return { made, spawn };
}

function server(protocol: StdioServerConfig["protocol"]) {
  return { name: "fake", protocol };
}

/** Resolves once `check` holds, re-checked after each turn of the event loop. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await settled();
}

describe("the era probe", () => {
  test("auto: a sibling's DiscoverResult makes a 2026 child, which is opened with server/discover; the verdict is kept", async () => {
    const { made, spawn } = spawner(modernScript, modernScript, modernScript);
    const probe = new EraProbe(server("auto"), log);
    const shared = new SharedChild("fake", log, probe.spawner(spawn));
    const listener = new RecordingListener();
    const channel = shared.attach(listener);
    channel.send(request(1, "tools/call", { name: "echo", _meta: ENVELOPE }));
    await until(() => listener.lines.length > 0);
    const [main, sibling] = made;
    expect(sibling!.sent("server/discover")).toHaveLength(1);
    expect(sibling!.stopped).toBe(true);
    expect(main!.received.map((m) => m.method)).toEqual(["server/discover", "tools/call"]);
    expect(main!.sent("initialize")).toHaveLength(0);
    // The discover opening carries the full 2026-07-28 envelope (basic/index §_meta).
    const meta = main!.sent("server/discover")[0]!.params!._meta as Record<string, unknown>;
    expect(Object.keys(meta).sort()).toEqual([
      "io.modelcontextprotocol/clientCapabilities",
      "io.modelcontextprotocol/clientInfo",
      "io.modelcontextprotocol/protocolVersion",
    ]);
    // The request passed as written, but its id; the answer came back with the requester's.
    expect(main!.sent("tools/call")[0]!.params).toEqual({ name: "echo", _meta: ENVELOPE });
    expect(listener.messages[0]).toEqual({ jsonrpc: "2.0", id: 1, result: { resultType: "complete", content: [] } });
    expect(channel.modern).toBe(true);
    // The next child of the server skips the sibling.
    const again = new SharedChild("fake", log, probe.spawner(spawn));
    again.attach(new RecordingListener()).send(request(1, "tools/list", { _meta: ENVELOPE }));
    await settled();
    expect(made).toHaveLength(3);
    expect(made[2]!.received.map((m) => m.method)).toEqual(["server/discover", "tools/list"]);
  });

  for (const [how, sibling] of [
    [
      "an error",
      (m: Message, c: FakeChild) => m.method === "server/discover" && c.write({ id: m.id, error: { code: -32601, message: "nope" } }),
    ],
    ["an exit", (m: Message, c: FakeChild) => m.method === "server/discover" && c.exit(1)],
    [
      "a result without 2026-07-28",
      (m: Message, c: FakeChild) => m.method === "server/discover" && c.write({ id: m.id, result: { supportedVersions: ["2025-11-25"] } }),
    ],
  ] as const) {
    test(`auto: ${how} of the sibling makes a 2025 child, opened with initialize; the verdict is kept`, async () => {
      const { made, spawn } = spawner(initializingScript(), sibling, initializingScript());
      const probe = new EraProbe(server("auto"), log);
      const shared = new SharedChild("fake", log, probe.spawner(spawn));
      const listener = new RecordingListener();
      const channel = shared.attach(listener);
      channel.send(request(7, "initialize", { protocolVersion: "2025-11-25", capabilities: {} }));
      await until(() => listener.lines.length > 0);
      expect(made[0]!.received.map((m) => m.method)).toEqual(["initialize", "notifications/initialized"]);
      expect(listener.messages[0]!.id).toBe(7);
      expect(channel.modern).toBe(false);
      new SharedChild("fake", log, probe.spawner(spawn)).attach(new RecordingListener());
      expect(made).toHaveLength(3);
    });
  }

  test("auto: silence of the sibling for the probe's time makes a 2025 child", async () => {
    const { made, spawn } = spawner(initializingScript());
    const shared = new SharedChild("fake", log, new EraProbe(server("auto"), log, { timeoutMs: 20 }).spawner(spawn));
    const listener = new RecordingListener();
    shared.attach(listener).send(request(1, "initialize", { protocolVersion: "2025-11-25", capabilities: {} }));
    await until(() => listener.lines.length > 0);
    expect(made[1]!.stopped).toBe(true);
    expect(listener.messages[0]!.result).toBeDefined();
  });

  test('"2025" never probes; "2026" opens with server/discover and stops a child that does not answer it as a 2026 server', async () => {
    const legacy = spawner(initializingScript());
    new SharedChild("fake", log, new EraProbe(server("2025"), log).spawner(legacy.spawn)).attach(new RecordingListener());
    expect(legacy.made).toHaveLength(1);
    expect(legacy.made[0]!.received).toEqual([]);

    const modern = spawner((m, c) => m.method === "server/discover" && c.write({ id: m.id, error: { code: -32601, message: "no" } }));
    new SharedChild("fake", log, new EraProbe(server("2026"), log).spawner(modern.spawn)).attach(new RecordingListener());
    await until(() => modern.made[0]!.stopped);
    expect(modern.made).toHaveLength(1);
    expect(modern.made[0]!.sent("initialize")).toHaveLength(0);
  });
});

describe("a shared 2026 child", () => {
  async function modernChild() {
    const { made, spawn } = spawner(modernScript);
    const shared = new SharedChild("fake", log, new EraProbe(server("2026"), log).spawner(spawn));
    await settled();
    return { child: made[0]!, shared };
  }

  test("a 2025 session: initialize from the DiscoverResult, requests with the envelope it declared", async () => {
    const { child, shared } = await modernChild();
    const listener = new RecordingListener();
    const channel = shared.attach(listener);
    const clientInfo = { name: "old", version: "1" };
    channel.send(request(1, "initialize", { protocolVersion: "2025-06-18", capabilities: { roots: {} }, clientInfo }));
    channel.send(notification("notifications/initialized"));
    channel.send(request(2, "logging/setLevel", { level: "info" }));
    channel.send(request(3, "ping"));
    await settled();
    expect(listener.messages.slice(0, 3)).toEqual([
      {
        jsonrpc: "2.0",
        id: 1,
        result: {
          protocolVersion: "2025-06-18",
          capabilities: { tools: { listChanged: true }, resources: { subscribe: true, listChanged: true }, logging: {} },
          serverInfo: { name: "modern", version: "2" },
          instructions: "be kind",
        },
      },
      { jsonrpc: "2.0", id: 2, result: {} },
      { jsonrpc: "2.0", id: 3, result: {} },
    ]);
    // The first 2025 session: the appliance listens for the change notifications of 2025 sessions.
    expect(child.received.map((m) => m.method)).toEqual(["server/discover", "subscriptions/listen"]);
    channel.send(request(4, "tools/call", { name: "echo" }));
    channel.send(request(5, "tools/call", { name: "ask", _meta: { progressToken: "p" } }));
    await settled();
    const sent = child.sent("tools/call");
    expect(sent[0]!.params!._meta).toEqual({
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientCapabilities": { roots: {} },
      "io.modelcontextprotocol/clientInfo": clientInfo,
      "io.modelcontextprotocol/logLevel": "info",
    });
    expect((sent[1]!.params!._meta as Record<string, unknown>).progressToken).toBe(sent[1]!.id);
    expect(listener.messages[3]).toEqual({ jsonrpc: "2.0", id: 4, result: { resultType: "complete", content: [] } });
    // The child's input_required result became a request of the appliance to the session, about request 5.
    expect(listener.messages[4]).toEqual({
      jsonrpc: "2.0",
      id: "mcp-appliance-input-1",
      method: "elicitation/create",
      params: { message: "Who?" },
    });
    expect(listener.related[4]).toBe(5);
    channel.send(JSON.stringify({ jsonrpc: "2.0", id: "mcp-appliance-input-1", result: { action: "accept", content: { name: "Ada" } } }));
    await settled();
    const retry = child.sent("tools/call")[2]!;
    expect(retry.params!.inputResponses).toEqual({ who: { action: "accept", content: { name: "Ada" } } });
    expect(retry.params!.requestState).toBe("child-state");
    expect((retry.params!._meta as Record<string, unknown>).progressToken).toBe(retry.id);
    expect(listener.messages[5]).toEqual({
      jsonrpc: "2.0",
      id: 5,
      result: { resultType: "complete", content: [{ type: "text", text: "hi Ada (child-state)" }] },
    });
  });

  test("a 2025 session that refuses the input ends the relayed request; only it may answer", async () => {
    const { child, shared } = await modernChild();
    const listener = new RecordingListener();
    const channel = shared.attach(listener);
    channel.send(request(1, "initialize", { protocolVersion: "2025-11-25", capabilities: { elicitation: {} } }));
    channel.send(request(2, "tools/call", { name: "ask" }));
    await settled();
    const asked = listener.messages.find((m) => m.method === "elicitation/create")!;
    // Only the session asked may answer: another's answer is dropped.
    const other = shared.attach(new RecordingListener());
    other.send(JSON.stringify({ jsonrpc: "2.0", id: asked.id, result: { action: "accept", content: { name: "Eve" } } }));
    channel.send(JSON.stringify({ jsonrpc: "2.0", id: asked.id, error: { code: -1, message: "declined" } }));
    await settled();
    expect(child.sent("tools/call")).toHaveLength(1);
    expect(listener.messages.at(-1)!.id).toBe(2);
    expect((listener.messages.at(-1)!.error as { message: string }).message).toContain("declined");
  });

  test("a 2025 session that cancels a request waiting for its input: the answers that still come do not send it again", async () => {
    const { child, shared } = await modernChild();
    const listener = new RecordingListener();
    const channel = shared.attach(listener);
    channel.send(request(1, "initialize", { protocolVersion: "2025-11-25", capabilities: { elicitation: {} } }));
    channel.send(request(2, "tools/call", { name: "ask" }));
    await settled();
    const asked = listener.messages.find((m) => m.method === "elicitation/create")!;
    channel.send(notification("notifications/cancelled", { requestId: 2 }));
    channel.send(JSON.stringify({ jsonrpc: "2.0", id: asked.id, result: { action: "accept", content: { name: "Ada" } } }));
    await settled();
    expect(child.sent("tools/call")).toHaveLength(1);
    expect(child.sent("notifications/cancelled")).toHaveLength(0);
  });

  test("2025 sessions' subscriptions: one listen of the appliance's own, opened again as the URIs change", async () => {
    const { child, shared } = await modernChild();
    const [a, b, listen] = [new RecordingListener(), new RecordingListener(), new RecordingListener()];
    Object.assign(listen, { perRequest: true });
    const ca = shared.attach(a);
    const cb = shared.attach(b);
    shared.attach(listen).send(request(0, "initialize", { protocolVersion: "2025-11-25", capabilities: {} }));
    ca.send(request(1, "initialize", { protocolVersion: "2025-11-25", capabilities: {} }));
    cb.send(request(1, "initialize", { protocolVersion: "2025-11-25", capabilities: {} }));
    ca.send(request(2, "resources/subscribe", { uri: "test://x" }));
    cb.send(request(2, "resources/subscribe", { uri: "test://x" }));
    await settled();
    const listens = child.sent("subscriptions/listen");
    expect(listens.map((m) => m.params!.notifications)).toEqual([
      { toolsListChanged: true, promptsListChanged: true, resourcesListChanged: true },
      { toolsListChanged: true, promptsListChanged: true, resourcesListChanged: true, resourceSubscriptions: ["test://x"] },
    ]);
    expect(child.sent("notifications/cancelled").map((m) => m.params!.requestId)).toEqual([listens[0]!.id]);
    expect(a.messages.at(-1)).toEqual({ jsonrpc: "2.0", id: 2, result: {} });
    for (const r of [a, b, listen]) r.lines.length = 0;
    const current = listens[1]!.id as number;
    child.write(notification("notifications/resources/updated", { uri: "test://x", _meta: { [SUBSCRIPTION_ID]: current } }));
    child.write(notification("notifications/tools/list_changed", { _meta: { [SUBSCRIPTION_ID]: current } }));
    // The old listen's late notification is dropped.
    child.write(notification("notifications/tools/list_changed", { _meta: { [SUBSCRIPTION_ID]: listens[0]!.id } }));
    expect(a.messages.map((m) => m.method)).toEqual(["notifications/resources/updated", "notifications/tools/list_changed"]);
    expect(b.messages.map((m) => m.method)).toEqual(["notifications/resources/updated", "notifications/tools/list_changed"]);
    expect(listen.lines).toEqual([]);
    // One goes: the URI still has a subscriber. The other goes: no 2025 session is left, the listen ends.
    await ca.stop();
    expect(child.sent("subscriptions/listen")).toHaveLength(2);
    await cb.stop();
    expect(child.sent("notifications/cancelled").map((m) => m.params!.requestId)).toEqual([listens[0]!.id, current]);
  });

  test("a 2026 requester: initialize is the DiscoverResult; a listen stream's notifications carry its own id", async () => {
    const { child, shared } = await modernChild();
    const listen = new RecordingListener();
    Object.assign(listen, { perRequest: true });
    const other = new RecordingListener();
    shared.attach(other);
    const channel = shared.attach(listen);
    channel.send(request(0, "initialize", { protocolVersion: "2025-11-25", capabilities: {} }));
    channel.send(request("L", "subscriptions/listen", { notifications: { toolsListChanged: true }, _meta: ENVELOPE }));
    await settled();
    expect((listen.messages[0]!.result as { supportedVersions: string[] }).supportedVersions).toEqual(["2026-07-28"]);
    const childId = child.sent("subscriptions/listen")[0]!.id as number;
    child.write(notification("notifications/tools/list_changed", { _meta: { [SUBSCRIPTION_ID]: childId } }));
    expect(listen.messages[1]).toEqual({
      jsonrpc: "2.0",
      method: "notifications/tools/list_changed",
      params: { _meta: { [SUBSCRIPTION_ID]: "L" } },
    });
    expect(other.lines).toEqual([]);
  });

  test("messages sent while the era is being learnt wait for it; an exit meanwhile reaches the requesters", async () => {
    const { made, spawn } = spawner(
      () => {},
      () => {},
    );
    const shared = new SharedChild("fake", log, new EraProbe(server("auto"), log).spawner(spawn));
    const listener = new RecordingListener();
    shared.attach(listener).send(request(1, "initialize", { protocolVersion: "2025-11-25", capabilities: {} }));
    await settled();
    expect(made[0]!.received).toEqual([]);
    made[0]!.exit(3);
    expect(listener.exited).toEqual({ code: 3, signal: null });
    made[1]!.exit(0);
  });
});
