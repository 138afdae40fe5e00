// Children that misbehave on stdout (issue 6, faults): a flood of messages nobody asked for,
// a flood of lines beyond max_message_size, lines that are not JSON, and a child that closes its
// stdout and lives on. Each test runs its own appliance process (the compiled binary) and
// asserts what the client sees, what the log says, and what is left on the machine: memory
// (peak and settled RSS of the appliance, from /proc), descriptors, processes.
import { afterEach, describe, expect, test } from "bun:test";
import { eventually } from "../helpers/appliance.ts";
import { logged, logLine, type StartedProcess, startApplianceProcess } from "../helpers/appliance-process.ts";
import { descendants, fdCount, MiB, mib, rssBytes, rssSampler } from "../helpers/machine.ts";
import { RawLegacyClient, RawMcpClient } from "../helpers/mcp-raw.ts";

let running: StartedProcess | undefined;
afterEach(async () => {
  if (running) expect(await running.stop()).toBe(0);
  running = undefined;
});

async function start(extra: string[] = []): Promise<{ started: StartedProcess; client: RawMcpClient; rss0: number; fds0: number }> {
  running = await startApplianceProcess([
    { name: "flood", script: "flood-server.mjs", extra: ['max_message_size = "1MiB"', 'request_timeout = "60s"', ...extra] },
    { name: "bad", script: "bad-output-server.mjs", extra: ['request_timeout = "60s"'] },
  ]);
  const fds0 = fdCount(running.pid);
  const client = new RawMcpClient(running.mcpUrl("flood"));
  await client.open();
  expect(await client.callText("echo", { text: "warm" })).toBe("warm");
  return { started: running, client, rss0: rssBytes(running.pid), fds0 };
}

/**
 * Flood and wait until the child says (on stderr, which the appliance logs) it is written out,
 * then until `everyLineRead` holds: stdout is a pipe of its own, so the appliance may still be
 * reading the last of it when the stderr line arrives.
 */
async function flood(
  started: StartedProcess,
  client: RawMcpClient,
  args: { count: number; bytes: number; kind?: string },
  everyLineRead: () => boolean,
): Promise<number> {
  const sampler = rssSampler(started.pid);
  const reply = await client.callText("flood", args);
  const number = /flood (\d+) started/.exec(reply)![1];
  await logLine(started, (line) => line.includes(`flood-server: flood ${number} done`), `flood ${number} written out`, 60_000);
  await eventually(everyLineRead, `every line of flood ${number} is read`, 30_000);
  return sampler.stop();
}

/**
 * RSS once the garbage of a burst has been collected: the runtime collects on a timer of its
 * own, so poll until it is within `bound` of the baseline (bounded; fails if it never is).
 */
async function settledRss(pid: number, rss0: number, bound: number): Promise<number> {
  await eventually(() => rssBytes(pid) - rss0 < bound, `RSS back within ${mib(bound)} of ${mib(rss0)}`, 15_000);
  return rssBytes(pid);
}

async function endAndCheckNothingLeft(started: StartedProcess, client: RawMcpClient, fds0: number): Promise<void> {
  expect(await client.close()).toBe(200);
  await eventually(() => descendants(started.pid).length === 0, "no child process is left");
  await eventually(() => fdCount(started.pid) <= fds0 + 1, `descriptors back to the baseline (${fds0})`);
}

