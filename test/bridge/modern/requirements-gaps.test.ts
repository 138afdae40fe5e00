// MUST and SHOULD statements of MCP 2026-07-28 streamable-http.mdx that the other tests of
// test/bridge/modern/ did not check through the real appliance (see test/traceability/
// requirements/mcp-2026.ts): the notification POST, the SSE response (its headers, its end, what
// it may carry), version negotiation, the leftovers of 2025 sessions, Origin, and what the
// subscriptions/listen stream must not carry. A 2025-era child (sharing-server.mjs), shared.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestAppliance, stdioServer, type TestAppliance } from "../../helpers/appliance.ts";
import { sharingServer } from "../sharing-helpers.ts";
import { frames, type Message, type ModernRequest, messages, postRaw, sendModern, VERSION } from "./modern-requests.ts";

const SERVER = "gaps";
const V2_CHILD = "gaps-v2";
const CAPABILITIES = { elicitation: {}, sampling: {} };

let appliance: TestAppliance;

beforeAll(async () => {
  // V2_CHILD: a child on the v2 SDK, opened (like every child) with initialize; its MRTR tools then
  // ask through real server-to-client requests (the SDK's legacy shim), which the appliance relays.
  appliance = await startTestAppliance([
    sharingServer(SERVER, "shared").config,
    stdioServer(V2_CHILD, "modern-server.mjs", { sharing: "client" }),
  ]);
});
afterAll(async () => {
  await appliance.stop();
});

interface Sent extends ModernRequest {
  server?: string;
}

/** One 2026-07-28 request, to the shared 2025 child unless `server` says otherwise. */
function send({ server = SERVER, capabilities = CAPABILITIES, ...request }: Sent) {
  return sendModern(appliance.mcpUrl(server), { capabilities, ...request });
}

function post(body: string, headers: Record<string, string>, signal?: AbortSignal, server = SERVER) {
  return postRaw(appliance.mcpUrl(server), body, headers, signal);
}

function call(name: string, args: Record<string, unknown> = {}, extra: Partial<Sent> = {}) {
  const { params, ...rest } = extra;
  return send({ method: "tools/call", params: { name, arguments: args, ...params }, ...rest });
}

