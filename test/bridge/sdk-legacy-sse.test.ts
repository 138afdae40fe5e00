// The official MCP SDK client over the deprecated HTTP+SSE transport (2024-11-05).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { CreateMessageRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { eventually, startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { alive } from "../helpers/machine.ts";

let appliance: TestAppliance;

beforeAll(async () => {
  appliance = await startTestAppliance([stdioServer("old", "behaviour-server.mjs")]);
});
afterAll(async () => {
  await appliance.stop();
});

const sseUrl = () => new URL("/old/sse", appliance.url);
const textOf = (result: unknown) => (result as { content: { text: string }[] }).content.map((c) => c.text).join("");

describe("legacy HTTP+SSE with the SDK client", () => {
  test("lists and calls tools, with a sampling round trip and progress", async () => {
    const client = new Client({ name: "legacy-test", version: "1.0.0" }, { capabilities: { sampling: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({
      model: "m",
      role: "assistant",
      content: { type: "text", text: "sampled" },
    }));
    const transport = new SSEClientTransport(sseUrl());
    await client.connect(transport);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("echo");
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "old school" } }))).toBe("old school");
    expect(textOf(await client.callTool({ name: "sample", arguments: { prompt: "q" } }))).toBe("sampled");
    // The SDK client dispatches notifications a microtask later than responses, so when the last
    // progress event and the response share one TCP read its onprogress callback misses it.
    // What the bridge owes the client is that they arrive, in order, on the stream: check there.
    const arrived: unknown[] = [];
    const deliver = transport.onmessage!;
    transport.onmessage = (message) => {
      arrived.push(message);
      deliver(message);
    };
    await client.callTool({ name: "progress", arguments: { steps: 2 } }, undefined, { onprogress: () => {} });
    const kinds = arrived.map((m) => ("method" in (m as object) ? (m as { params: { progress: number } }).params.progress : "result"));
    expect(kinds).toEqual([1, 2, "result"]);
    await client.close();
  });

  test("closing the stream ends the session and its child", async () => {
    const client = new Client({ name: "legacy-test", version: "1.0.0" });
    await client.connect(new SSEClientTransport(sseUrl()));
    const pid = JSON.parse(textOf(await client.callTool({ name: "pid", arguments: {} }))).pid;
    expect(alive(pid)).toBe(true);
    await client.close();
    await eventually(() => !alive(pid), "the legacy session's child is gone");
  });

  test("a POST to an unknown legacy session → 404", async () => {
    const response = await fetch(new URL("/old/sse/message?sessionId=nope", appliance.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    expect(response.status).toBe(404);
  });
});