describe("a child that floods stdout", () => {
  test("with messages nobody asked for: the GET-stream queue is capped, memory stays bounded, one log line", async () => {
    const { started, client, rss0, fds0 } = await start();
    const count = 16_000;
    const bytes = 64 * 1024; // 1 GiB in all, with no GET stream open to take it
    // The GET stream opened below waits for the last message itself, and counts whatever of the
    // flood it gets live as kept, not dropped: nothing to wait for here (and no request may be
    // in flight until then).
    const peak = await flood(started, client, { count, bytes }, () => true);
    const settled = await settledRss(started.pid, rss0, 40 * MiB);
    console.log(`flood of ${count} × 64 KiB unsolicited messages: RSS ${mib(rss0)} before, peak ${mib(peak)}, ${mib(settled)} settled`);
    // Bounded, not proportional to the flood: the peak is the runtime's garbage between collections.
    expect(peak - rss0).toBeLessThan(256 * MiB);
    expect(settled - rss0).toBeLessThan(40 * MiB);

    // A GET stream opened now receives what the queue kept: the newest messages, within the caps.
    const stream = await fetch(started.mcpUrl("flood"), {
      headers: { accept: "text/event-stream", "mcp-session-id": client.sessionId!, "mcp-protocol-version": "2025-11-25" },
    });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    let text = "";
    while (!text.includes(`"data":"${count - 1}:`)) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const kept = text.split("\n").filter((line) => line.startsWith("data: {")).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(256);
    expect(kept * bytes).toBeLessThanOrEqual(4 * MiB + bytes);
    const report = await logLine(
      started,
      (line) => line.includes("server messages dropped while no GET stream was open"),
      "the drop count",
    );
    expect(JSON.parse(report).dropped).toBe(count - kept);

    // The session still works (asked only now: a request in flight while the flood is still being
    // read would take its messages), and the flood was logged once, not once per dropped message.
    expect(await client.callText("echo", { text: "after the flood" })).toBe("after the flood");
    expect(
      logged(
        started,
        "no GET stream is open: dropping the oldest queued server messages (reported again, with a count, when a GET stream opens or the session ends)",
      ),
    ).toHaveLength(1);

    await endAndCheckNothingLeft(started, client, fds0);
  });

  test("with lines beyond max_message_size: each is dropped and logged once, memory stays bounded", async () => {
    const { started, client, rss0, fds0 } = await start();
    const count = 200;
    const tooLarge = () => logged(started, "dropped a message from the MCP server larger than max_message_size");
    // 800 MiB, limit 1 MiB
    const peak = await flood(started, client, { count, bytes: 4 * MiB, kind: "huge" }, () => tooLarge().length >= count);
    const settled = await settledRss(started.pid, rss0, 40 * MiB);
    console.log(`flood of ${count} × 4 MiB lines (limit 1 MiB): RSS ${mib(rss0)} before, peak ${mib(peak)}, ${mib(settled)} settled`);
    expect(peak - rss0).toBeLessThan(256 * MiB);
    expect(settled - rss0).toBeLessThan(40 * MiB);
    const drops = tooLarge();
    expect(drops).toHaveLength(count);
    expect(drops[0]).toMatchObject({ server: "flood", length: 4 * MiB, limit: MiB });
    expect(await client.callText("echo", { text: "still here" })).toBe("still here");
    await endAndCheckNothingLeft(started, client, fds0);
  });

  test("with lines that are not JSON: each is logged once with a clear message, nothing reaches the client, no crash", async () => {
    const { started, client, rss0, fds0 } = await start();
    const count = 20_000;
    const notJson = () => logged(started, "ignored a line from the MCP server that is not a JSON-RPC message");
    const peak = await flood(started, client, { count, bytes: 1024, kind: "garbage" }, () => notJson().length >= count);
    const settled = await settledRss(started.pid, rss0, 40 * MiB);
    console.log(`flood of ${count} non-JSON lines: RSS ${mib(rss0)} before, peak ${mib(peak)}, ${mib(settled)} settled`);
    const ignored = notJson();
    expect(ignored).toHaveLength(count);
    expect(ignored[0]).toMatchObject({ level: "warn", server: "flood", reason: "not valid JSON" });
    expect(settled - rss0).toBeLessThan(40 * MiB);

    // Interleaved with proper messages, the garbage never reaches the client.
    const bad = new RawMcpClient(started.mcpUrl("bad"));
    await bad.open();
    const reply = await bad.call("garbage");
    expect(reply.messages).toHaveLength(1);
    expect(reply.answer?.result?.content?.[0]?.text).toBe("ok");
    expect(await bad.close()).toBe(200);
    // The same over the legacy HTTP+SSE transport (a forwarded garbage event would not parse).
    const legacy = new RawLegacyClient(new URL("/bad/sse", started.url));
    await legacy.open();
    expect(await legacy.callText("garbage")).toBe("ok");
    await legacy.close();
    await eventually(
      () => logged(started, "ignored a line from the MCP server that is not a JSON-RPC message").length === count + 2,
      "both garbage lines logged",
    );

    expect(await client.callText("echo", { text: "fine" })).toBe("fine");
    await endAndCheckNothingLeft(started, client, fds0);
  });
});

describe("a child that closes its stdout and keeps running", () => {
  // It can never answer again: waiting until request_timeout (60 s here) would only keep the
  // client waiting and the process alive. The session ends at once instead.
  test("ends its session at once: waiting requests get a JSON-RPC error, 404 afterwards, the child is stopped", async () => {
    const { started, client, fds0 } = await start();
    const bad = new RawMcpClient(started.mcpUrl("bad"));
    await bad.open();
    const children = descendants(started.pid).map((p) => p.pid);
    expect(children).toHaveLength(2);

    const began = Date.now();
    const reply = await bad.call("close_stdout");
    const waited = Date.now() - began;
    console.log(`a child closed its stdout: the waiting request got its error after ${waited} ms (request_timeout is 60 s)`);
    expect(reply.status).toBe(200);
    expect(reply.answer?.error?.code).toBe(-32000);
    expect(reply.answer?.error?.message).toContain("closed its stdout");
    expect(waited).toBeLessThan(5000);

    expect((await bad.request("ping")).status).toBe(404);
    await logLine(started, (line) => line.includes("the MCP server closed its stdout but kept running"), "the warning");
    // The other session's child lives on; the one that closed stdout is gone.
    await eventually(() => descendants(started.pid).length === 1, "the child that closed stdout is stopped");
    expect(await client.callText("echo", { text: "unaffected" })).toBe("unaffected");

    // A new session on the same server works.
    const again = new RawMcpClient(started.mcpUrl("bad"));
    await again.open();
    expect((await again.request("ping")).status).toBe(200);
    expect(await again.close()).toBe(200);
    await endAndCheckNothingLeft(started, client, fds0);
  });
});
