// The soak in the test command (issue 6, load): a minute of steady calls over several sessions
// against the compiled binary, zero errors and flat memory. Alongside it, for the same minute,
// connections that only Bun's idle timeout can end: a request body that never finishes and a
// reader that stopped reading a large response. They must be closed within the idle timeout
// while the soak's clients (and one more) are served as usual. The long soak is scripts/soak.ts.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Socket } from "node:net";
import { eventually } from "../helpers/appliance.ts";
import { type StartedProcess, startApplianceProcess } from "../helpers/appliance-process.ts";
import { descendants, fdCount, fdKinds, MiB, mib, serverConnections, tcpSocket } from "../helpers/machine.ts";
import { RawMcpClient } from "../helpers/mcp-raw.ts";
import { RawConnection } from "../helpers/raw-http.ts";
import { describeSoak, soak } from "./soak-driver.ts";

const SOAK_MS = 60_000;
const SESSIONS = 8;
const IDLE_TIMEOUT_S = 60; // src/app.ts: Bun's idleTimeout for every connection

let started: StartedProcess;
let baseline: { fds: number; kinds: Record<string, number> };

beforeAll(async () => {
  // The soak's 8 clients and the slowloris test's own session, running alongside, all come from
  // this one address: one client, as max_sessions_per_client counts.
  started = await startApplianceProcess(
    [
      { name: "fx", script: "behaviour-server.mjs" },
      { name: "fl", script: "flood-server.mjs" },
    ],
    { limits: [`max_sessions_per_client = ${2 * SESSIONS}`] },
  );
  baseline = { fds: fdCount(started.pid), kinds: fdKinds(started.pid) };
});
afterAll(async () => {
  expect(await started.stop()).toBe(0);
});

/**
 * A raw connection; `closed` resolves when the appliance has closed it: seen by the socket, or,
 * for a socket that no longer reads (its end of stream waits behind unread data), from the
 * kernel's table: the appliance's side of the connection is no longer held by any process.
 */
function slowConnection(
  first: string,
  options: { stopReading?: boolean } = {},
): { socket: Socket; closed: Promise<number>; received: () => number } {
  const serverPort = Number(new URL(started.url).port);
  const connection = new RawConnection(serverPort, first, 0);
  const { socket } = connection;
  if (options.stopReading) socket.on("connect", () => socket.pause());
  const closed = new Promise<number>((resolve) => {
    void connection.closed.then(resolve);
    let accepted = false; // a connection not yet accepted is not owned either
    const watch = setInterval(() => {
      if (!socket.localPort) return;
      const owned = tcpSocket(serverPort, socket.localPort)?.owned ?? false;
      if (owned) accepted = true;
      else if (accepted) {
        clearInterval(watch);
        resolve(Date.now());
      }
    }, 100);
    socket.on("close", () => clearInterval(watch));
  });
  return { socket, closed, received: () => connection.received() };
}

test.concurrent("slowloris bodies and stalled readers are closed within the idle timeout; other clients are served meanwhile", async () => {
  const url = started.mcpUrl("fx");
  const client = new RawMcpClient(url);
  await client.open();
  const streamer = new RawMcpClient(started.mcpUrl("fl"));
  await streamer.open();

  const began = Date.now();
  // Request heads complete, bodies promised (Content-Length) but never finished.
  const bodies = Array.from({ length: 10 }, () =>
    slowConnection(
      `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n` +
        `Mcp-Session-Id: ${client.sessionId}\r\nContent-Length: 1000\r\n\r\n{"jsonrpc":"2.0",`,
    ),
  );
  // A client that asked for 12.5 MiB (below streamBufferBytes, so only the idle timeout can help) and stopped reading.
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id: "stalled",
    method: "tools/call",
    params: { name: "stream", arguments: { count: 200, bytes: 64 * 1024 } },
  });
  const flUrl = started.mcpUrl("fl");
  const stalled = slowConnection(
    `POST ${flUrl.pathname} HTTP/1.1\r\nHost: ${flUrl.host}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n` +
      `Mcp-Session-Id: ${streamer.sessionId}\r\nMcp-Protocol-Version: 2025-11-25\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    { stopReading: true },
  );

  const slow = [...bodies, stalled];
  let allClosed = false;
  const closedAt = Promise.all(slow.map((s) => s.closed)).then((times) => {
    allClosed = true;
    return times;
  });
  const latencies: number[] = [];
  while (!allClosed && Date.now() - began < (IDLE_TIMEOUT_S + 15) * 1000) {
    const t = performance.now();
    expect(await client.callText("echo", { text: "served" })).toBe("served");
    latencies.push(performance.now() - t);
    // Pacing of the other client's requests, not a wait for what is tested: the loop ends on
    // the slow connections' close events.
    await Bun.sleep(500);
  }
  const times = await closedAt;
  const bodyTimes = times.slice(0, bodies.length).map((t) => (t - began) / 1000);
  const stalledTime = (times.at(-1)! - began) / 1000;
  console.log(
    `slowloris: ${bodies.length} unfinished bodies closed after ${Math.min(...bodyTimes).toFixed(1)}–${Math.max(...bodyTimes).toFixed(1)} s; ` +
      `a reader stalled with ${mib(stalled.received())} of 12.5 MiB in its socket closed after ${stalledTime.toFixed(1)} s; ` +
      `another client meanwhile: ${latencies.length} requests, slowest ${Math.max(...latencies).toFixed(0)} ms`,
  );
  for (const t of [...bodyTimes, stalledTime]) expect(t).toBeLessThan(IDLE_TIMEOUT_S + 15);
  expect(Math.max(...latencies)).toBeLessThan(2000);
  stalled.socket.destroy();
  // The session of the stalled stream survives the closed connection.
  expect((await streamer.request("ping")).status).toBe(200);
  expect(await streamer.close()).toBe(200);
  expect(await client.close()).toBe(200);
});

test.concurrent(`soak: ${SOAK_MS / 1000} s of steady calls over ${SESSIONS} sessions, zero errors, flat memory`, async () => {
  const figures = await soak(started, "fx", { durationMs: SOAK_MS, sessions: SESSIONS, warmupMs: 10_000, callsPerSession: 250 });
  console.log(describeSoak(figures, SESSIONS));
  expect(figures.errors).toEqual([]);
  expect(figures.calls).toBeGreaterThan(1000);
  // A bound on leaks, not on the collector's mood: growth after the warm-up stays small.
  expect(figures.rssAtEnd - figures.rssAfterWarmup).toBeLessThan(48 * MiB);
  expect(figures.fdsAtEnd).toBeLessThanOrEqual(figures.fdsAfterWarmup + 2);
});

test("afterwards: no child is left, no pipe of one, no half-closed connection", async () => {
  await eventually(() => descendants(started.pid).length === 0, "every child is gone");
  // Each child is three pipes; sockets are the clients' keep-alive connections, closed by idle timeout.
  await eventually(() => (fdKinds(started.pid).pipe ?? 0) <= (baseline.kinds.pipe ?? 0), "no child's pipe is left", 15_000);
  // No connection held after its client left (the slow ones included).
  await eventually(
    () => !serverConnections(Number(new URL(started.url).port)).includes("CLOSE_WAIT"),
    "no connection in CLOSE_WAIT",
    15_000,
  );
  console.log(
    `after the soak: ${descendants(started.pid).length} processes left; fds ${JSON.stringify(baseline.kinds)} at the start → ${JSON.stringify(fdKinds(started.pid))}`,
  );
});
