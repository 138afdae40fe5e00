// The three sharing modes through the real appliance with the official SDK client: one child
// for everyone (shared), one per client (client), one per session (session).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { eventually, startTestAppliance, type TestAppliance } from "../helpers/appliance.ts";
import { alive } from "../helpers/machine.ts";
import { sha256Hex } from "../helpers/oauth-http.ts";
import { type Connected, callText, connectClient, processesWith, sharingServer } from "./sharing-helpers.ts";

const ALPHA = `static_${randomBytes(24).toString("base64url")}`;
const BETA = `static_${randomBytes(24).toString("base64url")}`;
const shared = sharingServer("everyone", "shared");
const perClient = sharingServer("perclient", "client", { idleTimeoutMs: 200 });
const own = sharingServer("own", "session");
const SERVERS = ["everyone", "perclient", "own"];

let appliance: TestAppliance;
const open: Connected[] = [];

beforeAll(async () => {
  appliance = await startTestAppliance([shared.config, perClient.config, own.config], {
    auth: "oauth",
    limitsOverrides: { maxSessionsPerClient: 32 },
    oauthOverrides: {
      staticTokens: [
        { name: "alpha", tokenSha256: sha256Hex(ALPHA), servers: SERVERS },
        { name: "beta", tokenSha256: sha256Hex(BETA), servers: SERVERS },
      ],
    },
  });
});
afterAll(async () => {
  for (const c of open.splice(0)) await c.close().catch(() => {});
  await appliance.stop();
});

async function connect(
  server: string,
  capabilities: Record<string, unknown> = {},
  token = ALPHA,
  kind: "streamable" | "sse" = "streamable",
) {
  const url = kind === "sse" ? new URL(`/${server}/sse`, appliance.url) : appliance.mcpUrl(server);
  const connected = await connectClient(url, token, capabilities, kind);
  open.push(connected);
  return connected;
}

async function closeAll(): Promise<void> {
  for (const c of open.splice(0)) await c.close();
}

