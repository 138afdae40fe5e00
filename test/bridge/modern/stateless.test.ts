// MCP 2026-07-28 stateless requests through the real appliance, over a 2025-era child
// (sharing-server.mjs), as raw HTTP: what the revision's wire looks like, the MRTR relay's
// rounds and its requestState, subscriptions/listen, and 2025 sessions beside them on one URL.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { eventually, startTestAppliance, type TestAppliance } from "../../helpers/appliance.ts";
import { sha256Hex } from "../../helpers/oauth-http.ts";
import { sharingServer } from "../sharing-helpers.ts";
import { answer, frames, type Message, type ModernRequest, messages, sendModern, VERSION } from "./modern-requests.ts";

const ALPHA = `static_${randomBytes(24).toString("base64url")}`;
const BETA = `static_${randomBytes(24).toString("base64url")}`;
const MODES = ["shared", "client", "session"] as const;
const servers = MODES.map((mode) => sharingServer(`m-${mode}`, mode));
const CAPABILITIES = { elicitation: {}, sampling: {} };

let appliance: TestAppliance;

beforeAll(async () => {
  appliance = await startTestAppliance(
    servers.map((s) => s.config),
    {
      auth: "oauth",
      oauthOverrides: {
        staticTokens: [
          { name: "alpha", tokenSha256: sha256Hex(ALPHA), servers: servers.map((s) => s.config.name) },
          { name: "beta", tokenSha256: sha256Hex(BETA), servers: servers.map((s) => s.config.name) },
        ],
      },
    },
  );
});
afterAll(async () => {
  await appliance.stop();
});

interface Sent extends Omit<ModernRequest, "token"> {
  token?: string;
}

/** One 2026-07-28 request to a server of this appliance, with alpha's token by default. */
function send(server: string, { capabilities = CAPABILITIES, token = ALPHA, ...request }: Sent) {
  return sendModern(appliance.mcpUrl(server), { capabilities, token, ...request });
}

function call(server: string, name: string, args: Record<string, unknown> = {}, { params, ...extra }: Partial<Sent> = {}) {
  return send(server, { method: "tools/call", params: { name, arguments: args, ...params }, ...extra });
}

/** echo as a conforming client calls it: its text mirrored in Mcp-Param-Text. */
function echo(server: string, text: string) {
  return call(server, "echo", { text }, { headers: { "mcp-param-text": text } });
}

