// Child processes: staged stop of a child that ignores SIGTERM, stderr in the log tagged with
// the server's name, a command that cannot be started, and shutdown with sessions open.
import { describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { eventually, startTestAppliance, stdioServer } from "../helpers/appliance.ts";
import { alive, liveInGroups } from "../helpers/machine.ts";
import { initializeRequest } from "../helpers/mcp-raw.ts";

const textOf = (result: unknown) => (result as { content: { text: string }[] }).content.map((c) => c.text).join("");

async function connect(url: URL) {
  const client = new Client({ name: "lifecycle-test", version: "1" });
  const transport = new StreamableHTTPClientTransport(url);
  await client.connect(transport);
  return { client, transport };
}

describe("child process lifecycle", () => {
  test("a child that ignores SIGTERM (and stdin EOF) is killed with its group after the staged stop", async () => {
    const appliance = await startTestAppliance([
      stdioServer("stubborn", "behaviour-server.mjs", {
        args: [`${import.meta.dir}/../fixtures/behaviour-server.mjs`, "--ignore-sigterm"],
      }),
    ]);
    try {
      const { client, transport } = await connect(appliance.mcpUrl("stubborn"));
      const pid = JSON.parse(textOf(await client.callTool({ name: "pid", arguments: {} }))).pid;
      const grandchild = JSON.parse(textOf(await client.callTool({ name: "spawn_grandchild", arguments: {} }))).pid;
      await transport.terminateSession();
      // Still there after stdin closed and SIGTERM was sent: the bridge says so only when the
      // child outlived both stages…
      await eventually(() => appliance.logs.some((l) => l.includes("behaviour-server: ignoring SIGTERM")), "the child got SIGTERM");
      await eventually(() => appliance.logs.some((l) => l.includes("child ignored SIGTERM")), "the SIGKILL stage is reached");
      // …and gone once the SIGKILL stage has come.
      await eventually(
        () => !alive(pid) && !alive(grandchild) && liveInGroups([pid]).length === 0,
        "the stubborn child and its group are gone",
        10_000,
      );
      await client.close();
    } finally {
      await appliance.stop();
    }
  });

  test("stderr lines reach the log tagged with the server's name", async () => {
    const appliance = await startTestAppliance([
      stdioServer("talky", "behaviour-server.mjs", { args: [`${import.meta.dir}/../fixtures/behaviour-server.mjs`, "--noisy-stderr"] }),
    ]);
    try {
      const { client, transport } = await connect(appliance.mcpUrl("talky"));
      await client.ping();
      await eventually(
        () => appliance.logs.some((l) => l.includes('"stream":"stderr"') && l.includes('"server":"talky"') && l.includes("request ping")),
        "the child's stderr line is logged",
      );
      await transport.terminateSession();
      await client.close();
    } finally {
      await appliance.stop();
    }
  });

  test("a command that cannot be started answers 502 with a JSON-RPC error, and nothing is left behind", async () => {
    const appliance = await startTestAppliance([
      stdioServer("missing", "behaviour-server.mjs", { command: "/nonexistent/mcp-server", args: [] }),
    ]);
    try {
      const response = await fetch(appliance.mcpUrl("missing"), {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify(initializeRequest({ client: "x" })),
      });
      expect(response.status).toBe(502);
      const body = (await response.json()) as { error: { message: string } };
      expect(body.error.message).toContain('"missing" could not be started');
      const health = (await (await fetch(new URL("/healthz", appliance.url))).json()) as { servers: Record<string, { sessions: number }> };
      expect(health.servers.missing!.sessions).toBe(0);
    } finally {
      await appliance.stop();
    }
  });

  test("stopping the appliance with sessions open ends their streams and stops every child", async () => {
    // --noisy-stderr: a log line for each request a child receives, to wait on.
    const appliance = await startTestAppliance([
      stdioServer("busy", "behaviour-server.mjs", { args: [`${import.meta.dir}/../fixtures/behaviour-server.mjs`, "--noisy-stderr"] }),
    ]);
    const sessions = await Promise.all([1, 2, 3].map(() => connect(appliance.mcpUrl("busy"))));
    const pids = await Promise.all(
      sessions.map(async (s) => JSON.parse(textOf(await s.client.callTool({ name: "pid", arguments: {} }))).pid as number),
    );
    const calls = () => appliance.logs.filter((l) => l.includes("behaviour-server: request tools/call")).length;
    const hanging = sessions[0]!.client.callTool({ name: "hang", arguments: {} }).catch((error: Error) => error);
    await eventually(() => calls() === pids.length + 1, "the hanging call is in flight at its child");
    await appliance.stop();
    expect(String(await hanging)).toMatch(/session ended|shutting down|exited/);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    for (const s of sessions) await s.client.close();
  });
});
