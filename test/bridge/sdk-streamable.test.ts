// The official MCP SDK client against the real appliance over Streamable HTTP.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CreateMessageRequestSchema, LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { eventually, startTestAppliance, stdioServer, type TestAppliance } from "../helpers/appliance.ts";
import { alive, liveInGroups } from "../helpers/machine.ts";

let appliance: TestAppliance;

beforeAll(async () => {
  appliance = await startTestAppliance([stdioServer("alpha", "behaviour-server.mjs"), stdioServer("beta", "behaviour-server.mjs")]);
});
afterAll(async () => {
  await appliance.stop();
});

async function connect(server = "alpha", capabilities = {}) {
  const client = new Client({ name: "bridge-test", version: "1.0.0" }, { capabilities });
  const transport = new StreamableHTTPClientTransport(appliance.mcpUrl(server));
  await client.connect(transport);
  return { client, transport };
}

function textOf(result: unknown): string {
  const content = (result as { content: { type: string; text: string }[] }).content;
  return content.map((c) => c.text).join("");
}

async function childPid(client: Client): Promise<number> {
  return JSON.parse(textOf(await client.callTool({ name: "pid", arguments: {} }))).pid;
}

describe("Streamable HTTP with the SDK client", () => {
  test("lists and calls tools", async () => {
    const { client, transport } = await connect();
    expect(transport.sessionId).toMatch(/^[\x21-\x7e]{32,}$/);
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toContain("echo");
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "héllo" } }))).toBe("héllo");
    await transport.terminateSession();
    await client.close();
  });

  test("tool schemas arrive byte for byte as the child wrote them", async () => {
    const { client, transport } = await connect();
    const response = await fetch(appliance.mcpUrl("alpha"), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-session-id": transport.sessionId!,
        "mcp-protocol-version": "2025-11-25",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: "raw-1", method: "tools/list" }),
    });
    const body = await response.text();
    expect(body).toContain(
      '{"name":"schema_bytes","description":"Returns ok; its schema bytes must arrive verbatim.","inputSchema":{"type":"object","properties":{"zeta":{"type":"number","default":1.0},"alpha":{"type":"string","description":"caf\\u00e9 \\/ cr\\u00e8me"}},"required": []}}',
    );
    await transport.terminateSession();
    await client.close();
  });

  test("a sampling request started by the child makes the round trip through the client", async () => {
    const { client, transport } = await connect("alpha", { sampling: {} });
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => ({
      model: "test-model",
      role: "assistant",
      content: { type: "text", text: `answer to ${(request.params.messages[0]!.content as { text: string }).text}` },
    }));
    const result = await client.callTool({ name: "sample", arguments: { prompt: "question" } });
    expect(textOf(result)).toBe("answer to question");
    await transport.terminateSession();
    await client.close();
  });

  test("progress notifications reach the request that asked for them", async () => {
    const { client, transport } = await connect();
    const seen: number[] = [];
    const result = await client.callTool({ name: "progress", arguments: { steps: 3 } }, undefined, {
      onprogress: (p) => seen.push(p.progress),
    });
    expect(textOf(result)).toBe("done");
    expect(seen).toEqual([1, 2, 3]);
    await transport.terminateSession();
    await client.close();
  });

  test("log notifications during a request reach the client", async () => {
    const { client, transport } = await connect();
    const messages: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void messages.push(n.params.data));
    await client.callTool({ name: "log", arguments: { message: "hello log" } });
    await eventually(() => messages.includes("hello log"), "the log notification arrived");
    await transport.terminateSession();
    await client.close();
  });

  test("two concurrent sessions are isolated in two children", async () => {
    const a = await connect();
    const b = await connect();
    expect(a.transport.sessionId).not.toBe(b.transport.sessionId);
    const [pidA, pidB] = await Promise.all([childPid(a.client), childPid(b.client)]);
    expect(pidA).not.toBe(pidB);
    const [ra, rb] = await Promise.all([
      a.client.callTool({ name: "echo", arguments: { text: "from a" } }),
      b.client.callTool({ name: "echo", arguments: { text: "from b" } }),
    ]);
    expect(textOf(ra)).toBe("from a");
    expect(textOf(rb)).toBe("from b");
    for (const s of [a, b]) {
      await s.transport.terminateSession();
      await s.client.close();
    }
  });

  test("several servers are served at once, each at its own path", async () => {
    const a = await connect("alpha");
    const b = await connect("beta");
    expect(textOf(await b.client.callTool({ name: "echo", arguments: { text: "beta" } }))).toBe("beta");
    const health = (await (await fetch(new URL("/healthz", appliance.url))).json()) as { servers: Record<string, { sessions: number }> };
    expect(health.servers.alpha!.sessions).toBeGreaterThanOrEqual(1);
    expect(health.servers.beta!.sessions).toBeGreaterThanOrEqual(1);
    for (const s of [a, b]) {
      await s.transport.terminateSession();
      await s.client.close();
    }
  });

  test("DELETE ends the session and kills the child's whole process group", async () => {
    const { client, transport } = await connect();
    const pid = await childPid(client);
    const grandchild = JSON.parse(textOf(await client.callTool({ name: "spawn_grandchild", arguments: {} }))).pid;
    expect(alive(grandchild)).toBe(true);
    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    await eventually(() => !alive(pid) && !alive(grandchild) && liveInGroups([pid]).length === 0, "child and grandchild are gone");
    const after = await fetch(appliance.mcpUrl("alpha"), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-session-id": sessionId },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    expect(after.status).toBe(404);
    await client.close();
  });

  test("a child that crashes mid-request: the client gets an error at once and the session ends", async () => {
    const { client, transport } = await connect();
    const pid = await childPid(client);
    const started = Date.now();
    await expect(client.callTool({ name: "crash", arguments: { code: 3 } })).rejects.toThrow(/exited/);
    expect(Date.now() - started).toBeLessThan(10_000);
    await eventually(() => !alive(pid), "the crashed child is reaped");
    const after = await fetch(appliance.mcpUrl("alpha"), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-session-id": transport.sessionId!,
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "ping" }),
    });
    expect(after.status).toBe(404);
    await client.close();
    const again = await connect();
    expect(textOf(await again.client.callTool({ name: "echo", arguments: { text: "new session" } }))).toBe("new session");
    await again.transport.terminateSession();
    await again.client.close();
  });

  test("the child starts with the allow-listed environment plus its own env only", async () => {
    process.env.MCP_APPLIANCE_TEST_SECRET = "must-not-leak";
    const local = await startTestAppliance([stdioServer("envy", "behaviour-server.mjs", { env: { GIVEN: "yes" } })]);
    try {
      const client = new Client({ name: "env-test", version: "1" });
      const transport = new StreamableHTTPClientTransport(local.mcpUrl("envy"));
      await client.connect(transport);
      expect(textOf(await client.callTool({ name: "env", arguments: { name: "GIVEN" } }))).toBe("yes");
      expect(textOf(await client.callTool({ name: "env", arguments: { name: "MCP_APPLIANCE_TEST_SECRET" } }))).toBe("<unset>");
      expect(textOf(await client.callTool({ name: "env", arguments: { name: "PATH" } }))).not.toBe("<unset>");
      await transport.terminateSession();
      await client.close();
    } finally {
      delete process.env.MCP_APPLIANCE_TEST_SECRET;
      await local.stop();
    }
  });
});
