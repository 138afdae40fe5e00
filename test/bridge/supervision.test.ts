// Supervision of shared children with the real appliance and real children: kill -9 of the
// shared child under load (the requests in flight get JSON-RPC errors, not a hang; the child is
// back after the back-off; clients that re-initialize are served; /healthz tells each stage),
// and a child that exits at once every time (the waits double up to the cap and stay there: a
// start per back-off, never more). In both, no process is left once the appliance has stopped.
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { eventually, FIXTURES, startTestAppliance, stdioServer } from "../helpers/appliance.ts";
import { initializeRequest } from "../helpers/mcp-raw.ts";
import { callText, connectClient, processesWith, sharingServer } from "./sharing-helpers.ts";

interface ChildView {
  state: string;
  pid?: number;
  since: string;
  next_try?: string;
  failures: number;
  last_exit?: { code: number | null; signal: string | null; at: string };
  last_failure?: string;
  last_stderr?: string;
}
interface Health {
  status: string;
  servers: Record<string, { status: string; sharing: string; children: ChildView[] }>;
}

async function health(base: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Health }> {
  const response = await fetch(new URL("/healthz", base), { headers });
  return { status: response.status, body: (await response.json()) as Health };
}

const gone = (pid: number) => !existsSync(`/proc/${pid}`);

/** The appliance's log lines with this message, parsed. */
function logged(logs: string[], msg: string): { time: string; pid?: number }[] {
  return logs.map((line) => JSON.parse(line)).filter((entry) => entry.msg === msg);
}

