// A raw CR inside a child's JSON line (whitespace between tokens, RFC 8259 §2) used to end the
// SSE data line early: HTML Living Standard §9.2.6 ends a line at CR, LF or CRLF, so the client
// received half a message. Driven with the official SDK clients over both SSE transports, and
// with a raw read of the stream.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { sseEvent } from "../../src/bridge/sse.ts";
import { startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";

let appliance: TestAppliance;

beforeAll(async () => {
  appliance = await startTestAppliance([stdioServer("cr", "raw-cr-server.mjs")]);
});
afterAll(async () => {
  await appliance.stop();
});

const textOf = (result: unknown) => (result as { content: { text: string }[] }).content.map((c) => c.text).join("");

/** The data of each event of an SSE body, parsed as HTML §9.2.6 says (CR, LF and CRLF end lines). */
function eventData(body: string): string[] {
  const events: string[] = [];
  let data: string[] = [];
  for (const line of body.split(/\r\n|\r|\n/)) {
    if (line === "") {
      if (data.length > 0) events.push(data.join("\n"));
      data = [];
    } else if (line.startsWith("data:")) {
      data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
    }
  }
  return events;
}

describe("SSE framing of lines that hold a raw CR", () => {
  test("sseEvent: CR, LF and CRLF inside the data become separate data fields; the event is rebuilt whole", () => {
    const frame = sseEvent('{\r"a":\n1,\r\n"b":2}', "7");
    expect(frame).toBe('id: 7\ndata: {\ndata: "a":\ndata: 1,\ndata: "b":2}\n\n');
    expect(eventData(frame).map((data) => JSON.parse(data))).toEqual([{ a: 1, b: 2 }]);
    expect(sseEvent('{"plain":true}')).toBe('data: {"plain":true}\n\n');
  });

  test("Streamable HTTP: the SDK client gets the notification and the answer whole", async () => {
    const client = new Client({ name: "cr-test", version: "1" });
    const logged: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => void logged.push(notification.params.data));
    const transport = new StreamableHTTPClientTransport(appliance.mcpUrl("cr"));
    await client.connect(transport);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(["echo"]);
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "whole" } }))).toBe("echo whole");
    expect(logged).toEqual(["about to answer"]);
    await transport.terminateSession();
    await client.close();
  });

  test("Streamable HTTP, read raw: every event of the stream is one JSON-RPC message", async () => {
    const post = (body: unknown, session?: string) =>
      fetch(appliance.mcpUrl("cr"), {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-protocol-version": "2025-11-25",
          ...(session ? { "mcp-session-id": session } : {}),
        },
        body: JSON.stringify(body),
      });
    const init = await post({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    });
    const session = init.headers.get("mcp-session-id")!;
    await init.arrayBuffer();
    const call = await post({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "echo", arguments: { text: "raw" } } }, session);
    expect(call.headers.get("content-type")).toStartWith("text/event-stream");
    const messages = eventData(await call.text())
      .filter((data) => data !== "")
      .map((data) => JSON.parse(data));
    expect(messages.map((message) => message.method ?? message.id)).toEqual(["notifications/message", 2]);
    expect(messages[1].result.content[0].text).toBe("echo raw");
  });

  test("legacy HTTP+SSE: the SDK client gets the answer whole", async () => {
    const client = new Client({ name: "cr-legacy", version: "1" });
    const transport = new SSEClientTransport(new URL("/cr/sse", appliance.url));
    await client.connect(transport);
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "old" } }))).toBe("echo old");
    await client.close();
  });
});
