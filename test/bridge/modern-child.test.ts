// A stdio child that speaks MCP 2026-07-28 itself (test/fixtures/modern-server.mjs, the v2 SDK's
// serveStdio), behind the real appliance with protocol = "auto": the appliance learns its era at
// spawn (channel/era-probe.ts) and passes 2026-07-28 requests through natively — the child's own
// input_required rounds (its keys, its requestState sealed by the appliance), its own
// subscriptions/listen — to the v2 SDK client pinned to 2026-07-28 and in auto mode. 2025
// sessions: in sharing = "session" each has its own child, opened with initialize (the child
// pins that process to 2025 and serves everything); on a shared 2026 child a 2025 session is
// answered from the child's DiscoverResult, its requests carry the envelope it declared, and the
// child's input_required rounds reach it as server requests (channel/input-relay.ts), its log
// level and subscriptions are served too; the same for a 2024-11-05 HTTP+SSE session.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import type { StdioServerConfig } from "../../src/config/types.ts";
import { eventually, startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { ownerPasswordHash } from "../helpers/oauth.ts";
import { registerPublic } from "../helpers/oauth-http.ts";
import { seededTokens } from "../helpers/oauth-seed.ts";
import { type ClientMode, connectV2, expectCancelReachesChild, ROOT, textOf, type V2Connection } from "./v2-client-helpers.ts";

const SHARINGS: StdioServerConfig["sharing"][] = ["shared", "client", "session"];
const REDIRECT = "http://localhost:47125/callback";
const WATCHED = "test://watched-resource";
const MODERN_MODES: ClientMode[] = ["pin", "auto"];

/** What the raw requests below read of an answer. */
interface Answer {
  result: {
    supportedVersions: string[];
    _meta: Record<string, { name: string }>;
    resultType: string;
    inputRequests: Record<string, unknown>;
    requestState: string;
    content: unknown;
  };
  error: { data: unknown };
}

for (const sharing of SHARINGS) {
  describe(`a 2026-07-28 child (protocol = "auto"), sharing = "${sharing}"`, () => {
    let app: TestAppliance;
    let url: URL;
    let token: string;

    beforeAll(async () => {
      app = await startTestAppliance([stdioServer("modern", "modern-server.mjs", { sharing, protocol: "auto" })], {
        auth: "oauth",
        oauthOverrides: { ownerPasswordHash: await ownerPasswordHash() },
      });
      url = app.mcpUrl("modern");
      const registered = await registerPublic(app.url, [REDIRECT]);
      token = (await seededTokens(app, registered.client_id, REDIRECT)).access_token;
    });
    afterAll(async () => {
      await app?.stop();
    });

    /** A raw 2026-07-28 request, as stateless.test.ts sends them. */
    async function post(method: string, params: Record<string, unknown>) {
      const meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": { elicitation: {} },
      };
      const name = (params.name ?? params.uri) as string | undefined;
      const response = await fetch(url, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-protocol-version": "2026-07-28",
          "mcp-method": method,
          ...(name !== undefined && { "mcp-name": name }),
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: { ...params, _meta: meta } }),
      });
      const text = await response.text();
      const line = text.includes("data: ")
        ? text
            .split("\n")
            .filter((l) => l.startsWith("data: "))
            .at(-1)!
            .slice(6)
        : text;
      return JSON.parse(line) as Answer;
    }

    test("server/discover is the child's own; its input_required round passes with its keys, the requestState sealed", async () => {
      const discover = await post("server/discover", {});
      expect(discover.result.supportedVersions).toContain("2026-07-28");
      expect(discover.result._meta["io.modelcontextprotocol/serverInfo"]?.name).toBe("mcp-appliance-modern-fixture");
      const round = await post("tools/call", { name: "test_input_required_result_elicitation", arguments: {} });
      expect(round.result.resultType).toBe("input_required");
      // The child's own key (a relayed 2025 request would be "input-1").
      expect(Object.keys(round.result.inputRequests)).toEqual(["user_name"]);
      expect(typeof round.result.requestState).toBe("string");
      const retried = await post("tools/call", {
        name: "test_input_required_result_elicitation",
        arguments: {},
        inputResponses: { user_name: { action: "accept", content: { name: "Ada" } } },
        requestState: round.result.requestState,
      });
      expect(retried.result.resultType).toBe("complete");
      expect(JSON.stringify(retried.result.content)).toContain("Ada");
      const replayed = await post("tools/call", {
        name: "test_input_required_result_elicitation",
        arguments: {},
        inputResponses: { user_name: { action: "accept", content: { name: "Eve" } } },
        requestState: round.result.requestState,
      });
      expect(replayed.error.data).toEqual({ reason: "invalid_request_state" });
    });

    for (const mode of MODERN_MODES) {
      describe(`v2 client, mode ${mode}`, () => {
        let c: V2Connection;
        beforeAll(async () => {
          c = await connectV2(url, mode, token);
        });
        afterAll(async () => {
          await c?.close();
        });

        test("tools, resources, prompts, completion", async () => {
          expect(c.client.getProtocolEra()).toBe("modern");
          const { tools } = await c.client.listTools();
          expect(tools.map((t) => t.name)).toContain("test_simple_text");
          expect(textOf(await c.client.callTool({ name: "test_simple_text", arguments: {} }))).toBe(
            "This is a simple text response for testing.",
          );
          const read = await c.client.readResource({ uri: "test://static-text" });
          expect(read.contents[0]).toMatchObject({ text: "This is the content of the static text resource." });
          const prompt = await c.client.getPrompt({ name: "test_prompt_with_arguments", arguments: { arg1: "a", arg2: "b" } });
          expect(prompt.messages[0]?.content).toEqual({ type: "text", text: "Prompt with arguments: arg1='a', arg2='b'" });
          const completion = await c.client.complete({
            ref: { type: "ref/prompt", name: "test_prompt_with_arguments" },
            argument: { name: "arg1", value: "pa" },
          });
          expect(completion.completion.values).toEqual(["paris", "park", "party"]);
        });

        test("progress", async () => {
          const seen: number[] = [];
          const result = await c.client.callTool(
            { name: "test_tool_with_progress", arguments: {} },
            { onprogress: (p) => seen.push(p.progress) },
          );
          expect(textOf(result)).toStartWith("Progress test completed");
          expect(seen).toEqual([0, 50, 100]);
        });

        test("the child's own input_required rounds: elicitation, sampling, roots, two rounds", async () => {
          const before = { ...c.asked, elicitations: c.asked.elicitations.length, samplings: c.asked.samplings.length };
          expect(textOf(await c.client.callTool({ name: "test_elicitation", arguments: { message: `Who (${mode})?` } }))).toBe(
            'User response: action=accept, content={"username":"ada","email":"ada@example.com"}',
          );
          expect(textOf(await c.client.callTool({ name: "test_sampling", arguments: { prompt: `Capital (${mode})?` } }))).toBe(
            "LLM response: Paris",
          );
          expect(textOf(await c.client.callTool({ name: "test_input_required_result_list_roots", arguments: {} }))).toBe(
            `Roots: ${ROOT.uri}`,
          );
          expect(textOf(await c.client.callTool({ name: "test_input_required_result_multi_round", arguments: {} }))).toBe("Ada likes blue");
          expect(c.asked.elicitations.slice(before.elicitations)).toEqual([
            `Who (${mode})?`,
            "Step 1: What is your name?",
            "Step 2: What is your favorite color?",
          ]);
          expect(c.asked.samplings.slice(before.samplings)).toEqual([`Capital (${mode})?`]);
          expect(c.asked.rootsLists).toBe(before.rootsLists + 1);
        });

        test("the child's own subscriptions/listen: resources/updated and list_changed", async () => {
          const updated = new Promise<string>((resolve) =>
            c.client.setNotificationHandler("notifications/resources/updated", (n) => resolve(n.params.uri)),
          );
          const toolsChanged = new Promise<void>((resolve) =>
            c.client.setNotificationHandler("notifications/tools/list_changed", () => resolve()),
          );
          const subscription = await c.client.listen({ resourceSubscriptions: [WATCHED], toolsListChanged: true });
          expect(subscription.honoredFilter.resourceSubscriptions).toEqual([WATCHED]);
          await c.client.callTool({ name: "update_resource", arguments: { uri: WATCHED } });
          expect(await updated).toBe(WATCHED);
          await c.client.callTool({ name: "test_trigger_tool_change", arguments: {} });
          await toolsChanged;
          await subscription.close();
          expect(await subscription.closed).toBe("local");
        });

        test("cancellation reaches the child", async () => {
          const tag = `${sharing}-${mode}-${crypto.randomUUID()}`;
          await expectCancelReachesChild(c, tag);
        });

        test("no transport errors", () => {
          expect(c.errors.map((e) => e.message)).toEqual([]);
        });
      });
    }

    test("a 2024-11-05 HTTP+SSE session (v1 SDK client): tools and a question of the child", async () => {
      const client = new Client({ name: "legacy-sse", version: "1.0.0" }, { capabilities: { elicitation: {} } });
      client.setRequestHandler(ElicitRequestSchema, async () => ({
        action: "accept",
        content: { username: "sse", email: "sse@example.com" },
      }));
      await client.connect(
        new SSEClientTransport(new URL("/modern/sse", app.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
      );
      try {
        const simple = await client.callTool({ name: "test_simple_text", arguments: {} });
        expect((simple.content as { text: string }[])[0]!.text).toBe("This is a simple text response for testing.");
        const asked = await client.callTool({ name: "test_elicitation", arguments: { message: "over SSE" } });
        expect((asked.content as { text: string }[])[0]!.text).toBe(
          'User response: action=accept, content={"username":"sse","email":"sse@example.com"}',
        );
      } finally {
        await client.close();
      }
    });

    describe("a 2025 session (v2 client, legacy mode)", () => {
      let c: V2Connection;
      beforeAll(async () => {
        c = await connectV2(url, "legacy", token);
      });
      afterAll(async () => {
        await c?.close();
      });

      test("tools, resources, prompts, progress", async () => {
        expect(c.client.getProtocolEra()).toBe("legacy");
        expect(c.client.getServerVersion()?.name).toBe("mcp-appliance-modern-fixture");
        expect(textOf(await c.client.callTool({ name: "test_simple_text", arguments: {} }))).toBe(
          "This is a simple text response for testing.",
        );
        const read = await c.client.readResource({ uri: "test://static-text" });
        expect(read.contents[0]).toMatchObject({ text: "This is the content of the static text resource." });
        const prompt = await c.client.getPrompt({ name: "test_simple_prompt" });
        expect(prompt.messages.length).toBeGreaterThan(0);
        const seen: number[] = [];
        await c.client.callTool({ name: "test_tool_with_progress", arguments: {} }, { onprogress: (p) => seen.push(p.progress) });
        expect(seen).toEqual([0, 50, 100]);
      });

      test("questions reach its handlers as server requests (on a shared 2026 child, from its input_required rounds)", async () => {
        const before = { ...c.asked, elicitations: c.asked.elicitations.length, samplings: c.asked.samplings.length };
        expect(textOf(await c.client.callTool({ name: "test_elicitation", arguments: { message: "2025 session" } }))).toBe(
          'User response: action=accept, content={"username":"ada","email":"ada@example.com"}',
        );
        expect(textOf(await c.client.callTool({ name: "test_sampling", arguments: { prompt: "2025 sampling" } }))).toBe(
          "LLM response: Paris",
        );
        expect(textOf(await c.client.callTool({ name: "test_input_required_result_list_roots", arguments: {} }))).toBe(
          `Roots: ${ROOT.uri}`,
        );
        expect(textOf(await c.client.callTool({ name: "test_input_required_result_multi_round", arguments: {} }))).toBe("Ada likes blue");
        expect(c.asked.elicitations.slice(before.elicitations)).toEqual([
          "2025 session",
          "Step 1: What is your name?",
          "Step 2: What is your favorite color?",
        ]);
        expect(c.asked.samplings.slice(before.samplings)).toEqual(["2025 sampling"]);
        expect(c.asked.rootsLists).toBe(before.rootsLists + 1);
      });

      test("logging/setLevel, then the tool's log messages (on a shared 2026 child, the level travels in the envelope)", async () => {
        const logged: unknown[] = [];
        c.client.setNotificationHandler("notifications/message", (n) => {
          logged.push(n.params.data);
        });
        await c.client.setLoggingLevel("info");
        expect(textOf(await c.client.callTool({ name: "test_tool_with_logging", arguments: {} }))).toBe(
          "Tool with logging executed successfully",
        );
        await eventually(async () => logged.length === 3, "the three log messages");
        expect(logged).toEqual(["Tool execution started", "Tool processing data", "Tool execution completed"]);
      });

      test("resources/subscribe and list_changed (on a shared 2026 child, from the appliance's own listen)", async () => {
        const updated = new Promise<string>((resolve) =>
          c.client.setNotificationHandler("notifications/resources/updated", (n) => resolve(n.params.uri)),
        );
        const toolsChanged = new Promise<void>((resolve) =>
          c.client.setNotificationHandler("notifications/tools/list_changed", () => resolve()),
        );
        await c.client.subscribeResource({ uri: WATCHED });
        await c.client.callTool({ name: "update_resource", arguments: { uri: WATCHED } });
        expect(await updated).toBe(WATCHED);
        await c.client.unsubscribeResource({ uri: WATCHED });
        await c.client.callTool({ name: "test_trigger_tool_change", arguments: {} });
        await toolsChanged;
      });

      test("no transport errors", () => {
        expect(c.errors.map((e) => e.message)).toEqual([]);
      });
    });
  });
}

