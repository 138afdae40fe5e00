// The v2 TypeScript SDK client (@modelcontextprotocol/client 2.4.0) through the real appliance,
// over a 2025-era stdio child (test/fixtures/client-test-server.mjs on the v1 SDK, and
// modern-server.mjs on the v2 SDK, which the appliance opens with initialize), in each sharing
// mode and in each of the client's modes: the default 2025 handshake, `auto` (server/discover
// first; the appliance serves 2026-07-28 on the same URL, so the era must come out modern) and a
// pin to 2026-07-28. In the 2025 era the child's elicitation/sampling/roots requests reach the
// client's handlers as server requests; in the 2026 era the appliance turns them into
// input_required rounds (basic/patterns/mrtr.mdx) that the client fulfils through the same
// handlers. Subscriptions: resources/subscribe in 2025, subscriptions/listen in 2026.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { StdioServerConfig } from "../../src/config/types.ts";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { ownerPasswordHash } from "../helpers/oauth.ts";
import { registerPublic } from "../helpers/oauth-http.ts";
import { seededTokens } from "../helpers/oauth-seed.ts";
import {
  CLIENT_MODES,
  type ClientMode,
  connectV2,
  connectV2WithOAuth,
  expectCancelReachesChild,
  ROOT,
  textOf,
  type V2Connection,
} from "./v2-client-helpers.ts";

const SHARINGS: StdioServerConfig["sharing"][] = ["shared", "client", "session"];
/** The same tools on two SDKs: a v1 server, and a v2 one (serveStdio) that the appliance opens in the 2025 era. */
const CHILDREN = [
  { sdk: "v1 SDK", script: "client-test-server.mjs" },
  { sdk: "v2 SDK", script: "modern-server.mjs" },
];
const REDIRECT = "http://localhost:47125/callback";
const WATCHED = "test://watched-resource";

/** The era each mode must reach against the appliance (which speaks both revisions on one URL). */
const ERA: Record<ClientMode, "legacy" | "modern"> = { legacy: "legacy", auto: "modern", pin: "modern" };