for (const mode of MODES) {
  const server = `m-${mode}`;
  describe(`sharing = "${mode}"`, () => {
    test("server/discover is answered from the child's initialize result", async () => {
      const response = await send(server, { method: "server/discover" });
      expect(response.status).toBe(200);
      const { result } = await answer(response);
      expect(result.resultType).toBe("complete");
      expect(result.supportedVersions).toContain(VERSION);
      expect(result.capabilities.tools).toEqual({ listChanged: true });
      expect(result._meta["io.modelcontextprotocol/serverInfo"].name).toBe("sharing-server");
      expect(typeof result.ttlMs).toBe("number");
    });

    test("tools/call is answered with resultType; tools/list carries ttlMs and cacheScope", async () => {
      const { result, id } = await answer(await echo(server, "hello"));
      expect(typeof id).toBe("number");
      expect(result).toMatchObject({ resultType: "complete", content: [{ type: "text", text: "hello" }] });
      const list = await answer(await send(server, { method: "tools/list" }));
      expect(list.result).toMatchObject({ resultType: "complete", tools: [{ name: "echo" }], ttlMs: 60_000, cacheScope: "private" });
    });

    test("a listed tool's x-mcp-header arguments must come as Mcp-Param headers equal to the body", async () => {
      await send(server, { method: "tools/list" });
      const missing = await call(server, "echo", { text: "plain" });
      expect(missing.status).toBe(400);
      expect((await answer(missing)).error.code).toBe(-32020);
      const wrong = await call(server, "echo", { text: "plain" }, { headers: { "mcp-param-text": "other" } });
      expect((await answer(wrong)).error.code).toBe(-32020);
      const encoded = `=?base64?${Buffer.from("héllo").toString("base64")}?=`;
      const right = await answer(await call(server, "echo", { text: "héllo" }, { headers: { "mcp-param-text": encoded } }));
      expect(right.result.content[0].text).toBe("héllo");
    });

    test("progress travels on the request's own SSE stream, before the answer", async () => {
      const response = await call(server, "progress", { steps: 3, text: "p" }, { params: { _meta: { progressToken: "tok" } } });
      expect(response.headers.get("content-type")).toContain("text/event-stream");
      const all = await messages(response);
      expect(all.map((m) => m.method ?? "answer")).toEqual([
        "notifications/progress",
        "notifications/progress",
        "notifications/progress",
        "answer",
      ]);
      expect(all[0]!.params.progressToken).toBe("tok");
    });

    test("elicitation: the child's request comes back as an input request; the retry finishes the call", async () => {
      const first = await answer(await call(server, "elicit", { prompt: "your name?" }));
      expect(first.result.resultType).toBe("input_required");
      const [key, input] = Object.entries(first.result.inputRequests as Message)[0]!;
      expect(input.method).toBe("elicitation/create");
      expect(input.params.message).toBe("your name?");
      const retry = await call(
        server,
        "elicit",
        { prompt: "your name?" },
        { params: { inputResponses: { [key!]: { action: "accept", content: { name: "Ada" } } }, requestState: first.result.requestState } },
      );
      const done = await answer(retry);
      expect(done.result).toMatchObject({ resultType: "complete", content: [{ type: "text", text: "Ada" }] });
    });

    test("a requestState that is tampered, replayed, another client's or another request's is refused", async () => {
      const first = await answer(await call(server, "elicit", { prompt: "p" }));
      const state = first.result.requestState as string;
      const key = Object.keys(first.result.inputRequests)[0]!;
      const inputResponses = { [key]: { action: "accept", content: { name: "x" } } };
      const refusals = [
        await call(server, "elicit", { prompt: "p" }, { params: { inputResponses, requestState: `${state}-TAMPERED` } }),
        await call(server, "elicit", { prompt: "p" }, { params: { inputResponses, requestState: state }, token: BETA }),
        await call(server, "elicit", { prompt: "other" }, { params: { inputResponses, requestState: state } }),
      ];
      for (const refused of refusals) {
        expect(refused.status).toBe(200);
        expect((await answer(refused)).error).toMatchObject({ code: -32602, message: "Invalid or expired requestState" });
      }
      // The genuine retry still works after the refusals, once; then its state is spent.
      const done = await answer(await call(server, "elicit", { prompt: "p" }, { params: { inputResponses, requestState: state } }));
      expect(done.result.content[0].text).toBe("x");
      const replayed = await answer(await call(server, "elicit", { prompt: "p" }, { params: { inputResponses, requestState: state } }));
      expect(replayed.error.code).toBe(-32602);
    });

    test("a capability the request did not declare is never asked for", async () => {
      const result = await answer(await call(server, "elicit", { prompt: "p" }, { capabilities: { sampling: {} } }));
      expect(result.result.resultType).toBe("complete");
      expect(result.result.content[0].text).toStartWith("error: ");
    });

    test("a method the child does not have answers 404 with -32601", async () => {
      const response = await send(server, { method: "unknown/method" });
      expect(response.status).toBe(404);
      expect((await answer(response)).error.code).toBe(-32601);
    });

    test("methods 2026-07-28 removed answer 404 with -32601", async () => {
      for (const method of ["ping", "logging/setLevel", "resources/subscribe", "initialize"]) {
        const response = await send(server, { method });
        expect(response.status).toBe(404);
        expect((await answer(response)).error.code).toBe(-32601);
      }
    });

    test("closing the stream cancels the child's request", async () => {
      const abort = new AbortController();
      const response = await call(
        server,
        "progress",
        { steps: 1000, delayMs: 20, text: "c" },
        { params: { _meta: { progressToken: 1 } }, signal: abort.signal },
      );
      const reader = response.body!.getReader();
      await reader.read();
      abort.abort();
      const cancelled = async () => JSON.parse((await answer(await call(server, "counts"))).result.content[0].text).cancelled.length > 0;
      await eventually(cancelled, "the child heard the cancel");
    });
  });
}

describe("2025 sessions and 2026 requests on one URL", () => {
  test("a 2025 header with a 2026 envelope is a header mismatch that names both", async () => {
    const response = await send("m-shared", { method: "tools/list", headers: { "mcp-protocol-version": "2025-11-25" } });
    expect(response.status).toBe(400);
    const { error } = await answer(response);
    expect(error.code).toBe(-32020);
    expect(error.message).toContain("2025-11-25");
    expect(error.message).toContain(VERSION);
  });

  test("GET and DELETE without a session answer 405", async () => {
    for (const method of ["GET", "DELETE"]) {
      const response = await fetch(appliance.mcpUrl("m-shared"), {
        method,
        headers: { authorization: `Bearer ${ALPHA}`, accept: "text/event-stream" },
      });
      expect(response.status).toBe(405);
      expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32600);
    }
  });

  test("a stateless request needs the same bearer token as a session", async () => {
    const response = await send("m-shared", { method: "tools/list", token: "static_not-a-token" });
    expect(response.status).toBe(401);
  });
});

describe("subscriptions/listen", () => {
  test("carries list_changed and resources/updated that match the filter, tagged with the subscription id", async () => {
    const abort = new AbortController();
    const response = await send("m-shared", {
      method: "subscriptions/listen",
      params: { notifications: { toolsListChanged: true, resourceSubscriptions: ["note://a"] } },
      signal: abort.signal,
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const next = frames(response);
    const ack: Message = await next();
    expect(ack.method).toBe("notifications/subscriptions/acknowledged");
    expect(ack.params.notifications).toEqual({ toolsListChanged: true, resourceSubscriptions: ["note://a"] });
    const subscriptionId = ack.params._meta["io.modelcontextprotocol/subscriptionId"];
    await call("m-shared", "update", { uri: "note://other" });
    await call("m-shared", "update", { uri: "note://a" });
    await call("m-shared", "list_changed");
    const updated = await next();
    expect(updated).toMatchObject({ method: "notifications/resources/updated", params: { uri: "note://a" } });
    expect(updated.params._meta["io.modelcontextprotocol/subscriptionId"]).toBe(subscriptionId);
    expect((await next()).method).toBe("notifications/tools/list_changed");
    abort.abort();
  });
});