describe('sharing = "shared"', () => {
  test("N sessions, one child process, initialized once", async () => {
    const sessions = await Promise.all([1, 2, 3, 4, 5].map(() => connect("everyone")));
    const pids = await Promise.all(sessions.map((s) => callText(s.client, "pid")));
    expect(new Set(pids).size).toBe(1);
    expect(processesWith(shared.marker)).toEqual([Number(pids[0])]);
    const counts = JSON.parse(await callText(sessions[0]!.client, "counts"));
    expect(counts).toMatchObject({ initialize: 1, initialized: 1 });
    await closeAll();
  });

  test("sessions whose ids collide each get their own answers", async () => {
    const sessions = await Promise.all([0, 1, 2, 3].map(() => connect("everyone")));
    const calls = sessions.flatMap((s, i) =>
      [0, 1, 2, 3, 4, 5].map(async (n) => {
        const text = `s${i}-n${n}`;
        return { text, got: await callText(s.client, "echo", { text, delayMs: ((i + n) % 3) * 5 }) };
      }),
    );
    for (const { text, got } of await Promise.all(calls)) expect(got).toBe(text);
    for (const s of sessions) expect(s.errors).toEqual([]);
    await closeAll();
  });

  test("sampling and elicitation requests of the child reach the session that asked", async () => {
    const a = await connect("everyone", { sampling: {}, elicitation: {} });
    const b = await connect("everyone", { sampling: {}, elicitation: {} });
    for (const [name, s] of [["a", a] as const, ["b", b] as const]) {
      s.client.setRequestHandler(CreateMessageRequestSchema, async (r) => ({
        model: "m",
        role: "assistant",
        content: { type: "text", text: `${name} answers ${(r.params.messages[0]!.content as { text: string }).text}` },
      }));
      s.client.setRequestHandler(ElicitRequestSchema, async (r) => ({
        action: "accept",
        content: { name: `${name} on ${r.params.message}` },
      }));
    }
    const results = await Promise.all([
      callText(a.client, "sample", { prompt: "p1" }),
      callText(b.client, "sample", { prompt: "p2" }),
      callText(a.client, "elicit", { prompt: "e1" }),
      callText(b.client, "elicit", { prompt: "e2" }),
    ]);
    expect(results).toEqual(["a answers p1", "b answers p2", "a on e1", "b on e2"]);
  });

  test("a request for a capability the session's client lacks gets an error, not a hang", async () => {
    const plain = await connect("everyone");
    expect(await callText(plain.client, "sample", { prompt: "x" })).toMatch(/^error: .*sampling capability/);
    await closeAll();
  });

  test("a session's cancel cancels its own request only, and its POST ends without an answer", async () => {
    const a = await connect("everyone");
    const b = await connect("everyone");
    const before = JSON.parse(await callText(a.client, "counts")).cancelled.length;
    await callText(b.client, "counts"); // b's ids now collide with a's
    const abort = new AbortController();
    const cancelled = a.client.callTool({ name: "progress", arguments: { text: "a", steps: 1000, delayMs: 5 } }, undefined, {
      signal: abort.signal,
      onprogress: () => abort.abort("enough"),
    });
    const survivor = b.client.callTool({ name: "progress", arguments: { text: "b", steps: 5, delayMs: 5 } }, undefined, {
      onprogress: () => {},
    });
    await expect(cancelled).rejects.toThrow();
    expect((await survivor).content).toEqual([{ type: "text", text: "b" }]);
    // The cancelled request's POST ended without a JSON-RPC answer: no "unknown message ID".
    expect(await callText(a.client, "echo", { text: "after" })).toBe("after");
    const after = JSON.parse(await callText(a.client, "counts")).cancelled;
    expect(after.length - before).toBe(1);
    // (A progress notification the child sent before it heard the cancel may still come: the
    // SDK reports that one as an unknown token, and rightly so.)
    expect(a.errors.filter((e) => !e.message.includes("unknown token"))).toEqual([]);
    expect(b.errors).toEqual([]);
    await closeAll();
  });

  test("list_changed reaches every session of the child", async () => {
    const sessions = await Promise.all([1, 2, 3].map(() => connect("everyone")));
    const heard = sessions.map(
      (s) => new Promise<void>((resolve) => s.client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve())),
    );
    await callText(sessions[0]!.client, "list_changed");
    await Promise.all(heard);
    await closeAll();
  });

  test("resources/updated reaches the subscribers of that URI only; the child is unsubscribed when the last goes", async () => {
    const [a, b, c, trigger] = await Promise.all([1, 2, 3, 4].map(() => connect("everyone")));
    const seen = new Map<Connected, string[]>();
    const marker = new Map<Connected, Promise<void>>();
    for (const s of [a!, b!, c!]) {
      seen.set(s, []);
      let markerSeen!: () => void;
      marker.set(s, new Promise((resolve) => (markerSeen = resolve)));
      s.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
        seen.get(s)!.push(n.params.uri);
        if (n.params.uri === "file:///marker") markerSeen();
      });
      await s.client.subscribeResource({ uri: "file:///marker" });
    }
    await a!.client.subscribeResource({ uri: "file:///doc" });
    await b!.client.subscribeResource({ uri: "file:///doc" });
    // Each session's GET stream carries them in the child's order: doc, then the marker.
    await callText(trigger!.client, "update", { uri: "file:///doc" });
    await callText(trigger!.client, "update", { uri: "file:///marker" });
    await Promise.all(marker.values());
    expect(seen.get(a!)).toEqual(["file:///doc", "file:///marker"]);
    expect(seen.get(b!)).toEqual(["file:///doc", "file:///marker"]);
    expect(seen.get(c!)).toEqual(["file:///marker"]);

    await a!.client.unsubscribeResource({ uri: "file:///doc" });
    let counts = JSON.parse(await callText(trigger!.client, "counts"));
    expect(counts.subscribe.filter((u: string) => u === "file:///doc")).toHaveLength(1);
    expect(counts.unsubscribe).not.toContain("file:///doc");
    await b!.close();
    open.splice(open.indexOf(b!), 1);
    counts = JSON.parse(await callText(trigger!.client, "counts"));
    expect(counts.unsubscribe).toContain("file:///doc");
    await closeAll();
  });

  test("log messages reach the sessions that set a level", async () => {
    const a = await connect("everyone");
    const heard = new Promise<unknown>((resolve) =>
      a.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => resolve(n.params.data)),
    );
    await a.client.setLoggingLevel("info");
    await callText(a.client, "log", { text: "hello" });
    expect(await heard).toBe("hello");
    await closeAll();
  });

  test("legacy HTTP+SSE sessions share the same child", async () => {
    const streamable = await connect("everyone");
    const legacy = await Promise.all([1, 2].map(() => connect("everyone", {}, ALPHA, "sse")));
    const pids = await Promise.all([streamable, ...legacy].map((s) => callText(s.client, "pid")));
    expect(new Set(pids).size).toBe(1);
    const echoes = await Promise.all(legacy.map((s, i) => callText(s.client, "echo", { text: `legacy-${i}`, delayMs: (1 - i) * 10 })));
    expect(echoes).toEqual(["legacy-0", "legacy-1"]);
    await closeAll();
  });
});

describe('sharing = "client"', () => {
  test("one child per client, shared by its sessions, reaped after idle_timeout once unused", async () => {
    const alpha = await Promise.all([1, 2].map(() => connect("perclient", {}, ALPHA)));
    const beta = await connect("perclient", {}, BETA);
    const alphaPids = await Promise.all(alpha.map((s) => callText(s.client, "pid")));
    const betaPid = await callText(beta.client, "pid");
    expect(alphaPids[0]).toBe(alphaPids[1]!);
    expect(betaPid).not.toBe(alphaPids[0]!);
    expect(processesWith(perClient.marker).sort()).toEqual([Number(alphaPids[0]), Number(betaPid)].sort());
    for (const s of alpha) await s.close();
    open.splice(0, 2);
    await eventually(() => !alive(Number(alphaPids[0])), "the unused child of alpha is reaped");
    expect(alive(Number(betaPid))).toBe(true);
    expect(await callText(beta.client, "echo", { text: "still here" })).toBe("still here");
    await closeAll();
  });
});

describe('sharing = "session"', () => {
  test("a child per session", async () => {
    const sessions = await Promise.all([1, 2, 3].map(() => connect("own")));
    const pids = await Promise.all(sessions.map((s) => callText(s.client, "pid")));
    expect(new Set(pids).size).toBe(3);
    expect(processesWith(own.marker)).toHaveLength(3);
    await closeAll();
  });
});
