// Restart under load (issue 6): SIGTERM while requests are in flight. The appliance stops
// accepting, gives requests in flight [limits] shutdown_timeout (default 5 s) to be answered,
// then ends every session, stops every child and exits 0. A request that outlives the drain
// gets a JSON-RPC error; none is left without an answer, and no process is left behind.
import { describe, expect, test } from "bun:test";
import { defaultLimitsConfig } from "../../src/config/limits.ts";
import { eventually } from "../helpers/appliance.ts";
import { logged, logLine, type StartedProcess, startApplianceProcess } from "../helpers/appliance-process.ts";
import { descendants, liveInGroups } from "../helpers/machine.ts";
import { initializeRequest, RawMcpClient, type RpcAnswer } from "../helpers/mcp-raw.ts";
import { RawConnection } from "../helpers/raw-http.ts";

/** How many sleep calls the flood-server children have begun (each says so on stderr, which is logged). */
function sleeping(started: StartedProcess): number {
  return started.appliance.lines.filter((line) => line.includes("flood-server: sleeping")).length;
}

/** Does a TCP connection to the port open? */
async function accepts(port: number): Promise<boolean> {
  const probe = new RawConnection(port);
  const opened = await Promise.race([
    new Promise<boolean>((resolve) => probe.socket.once("connect", () => resolve(true))),
    probe.closed.then(() => false),
  ]);
  probe.destroy();
  return opened;
}

/** Drain, then the staged stop of a child (stdin closed, SIGTERM, SIGKILL: 1.5 s + 2 s), then slack. */
const EXIT_BOUND_MS = defaultLimitsConfig().shutdownTimeoutMs + 3500 + 2500;

describe("SIGTERM under load", () => {
  test("20 slow calls in flight finish, a hanging one gets a JSON-RPC error, exit 0 in bounded time, no child left", async () => {
    const started = await startApplianceProcess([{ name: "fl", script: "flood-server.mjs", extra: ["max_sessions = 32"] }]);
    const sessions = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const client = new RawMcpClient(started.mcpUrl("fl"));
        await client.open();
        return client;
      }),
    );
    const children = descendants(started.pid).map((p) => p.pid);
    expect(children).toHaveLength(5);

    // 4 calls of 500 ms in each of the 5 sessions, and one that will not be done before the drain ends.
    const calls: Promise<RpcAnswer | Error>[] = sessions.flatMap((client) =>
      Array.from({ length: 4 }, () => client.call("sleep", { ms: 500 }).catch((error: Error) => error)),
    );
    const overlong = sessions[0]!.call("sleep", { ms: 60_000 }).catch((error: Error) => error);
    await eventually(() => sleeping(started) === calls.length + 1, "every call is in flight at a child");
    const signalled = Date.now();
    started.appliance.proc.kill("SIGTERM");

    const answers = await Promise.all(calls);
    const exitCode = await started.appliance.exited;
    const exitedAfter = Date.now() - signalled;
    const late = await overlong;

    const finished = answers.filter((a) => !(a instanceof Error) && a.answer?.result?.content?.[0]?.text === "slept").length;
    const errors = answers.filter((a) => !(a instanceof Error) && a.answer?.error !== undefined).length;
    console.log(
      `SIGTERM with ${calls.length} calls of 500 ms in flight: ${finished} finished, ${errors} JSON-RPC errors; exit ${exitCode} after ${exitedAfter} ms`,
    );
    expect(answers.filter((a) => a instanceof Error)).toEqual([]); // every client got an HTTP answer
    expect(finished).toBe(calls.length);
    expect(late).not.toBeInstanceOf(Error);
    expect((late as RpcAnswer).answer?.error?.message).toContain("shutting down");
    expect(exitCode).toBe(0);
    expect(exitedAfter).toBeLessThan(EXIT_BOUND_MS);
    expect(liveInGroups(children)).toEqual([]);
  });

  test("new sessions are refused while draining, and no child is spawned after the signal", async () => {
    const started = await startApplianceProcess([{ name: "fl", script: "flood-server.mjs" }]);
    const client = new RawMcpClient(started.mcpUrl("fl"));
    await client.open();
    // A keep-alive connection opened before the signal, used once: the listener's closing does not end it.
    const url = started.mcpUrl("fl");
    const kept = new RawConnection(Number(url.port), `GET /healthz HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    await kept.until(() => {
      const answer = kept.response();
      return answer.status > 0 && answer.body.length >= Number(answer.headers["content-length"] ?? 0);
    }, "the first answer on the kept-alive connection");
    const firstAnswer = kept.data().length;
    const received = () => kept.data().subarray(firstAnswer).toString("utf8");

    // Long enough to outlast the waits below (the binary's log reaches us in batches, once a
    // second), short enough to finish within the default 5 s drain.
    const busy = client.call("sleep", { ms: 3500 });
    await eventually(() => sleeping(started) === 1, "the call is in flight at the child");
    started.appliance.proc.kill("SIGTERM");
    await logLine(started, (line) => line.includes('"msg":"shutting down"'), "the appliance begins to drain");
    await eventually(async () => !(await accepts(Number(url.port))), "the listener is closed", 5000);
    // A new connection is refused outright; the idle kept-alive one is closed, or (had Bun kept
    // it) its initialize would be answered 503: the registry refuses sessions once draining.
    const fresh = await new RawMcpClient(url).open().then(
      () => "opened",
      (error: Error) => String(error),
    );
    expect(fresh).toContain("ECONNREFUSED");
    const initialize = JSON.stringify(initializeRequest({ client: "late" }));
    kept.write(
      `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: ${initialize.length}\r\n\r\n${initialize}`,
    );
    await kept.until(() => received().includes("shutting down") || kept.ended, "an answer to the late initialize", 5000);
    console.log(`initialize during the drain, on a connection opened before: ${received().split("\r\n")[0] || "connection closed"}`);
    if (received()) expect(received()).toMatch(/^HTTP\/1\.1 503[\s\S]*shutting down/);
    else expect(kept.ended).toBe(true);
    kept.destroy();

    expect((await busy).answer?.result?.content?.[0]?.text).toBe("slept");
    expect(await started.appliance.exited).toBe(0);
    expect(descendants(started.pid)).toEqual([]);
    // Only the busy session's child was ever started (each start is logged): none after the signal.
    expect(logged(started, "session started")).toHaveLength(1);
  });
});