describe("supervision of shared children", () => {
  test("kill -9 of the shared child under load: errors at once, back after the back-off, served again, /healthz tells", async () => {
    const backoffMs = 2000;
    const { marker, config } = sharingServer("crashy", "shared", { restartBackoffMs: backoffMs, restartBackoffMaxMs: 4 * backoffMs });
    const appliance = await startTestAppliance([config]);
    const seen = new Set<number>();
    try {
      const url = appliance.mcpUrl("crashy");
      const clients = await Promise.all([1, 2, 3].map(() => connectClient(url, "")));
      const [pid] = processesWith(marker);
      expect(pid).toBeNumber();
      seen.add(pid!);
      expect(await health(appliance.url)).toMatchObject({
        status: 200,
        body: { servers: { crashy: { children: [{ state: "running", pid }] } } },
      });

      // Load: each client has a long call in flight at the child (its progress proves it) and a stream of short ones.
      let stop = false;
      const loops = clients.map(async ({ client }) => {
        let served = 0;
        while (!stop) {
          try {
            await callText(client, "echo", { text: "x", delayMs: 5 });
            served++;
          } catch {
            return served;
          }
        }
        return served;
      });
      const long = clients.map(({ client }) => {
        let inFlight!: () => void;
        const started = new Promise<void>((resolve) => (inFlight = resolve));
        const call = client
          .callTool({ name: "progress", arguments: { steps: 100_000, delayMs: 10, text: "long" } }, undefined, {
            onprogress: () => inFlight(),
            timeout: 120_000,
          })
          .then(
            () => new Error("the long call was answered"),
            (error: Error) => ({ error }),
          );
        return { started, call };
      });
      await Promise.all(long.map((l) => l.started));

      process.kill(pid!, "SIGKILL");
      for (const { call } of long) {
        const outcome = await call;
        if (outcome instanceof Error) throw outcome;
        // The child's exit, not request_timeout (a minute): an error, not a hang.
        expect(outcome.error.message).toContain("the MCP server process exited (signal SIGKILL)");
      }
      stop = true;
      await Promise.all(loops);

      // Backing off: /healthz says so, and says when the next child starts.
      const during = await health(appliance.url);
      expect(during.status).toBe(503);
      const [backingOff] = during.body.servers.crashy!.children;
      expect(during.body.status).toBe("degraded");
      expect(backingOff).toMatchObject({ state: "backing-off", failures: 1, last_exit: { code: null, signal: "SIGKILL" } });
      expect(Date.parse(backingOff!.next_try!) - Date.parse(backingOff!.since)).toBe(backoffMs);

      // Ended sessions answer 404 (MCP transports §Session Management), so clients start new ones.
      const ended = await clients[0]!.client.callTool({ name: "echo", arguments: { text: "again" } }).catch((error: Error) => error);
      expect(String(ended)).toMatch(/404|not found/i);

      await eventually(() => processesWith(marker).some((p) => p !== pid), "the shared child is started again", 4 * backoffMs);
      const [restarted] = processesWith(marker);
      seen.add(restarted!);
      const after = await health(appliance.url);
      const [running] = after.body.servers.crashy!.children;
      expect(after.status).toBe(200);
      expect(running).toMatchObject({ state: "running", pid: restarted, failures: 1, last_exit: { signal: "SIGKILL" } });
      // Not before the back-off was over.
      expect(Date.parse(running!.since)).toBeGreaterThanOrEqual(Date.parse(backingOff!.next_try!));

      const fresh = await Promise.all([1, 2].map(() => connectClient(url, "")));
      for (const [i, { client }] of fresh.entries()) expect(await callText(client, "echo", { text: `after ${i}` })).toBe(`after ${i}`);
      expect(processesWith(marker)).toEqual([restarted!]);
      for (const c of fresh) await c.close();
      for (const c of clients) await c.client.close();
    } finally {
      await appliance.stop();
    }
    for (const pid of seen) expect(gone(pid)).toBe(true);
    expect(processesWith(marker)).toEqual([]);
  });

  test("a child that exits at once: the back-off doubles to the cap and stays there, a start per wait, never more", async () => {
    const marker = `--marker=exits-${process.pid}`;
    const schedule = [20, 40, 80, 160, 200, 200, 200, 200];
    const server = stdioServer("exits", "exit-at-once.mjs", {
      args: [join(FIXTURES, "exit-at-once.mjs"), marker],
      sharing: "shared",
      restartBackoffMs: 20,
      restartBackoffMaxMs: 200,
    });
    const appliance = await startTestAppliance([server]);
    const starts = () => logged(appliance.logs, "shared MCP server process started");
    try {
      // The first session starts the child; it is gone before it can answer.
      const first = await fetch(appliance.mcpUrl("exits"), {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify(initializeRequest({ client: "x" })),
      });
      await first.body?.cancel();
      await eventually(() => starts().length > schedule.length, `${schedule.length} restarts`, 20_000);

      const times = starts().map((s) => Date.parse(s.time));
      for (const [i, delay] of schedule.entries()) expect(times[i + 1]! - times[i]!).toBeGreaterThanOrEqual(delay);

      // Backing off at the cap, 503: what failed is shown to a request from this machine ...
      await eventually(async () => (await health(appliance.url)).status === 503, "/healthz answers 503 while it backs off");
      const { body } = await health(appliance.url);
      expect(body.servers.exits!.status).toBe("down");
      const [child] = body.servers.exits!.children;
      expect(child!.failures).toBeGreaterThan(schedule.length);
      expect(child!.last_exit).toEqual({ code: 3, signal: null, at: expect.any(String) });
      expect(child!.last_failure).toBe("it exited with code 3");
      expect(child!.last_stderr).toBe(`fatal: no configuration found ${marker}`);
      // ... and not through a proxy, as the line may hold what only the operator may see: only
      // the bare status goes there (src/http/health.ts).
      const proxied = await health(appliance.url, { "x-forwarded-for": "203.0.113.7" });
      expect(proxied.status).toBe(503);
      expect(proxied.body).toEqual({ status: "degraded" } as typeof proxied.body);

      // A new session meanwhile is refused at once, with the wait.
      await eventually(async () => {
        const response = await fetch(appliance.mcpUrl("exits"), {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
          body: JSON.stringify(initializeRequest({ client: "x" })),
        });
        await response.body?.cancel();
        return response.status === 503 && Number(response.headers.get("retry-after")) >= 1;
      }, "a new session is refused with 503 and Retry-After while backing off");
    } finally {
      await appliance.stop();
    }
    const pids = starts().map((s) => s.pid!);
    expect(pids.length).toBeGreaterThan(schedule.length);
    // Nothing starts once the appliance has stopped, and nothing is left. An absence: it shows
    // after twice the 200 ms cap of the back-off, when a pending start would have come.
    const count = pids.length;
    await Bun.sleep(400);
    expect(starts().length).toBe(count);
    for (const pid of pids) expect(gone(pid)).toBe(true);
    expect(processesWith(marker)).toEqual([]);
  });
});