describe("MCP 2026-07-28 streamable-http through the appliance", () => {
  test("a notification is accepted with 202 and no body", async () => {
    const body = {
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { requestId: 1, _meta: { "io.modelcontextprotocol/protocolVersion": VERSION } },
    };
    const response = await post(JSON.stringify(body), { "mcp-protocol-version": VERSION, "mcp-method": "notifications/cancelled" });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe("");
  });

  test("a notification that cannot be accepted gets 400, with a JSON-RPC error that has no id", async () => {
    const body = {
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { _meta: { "io.modelcontextprotocol/protocolVersion": VERSION } },
    };
    const response = await post(JSON.stringify(body), { "mcp-protocol-version": VERSION, "mcp-method": "notifications/other" });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as Message;
    expect(answer.id).toBeNull();
    expect(answer.error.code).toBe(-32020);
  });

  test("an SSE response says X-Accel-Buffering: no, and the final response ends it", async () => {
    const response = await call("progress", { steps: 2, text: "s" }, { params: { _meta: { progressToken: "t" } }, id: 9001 });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    // text() resolves only once the stream is closed; the last message on it is the answer.
    const all = await messages(response);
    expect(all.at(-1)).toMatchObject({ id: 9001, result: { resultType: "complete" } });
    expect(all.slice(0, -1).every((m) => m.method === "notifications/progress")).toBe(true);
  });

  test("each request's stream carries only the notifications of that request (a child shared by both)", async () => {
    const [a, b] = await Promise.all(
      ["left", "right"].map((text) => call("progress", { steps: 5, delayMs: 5, text }, { params: { _meta: { progressToken: text } } })),
    );
    for (const [response, text] of [
      [a!, "left"],
      [b!, "right"],
    ] as const) {
      const all = await messages(response);
      const progress = all.filter((m) => m.method === "notifications/progress");
      expect(progress.length).toBe(5);
      for (const p of progress) expect(p.params).toMatchObject({ progressToken: text, message: text });
    }
  });

  test("a child's elicitation travels as an input request inside the result, never as a request of its own", async () => {
    const all = await messages(await call("elicit", { prompt: "who?" }));
    expect(all.filter((m) => m.method !== undefined && m.id !== undefined)).toEqual([]);
    expect(all.length).toBe(1);
    expect(all[0]!.result.resultType).toBe("input_required");
    const [key, input] = Object.entries(all[0]!.result.inputRequests as Message)[0] as [string, Message];
    expect(input.method).toBe("elicitation/create");
    // The retry ends the call, so that the child has no request of this test left in flight.
    const inputResponses = { [key]: { action: "accept", content: { name: "Ada" } } };
    const retry = await call("elicit", { prompt: "who?" }, { params: { inputResponses, requestState: all[0]!.result.requestState } });
    expect((await messages(retry)).map((m) => m.result?.content?.[0]?.text)).toEqual(["Ada"]);
  });

  test("an unsupported protocol version is 400 with -32022, the supported versions and the request's id", async () => {
    const body = {
      jsonrpc: "2.0",
      id: 77,
      method: "tools/list",
      params: { _meta: { "io.modelcontextprotocol/protocolVersion": "2099-01-01", "io.modelcontextprotocol/clientCapabilities": {} } },
    };
    const response = await post(JSON.stringify(body), { "mcp-protocol-version": "2099-01-01", "mcp-method": "tools/list" });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as Message;
    expect(answer.id).toBe(77);
    expect(answer.error).toMatchObject({ code: -32022, data: { supported: [VERSION], requested: "2099-01-01" } });
  });

  test("an Mcp-Session-Id and a Last-Event-ID are ignored, and no session id is minted or echoed", async () => {
    const response = await send({ method: "tools/list", headers: { "mcp-session-id": "stale-session", "last-event-id": "5" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("mcp-session-id")).toBeNull();
    const [answer] = await messages(response);
    expect(answer!.result.tools.map((t: Message) => t.name)).toEqual(["echo"]);
  });

  test("a foreign Origin is refused with 403", async () => {
    const response = await send({ method: "tools/list", headers: { origin: "https://evil.example" } });
    expect(response.status).toBe(403);
    await response.arrayBuffer();
  });

  test("the listen stream carries no progress or log message of other requests", async () => {
    const abort = new AbortController();
    const listen = await send({
      method: "subscriptions/listen",
      params: { notifications: { toolsListChanged: true } },
      signal: abort.signal,
    });
    const next = frames(listen);
    expect((await next()).method).toBe("notifications/subscriptions/acknowledged");
    await messages(await call("progress", { steps: 2, text: "p" }, { params: { _meta: { progressToken: "p" } } }));
    const logged = await messages(
      await call("log", { text: "hello", level: "info" }, { params: { _meta: { "io.modelcontextprotocol/logLevel": "debug" } } }),
    );
    // Both kinds were sent, each on its own request's stream.
    expect(logged.map((m) => m.method ?? "answer")).toEqual(["notifications/message", "answer"]);
    await messages(await call("list_changed"));
    // The frame after the acknowledgement is the list change: nothing in between.
    expect((await next()).method).toBe("notifications/tools/list_changed");
    abort.abort();
  });
});

/** An elicit call's first round: its one question's key and the requestState to send back. */
async function firstRound(prompt: string): Promise<{ key: string; requestState: string }> {
  const [first] = await messages(await call("elicit", { prompt }));
  expect(first!.result.resultType).toBe("input_required");
  const keys = Object.keys(first!.result.inputRequests);
  expect(keys.length).toBe(1);
  return { key: keys[0]!, requestState: first!.result.requestState };
}

function retry(prompt: string, requestState: string, inputResponses: unknown) {
  return call("elicit", { prompt }, { params: { inputResponses, requestState } });
}

const accept = (name: string) => ({ action: "accept", content: { name } });

describe("MCP 2026-07-28 mrtr §Error Handling through the appliance", () => {
  test("inputResponses that are not an object get a JSON-RPC error, and the round can still be answered", async () => {
    const { key, requestState } = await firstRound("malformed");
    for (const inputResponses of [null, "yes", [accept("x")]]) {
      const [refused] = await messages(await retry("malformed", requestState, inputResponses));
      expect(refused!.error.code).toBe(-32602);
    }
    const [done] = await messages(await retry("malformed", requestState, { [key]: accept("Ada") }));
    expect(done!.result.content[0].text).toBe("Ada");
  });

  test("a retry without the answer asked for is asked again, in a new round, rather than failed", async () => {
    const { key, requestState } = await firstRound("missing");
    const [again] = await messages(await retry("missing", requestState, {}));
    expect(again!.result.resultType).toBe("input_required");
    expect(Object.keys(again!.result.inputRequests)).toEqual([key]);
    expect(again!.result.inputRequests[key].params.message).toBe("missing");
    expect(again!.result.requestState).not.toBe(requestState);
    const [done] = await messages(await retry("missing", again!.result.requestState, { [key]: accept("Bo") }));
    expect(done!.result.content[0].text).toBe("Bo");
  });

  test("answers to questions that were never asked are ignored", async () => {
    const { key, requestState } = await firstRound("extra");
    const inputResponses = { [key]: accept("Cy"), unasked: accept("nobody"), "input-99": { roots: [] } };
    const [done] = await messages(await retry("extra", requestState, inputResponses));
    expect(done!.result).toMatchObject({ resultType: "complete", content: [{ type: "text", text: "Cy" }] });
  });
});

describe("MCP 2026-07-28 mrtr §Server Requirements 2 through the appliance", () => {
  const ANSWERS: Record<string, unknown> = {
    "elicitation/create": { action: "accept", content: { name: "Ada" } },
    "sampling/createMessage": { role: "assistant", content: { type: "text", text: "Hello" }, model: "test", stopReason: "endTurn" },
    "roots/list": { roots: [{ uri: "file:///work", name: "work" }] },
  };

  test("input requests are elicitation, sampling or roots requests, under keys unique within the request (all rounds)", async () => {
    const tool = { name: "test_input_required_result_multiple_inputs", arguments: {} };
    const asks = (params: Record<string, unknown>) =>
      send({
        method: "tools/call",
        params: { ...tool, ...params },
        server: V2_CHILD,
        capabilities: { elicitation: {}, sampling: {}, roots: {} },
      });
    const keys: string[] = [];
    let [answer] = await messages(await asks({}));
    for (let round = 0; answer!.result?.resultType === "input_required"; round++) {
      expect(round).toBeLessThan(5);
      const inputRequests = answer!.result.inputRequests as Record<string, Message>;
      const inputResponses: Record<string, unknown> = {};
      for (const [key, input] of Object.entries(inputRequests)) {
        expect(Object.keys(ANSWERS)).toContain(input.method);
        keys.push(key);
        inputResponses[key] = ANSWERS[input.method];
      }
      [answer] = await messages(await asks({ inputResponses, requestState: answer!.result.requestState }));
    }
    expect(answer!.result).toMatchObject({ resultType: "complete", content: [{ type: "text", text: "Hello Ada (1 roots)" }] });
    expect(keys.length).toBe(3);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