for (const { sdk, script } of CHILDREN)
  for (const sharing of SHARINGS) {
    describe(`v2 client, ${sdk} child, sharing = "${sharing}"`, () => {
      let app: TestAppliance;
      let url: URL;
      let token: string;

      beforeAll(async () => {
        app = await startTestAppliance([stdioServer("everything", script, { sharing })], {
          auth: "oauth",
          oauthOverrides: { ownerPasswordHash: await ownerPasswordHash() },
        });
        url = app.mcpUrl("everything");
        const registered = await registerPublic(app.url, [REDIRECT]);
        token = (await seededTokens(app, registered.client_id, REDIRECT)).access_token;
      });
      afterAll(async () => {
        await app?.stop();
      });

      for (const mode of CLIENT_MODES) {
        describe(`mode ${mode}`, () => {
          let connected: V2Connection | undefined;
          let connectError: unknown;
          beforeAll(async () => {
            // A failed connect is reported by every test below, not as one unnamed failure.
            connected = await connectV2(url, mode, token).catch((error: unknown) => {
              connectError = error;
              return undefined;
            });
          });
          afterAll(async () => {
            await connected?.close();
          });
          const conn = (): V2Connection => {
            if (connected) return connected;
            throw new Error(`the ${mode} client could not connect: ${String(connectError)}`);
          };

          test(`negotiates the ${ERA[mode]} era`, () => {
            const c = conn();
            expect(c.client.getProtocolEra()).toBe(ERA[mode]);
            if (ERA[mode] === "modern") expect(c.client.getNegotiatedProtocolVersion()).toBe("2026-07-28");
          });

          test("tools: list and call", async () => {
            const c = conn();
            const { tools } = await c.client.listTools();
            expect(tools.map((t) => t.name)).toContain("test_simple_text");
            const result = await c.client.callTool({ name: "test_simple_text", arguments: {} });
            expect(textOf(result)).toBe("This is a simple text response for testing.");
            const failed = await c.client.callTool({ name: "test_error_handling", arguments: {} });
            expect(failed.isError).toBe(true);
          });

          test("resources: list, read, templates", async () => {
            const c = conn();
            const { resources } = await c.client.listResources();
            expect(resources.map((r) => r.uri)).toContain("test://static-text");
            const read = await c.client.readResource({ uri: "test://static-text" });
            expect(read.contents[0]).toMatchObject({ uri: "test://static-text", text: "This is the content of the static text resource." });
            const { resourceTemplates } = await c.client.listResourceTemplates();
            expect(resourceTemplates.map((t) => t.uriTemplate)).toContain("test://template/{id}/data");
            const templated = await c.client.readResource({ uri: "test://template/123/data" });
            expect(JSON.parse(String((templated.contents[0] as { text: string }).text))).toMatchObject({ id: "123" });
          });

          test("prompts: list and get", async () => {
            const c = conn();
            const { prompts } = await c.client.listPrompts();
            expect(prompts.map((p) => p.name)).toEqual(expect.arrayContaining(["test_simple_prompt", "test_prompt_with_arguments"]));
            const prompt = await c.client.getPrompt({ name: "test_prompt_with_arguments", arguments: { arg1: "a", arg2: "b" } });
            expect(prompt.messages[0]?.content).toEqual({ type: "text", text: "Prompt with arguments: arg1='a', arg2='b'" });
          });

          test("completion", async () => {
            const c = conn();
            const result = await c.client.complete({
              ref: { type: "ref/prompt", name: "test_prompt_with_arguments" },
              argument: { name: "arg1", value: "pa" },
            });
            expect(result.completion.values).toEqual(["paris", "park", "party"]);
          });

          test("progress notifications reach onprogress", async () => {
            const c = conn();
            const seen: number[] = [];
            const result = await c.client.callTool(
              { name: "test_tool_with_progress", arguments: {} },
              { onprogress: (p) => seen.push(p.progress) },
            );
            expect(textOf(result)).toStartWith("Progress test completed");
            expect(seen).toEqual([0, 50, 100]);
          });

          test("elicitation: answered by the client's handler", async () => {
            const c = conn();
            const before = c.asked.elicitations.length;
            const result = await c.client.callTool({ name: "test_elicitation", arguments: { message: `Who are you (${mode})?` } });
            expect(textOf(result)).toBe('User response: action=accept, content={"username":"ada","email":"ada@example.com"}');
            expect(c.asked.elicitations.slice(before)).toEqual([`Who are you (${mode})?`]);
          });

          test("sampling: answered by the client's handler", async () => {
            const c = conn();
            const before = c.asked.samplings.length;
            const result = await c.client.callTool({ name: "test_sampling", arguments: { prompt: `Capital of France (${mode})?` } });
            expect(textOf(result)).toBe("LLM response: Paris");
            expect(c.asked.samplings.slice(before)).toEqual([`Capital of France (${mode})?`]);
          });

          test("roots: answered by the client's handler", async () => {
            const c = conn();
            const before = c.asked.rootsLists;
            const result = await c.client.callTool({ name: "test_input_required_result_list_roots", arguments: {} });
            expect(textOf(result)).toBe(`Roots: ${ROOT.uri}`);
            expect(c.asked.rootsLists).toBe(before + 1);
          });

          test("two questions in a row (2026: two input_required rounds)", async () => {
            const c = conn();
            const before = c.asked.elicitations.length;
            const result = await c.client.callTool({ name: "test_input_required_result_multi_round", arguments: {} });
            expect(textOf(result)).toBe("Ada likes blue");
            expect(c.asked.elicitations.slice(before)).toEqual(["Step 1: What is your name?", "Step 2: What is your favorite color?"]);
          });

          test(
            ERA[mode] === "modern" ? "subscriptions/listen delivers resources/updated" : "resources/subscribe, then updated",
            async () => {
              const c = conn();
              const updated = new Promise<string>((resolve) =>
                c.client.setNotificationHandler("notifications/resources/updated", (n) => resolve(n.params.uri)),
              );
              if (c.client.getProtocolEra() === "modern") {
                const subscription = await c.client.listen({ resourceSubscriptions: [WATCHED] });
                expect(subscription.honoredFilter.resourceSubscriptions).toEqual([WATCHED]);
                await c.client.callTool({ name: "update_resource", arguments: { uri: WATCHED } });
                expect(await updated).toBe(WATCHED);
                await subscription.close();
                expect(await subscription.closed).toBe("local");
              } else {
                await c.client.subscribeResource({ uri: WATCHED });
                await c.client.callTool({ name: "update_resource", arguments: { uri: WATCHED } });
                expect(await updated).toBe(WATCHED);
                await c.client.unsubscribeResource({ uri: WATCHED });
              }
            },
          );

          test("cancellation: aborting the call cancels it at the child", async () => {
            const c = conn();
            const tag = `${sharing}-${mode}-${crypto.randomUUID()}`;
            await expectCancelReachesChild(c, tag);
          });

          test("no transport errors", () => {
            const c = conn();
            expect(c.errors.map((e) => e.message)).toEqual([]);
          });
        });

        test(`mode ${mode} through the v2 client's own OAuth flow (DCR, PKCE, consent, iss)`, async () => {
          const oauth = await connectV2WithOAuth(url, mode, app.url);
          try {
            expect(oauth.provider.tokens()?.access_token).toStartWith("mcpa_");
            expect(oauth.client.getProtocolEra()).toBe(ERA[mode]);
            expect(textOf(await oauth.client.callTool({ name: "test_simple_text", arguments: {} }))).toBe(
              "This is a simple text response for testing.",
            );
            const before = oauth.asked.samplings.length;
            expect(textOf(await oauth.client.callTool({ name: "test_sampling", arguments: { prompt: "with OAuth" } }))).toBe(
              "LLM response: Paris",
            );
            expect(oauth.asked.samplings.slice(before)).toEqual(["with OAuth"]);
          } finally {
            await oauth.close();
          }
        });
      }

      // Last in the file's order for this appliance: while such a round is held, what it holds up is
      // the child itself, so a failure here must not spill into the tests above.
      for (const mode of CLIENT_MODES) {
        test(`mode ${mode}: a round the client never continues does not hold up the next request's questions`, async () => {
          const c = await connectV2(url, mode, token);
          try {
            // Manual mode for one call: in 2026 the input_required result comes back as it is and is
            // never continued; in 2025 the option has no effect and the handler answers.
            const abandoned = (await c.client.callTool(
              { name: "test_input_required_result_elicitation", arguments: {} },
              { allowInputRequired: true },
            )) as unknown as { resultType?: string };
            expect(abandoned.resultType).toBe(ERA[mode] === "modern" ? "input_required" : undefined);
            const result = await c.client.callTool({ name: "test_elicitation", arguments: { message: "after an abandoned round" } });
            expect(textOf(result)).toBe('User response: action=accept, content={"username":"ada","email":"ada@example.com"}');
          } finally {
            await c.close();
          }
        });
      }
    });
  }