describe('protocol = "2026", sharing = "session": a session of its own on a child that was opened with server/discover', () => {
  let app: TestAppliance;
  let token: string;

  beforeAll(async () => {
    app = await startTestAppliance([stdioServer("modern", "modern-server.mjs", { sharing: "session", protocol: "2026" })], {
      auth: "oauth",
      oauthOverrides: { ownerPasswordHash: await ownerPasswordHash() },
    });
    const registered = await registerPublic(app.url, [REDIRECT]);
    token = (await seededTokens(app, registered.client_id, REDIRECT)).access_token;
  });
  afterAll(async () => {
    await app?.stop();
  });

  test("a 2025 session is translated (the child, pinned to 2026-07-28, never hears initialize), and its child stops with it", async () => {
    const c = await connectV2(app.mcpUrl("modern"), "legacy", token);
    expect(c.client.getProtocolEra()).toBe("legacy");
    expect(textOf(await c.client.callTool({ name: "test_simple_text", arguments: {} }))).toBe(
      "This is a simple text response for testing.",
    );
    expect(textOf(await c.client.callTool({ name: "test_elicitation", arguments: { message: "own child" } }))).toBe(
      'User response: action=accept, content={"username":"ada","email":"ada@example.com"}',
    );
    expect(c.asked.elicitations).toEqual(["own child"]);
    const children = async () =>
      ((await (await fetch(new URL("/healthz", app.url))).json()) as { servers: Record<string, { children: unknown[] }> }).servers.modern!
        .children;
    expect(await children()).toHaveLength(1);
    await c.close();
    await eventually(async () => (await children()).length === 0, "the session's child has stopped");
  });
});
