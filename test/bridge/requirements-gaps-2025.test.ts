// MUST and MUST NOT statements of MCP 2025-11-25 transports (and 2024-11-05 HTTP+SSE) that no
// other test checked through the real appliance (test/traceability/requirements/exceptions.ts
// listed them as known gaps): the Origin check on the legacy paths, one line per message on the
// child's stdin, and, in one session with a GET stream and two POST streams open at once, unique
// event ids, no response on the GET stream and no message on more than one stream.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestAppliance, type TestAppliance } from "../helpers/appliance.ts";
import { initializeRequest, RawMcpClient } from "../helpers/mcp-raw.ts";
import { sharingServer } from "./sharing-helpers.ts";

const SERVER = "gaps25";

let appliance: TestAppliance;

beforeAll(async () => {
  appliance = await startTestAppliance([sharingServer(SERVER, "session").config]);
});
afterAll(async () => {
  await appliance.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: the tests read whatever the appliance wrote, by any path
type Message = Record<string, any>;

/** One SSE event as it arrived: its id (if any) and its JSON-RPC message (if any data). */
interface Frame {
  id?: string;
  message?: Message;
}

/** An SSE body read frame by frame; every frame read is kept in `frames`. */
class FrameReader {
  readonly frames: Frame[] = [];
  private readonly reader;
  private buffered = "";

  constructor(response: Response) {
    this.reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** Reads until a frame matches, and returns it. */
  async until(matches: (frame: Frame) => boolean): Promise<Frame> {
    for (;;) {
      const end = this.buffered.indexOf("\n\n");
      if (end >= 0) {
        const lines = this.buffered.slice(0, end).split("\n");
        this.buffered = this.buffered.slice(end + 2);
        const id = lines.find((line) => line.startsWith("id: "))?.slice(4);
        const data = lines.find((line) => line.startsWith("data: ") && line.length > 6)?.slice(6);
        const frame: Frame = { ...(id !== undefined && { id }), ...(data !== undefined && { message: JSON.parse(data) }) };
        this.frames.push(frame);
        if (matches(frame)) return frame;
        continue;
      }
      const { value, done } = await this.reader.read();
      if (done) throw new Error("the stream ended");
      this.buffered += value;
    }
  }

  cancel(): Promise<void> {
    return this.reader.cancel();
  }
}

const isResponse = (m: Message | undefined) => m !== undefined && m.method === undefined && ("result" in m || "error" in m);

describe("legacy HTTP+SSE (2024-11-05): the Origin check", () => {
  test("a foreign Origin gets 403 on the SSE path and on the message path", async () => {
    const base = appliance.config.servers[0]!.ssePath;
    const stream = await fetch(new URL(base, appliance.url), { headers: { accept: "text/event-stream", origin: "https://evil.example" } });
    expect(stream.status).toBe(403);
    await stream.arrayBuffer();
    const message = await fetch(new URL(`${base}/message?sessionId=anything`, appliance.url), {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body: JSON.stringify(initializeRequest()),
    });
    expect(message.status).toBe(403);
    await message.arrayBuffer();
  });
});

describe("stdio: what the child's stdin gets", () => {
  test("a pretty-printed POST body reaches the child as one line (the child reads line by line, and answers)", async () => {
    const client = new RawMcpClient(appliance.mcpUrl(SERVER));
    await client.open();
    try {
      const body = JSON.stringify(
        { jsonrpc: "2.0", id: 41, method: "tools/call", params: { name: "echo", arguments: { text: "two\nlines\r\nand more" } } },
        null,
        2,
      );
      expect(body.split("\n").length).toBeGreaterThan(5);
      const response = await fetch(client.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-session-id": client.sessionId!,
          "mcp-protocol-version": "2025-11-25",
        },
        body,
      });
      expect(response.status).toBe(200);
      const answer = (await response.json()) as Message;
      expect(answer).toMatchObject({ id: 41, result: { content: [{ type: "text", text: "two\nlines\r\nand more" }] } });
    } finally {
      await client.close();
    }
  });
});

describe("one session, a GET stream and two POST streams at once", () => {
  const streams: { name: string; frames: Frame[] }[] = [];

  beforeAll(async () => {
    // A client that can answer elicitations: each call below then waits, deterministically, for
    // the answer to its child's question, so that both POST streams are open at once.
    const url = appliance.mcpUrl(SERVER);
    const post = (message: unknown, headers: Record<string, string> = {}) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
        body: JSON.stringify(message),
      });
    const init = initializeRequest({ id: 1 });
    const opened = await post({ ...init, params: { ...init.params, capabilities: { elicitation: {} } } });
    expect(opened.status).toBe(200);
    await opened.text();
    const session = { "mcp-session-id": opened.headers.get("mcp-session-id")!, "mcp-protocol-version": "2025-11-25" };
    expect((await post({ jsonrpc: "2.0", method: "notifications/initialized" }, session)).status).toBe(202);

    const get = new FrameReader(await fetch(url, { headers: { accept: "text/event-stream", ...session } }));
    const ask = async (prompt: string, id: number) => {
      const response = await post({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "elicit", arguments: { prompt } } }, session);
      expect(response.headers.get("content-type")).toContain("text/event-stream");
      return { prompt, id, reader: new FrameReader(response) };
    };
    const isQuestion = (prompt: string) => (f: Frame) => f.message?.method === "elicitation/create" && f.message.params.message === prompt;
    // The only request in flight: the child's question about it goes on its own stream.
    const left = await ask("left", 101);
    const leftQuestion = (await left.reader.until(isQuestion("left"))).message!;
    // Two in flight: the session cannot tell which one the question is about, so it goes on the GET stream.
    const right = await ask("right", 102);
    const rightQuestion = (await get.until(isQuestion("right"))).message!;
    // Three in flight: the child's list_changed belongs to none of them either.
    const changed = await post({ jsonrpc: "2.0", id: 200, method: "tools/call", params: { name: "list_changed", arguments: {} } }, session);
    expect(changed.status).toBe(200);
    await changed.text();
    await get.until((f) => f.message?.method === "notifications/tools/list_changed");
    for (const [call, question] of [
      [left, leftQuestion],
      [right, rightQuestion],
    ] as const) {
      const answered = await post(
        { jsonrpc: "2.0", id: question.id, result: { action: "accept", content: { name: call.prompt } } },
        session,
      );
      expect(answered.status).toBe(202);
      const done = await call.reader.until((f) => f.message?.id === call.id && isResponse(f.message));
      expect(done.message!.result.content[0].text).toBe(call.prompt);
      await call.reader.cancel();
    }
    await get.cancel();
    streams.push(
      { name: "GET", frames: get.frames },
      { name: "left", frames: left.reader.frames },
      { name: "right", frames: right.reader.frames },
    );
    await fetch(url, { method: "DELETE", headers: session });
  });

  test("event ids are unique across all the streams of the session", () => {
    const ids = streams.flatMap((s) => s.frames.flatMap((f) => (f.id === undefined ? [] : [f.id])));
    expect(ids.length).toBeGreaterThanOrEqual(8);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("the GET stream carries no JSON-RPC response", () => {
    const get = streams.find((s) => s.name === "GET")!;
    expect(get.frames.some((f) => f.message?.method === "notifications/tools/list_changed")).toBe(true);
    expect(get.frames.filter((f) => isResponse(f.message))).toEqual([]);
  });

  test("each message travels on one stream only, never on several", () => {
    const questions = (name: string) =>
      streams
        .find((s) => s.name === name)!
        .frames.flatMap((f) => (f.message?.method === "elicitation/create" ? [f.message.params.message] : []));
    expect(questions("left")).toEqual(["left"]);
    expect(questions("right")).toEqual([]);
    expect(questions("GET")).toEqual(["right"]);
    const changes = (name: string) =>
      streams.find((s) => s.name === name)!.frames.filter((f) => f.message?.method?.endsWith("/list_changed"));
    expect(changes("GET").length).toBe(1);
    expect([...changes("left"), ...changes("right")]).toEqual([]);
    // Every message (by its JSON text) was seen once in the whole session.
    const texts = streams.flatMap((s) => s.frames.flatMap((f) => (f.message ? [JSON.stringify(f.message)] : [])));
    expect(new Set(texts).size).toBe(texts.length);
  });
});
