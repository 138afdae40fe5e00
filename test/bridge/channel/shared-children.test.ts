// Supervision of shared children with scripted fake children: the back-off schedule (doubling up
// to the cap, starting over after a child that served), eager restarts in shared mode and lazy
// ones per client, failing fast while backing off, what counts as a failure (an exit, a kill, a
// refused initialize, a command that cannot start) and what does not (reaping, shutdown), and
// the statuses /healthz shows.
import { afterEach, describe, expect, setSystemTime, test } from "bun:test";
import type { ChildSpawner } from "../../../src/bridge/channel/child-channel.ts";
import { ChildBackingOff, SharedChildren } from "../../../src/bridge/channel/shared-children.ts";
import { createLogger } from "../../../src/log.ts";
import { FakeChild, initializingScript, type Message, notification, RecordingListener, request, settled } from "./fake-child.ts";

// Failures are logged as warnings; keep them off the output.
const log = createLogger("error", { write: () => {} });

type Options = ConstructorParameters<typeof SharedChildren>[0];

function setup(overrides: Partial<Options> = {}, script: (m: Message, c: FakeChild) => void = initializingScript()) {
  const spawned: FakeChild[] = [];
  const startedAt: number[] = [];
  const waiting: (() => void)[] = [];
  let refuse: Error | undefined;
  const spawn: ChildSpawner = (events) => {
    if (refuse) throw refuse;
    const child = new FakeChild();
    child.script = script;
    spawned.push(child);
    startedAt.push(performance.now());
    for (const wake of waiting.splice(0)) wake();
    return child.spawner(events);
  };
  const options: Options = {
    name: "fake",
    idleTimeoutMs: 60_000,
    sharing: "shared",
    restartBackoffMs: 20,
    restartBackoffMaxMs: 80,
    ...overrides,
  };
  const stops: Promise<void>[] = [];
  const children = new SharedChildren(options, log, spawn, (stop) => stops.push(stop));
  /** Resolves once `n` children have been spawned. */
  const spawns = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (spawned.length >= n ? resolve() : waiting.push(check));
      check();
    });
  return { children, spawned, startedAt, spawns, stops, refuseSpawns: (error: Error | undefined) => (refuse = error) };
}

function initialize(channel: { send(line: string): boolean }) {
  channel.send(request(1, "initialize", { protocolVersion: "2025-11-25", capabilities: {} }));
  channel.send(notification("notifications/initialized"));
}

/** What attach throws, which must be a ChildBackingOff. */
function backingOff(attach: () => unknown): ChildBackingOff {
  try {
    attach();
  } catch (error) {
    if (error instanceof ChildBackingOff) return error;
    throw error;
  }
  throw new Error("attach did not back off");
}

afterEach(() => setSystemTime());

describe("shared children under supervision", () => {
  test("shared mode: a child that fails at once every time starts again after waits that double up to the cap", async () => {
    const { children, spawned, startedAt, spawns } = setup();
    children.attach("everyone", new RecordingListener());
    const delays = [20, 40, 80, 80, 80];
    for (const [i, delay] of delays.entries()) {
      await spawns(i + 1);
      spawned[i]!.exit(1);
      const failedAt = performance.now();
      const [status] = children.statuses(Date.now());
      expect(status).toMatchObject({
        state: "backing-off",
        failures: i + 1,
        lastExit: { code: 1, signal: null },
        lastFailure: "it exited with code 1",
      });
      expect(status!.nextTryAt! - status!.since).toBe(delay);
      // Meanwhile a requester is refused at once, told how long to wait.
      const refused = backingOff(() => children.attach("everyone", new RecordingListener()));
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(delay);
      await spawns(i + 2);
      // Never sooner than the schedule: no busy loop.
      expect(startedAt[i + 1]! - failedAt).toBeGreaterThanOrEqual(delay);
    }
    expect(children.statuses(Date.now())[0]).toMatchObject({ state: "running", failures: delays.length });
    children.stopAll();
  });

  test("a crash reaches the requesters; the next child serves; one that had served a while starts the back-off over", async () => {
    const { children, spawned, spawns } = setup();
    const first = new RecordingListener();
    initialize(children.attach("everyone", first));
    spawned[0]!.kill();
    expect(first.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(children.statuses(Date.now())[0]).toMatchObject({ failures: 1, lastFailure: "it was killed by SIGKILL" });

    await spawns(2);
    const second = new RecordingListener();
    initialize(children.attach("everyone", second));
    await settled();
    expect(spawned[1]!.sent("initialize")).toHaveLength(1);
    expect(second.messages[0]).toMatchObject({ id: 1, result: { serverInfo: { name: "fake" } } });
    expect(children.statuses(Date.now())[0]).toMatchObject({ state: "running", failures: 1 });

    // It served for longer than a failing start could: its crash waits the first back-off again.
    setSystemTime(new Date(Date.now() + 60_000));
    spawned[1]!.exit(1);
    const [status] = children.statuses(Date.now());
    expect(status).toMatchObject({ state: "backing-off", failures: 1 });
    expect(status!.nextTryAt! - status!.since).toBe(20);
    children.stopAll();
  });

  test("a child still waiting for its initialize answer is starting, and its exit is a failure however late", async () => {
    const { children, spawned, spawns } = setup({}, () => {});
    const listener = new RecordingListener();
    initialize(children.attach("everyone", listener));
    expect(children.statuses(Date.now())[0]).toMatchObject({ state: "starting", pid: 4242 });
    spawned[0]!.exit(1);
    await spawns(2);
    initialize(children.attach("everyone", listener));
    setSystemTime(new Date(Date.now() + 60_000));
    spawned[1]!.exit(1);
    expect(children.statuses(Date.now())[0]).toMatchObject({ state: "backing-off", failures: 2 });
    children.stopAll();
  });

  test("a refused initialize is a failure: the waiting requester has the answer, the child is stopped, the next one waits", async () => {
    const { children, spawned, spawns } = setup({}, (m, c) => {
      if (m.method === "initialize") c.write({ id: m.id, error: { code: -32602, message: "no such protocol" } });
    });
    const listener = new RecordingListener();
    initialize(children.attach("everyone", listener));
    await settled();
    expect(listener.messages[0]).toMatchObject({ id: 1, error: { message: "no such protocol" } });
    expect(spawned[0]!.stopped).toBe(true);
    expect(children.statuses(Date.now())[0]).toMatchObject({ state: "backing-off", failures: 1, lastFailure: "it refused initialize" });
    await spawns(2);
    children.stopAll();
  });

  test("client mode: a crashed child is replaced when its client next needs it, after the back-off; other clients go on", async () => {
    const { children, spawned } = setup({ sharing: "client" });
    children.attach("alice", new RecordingListener());
    children.attach("bob", new RecordingListener());
    spawned[0]!.stderr("alice's child: lost the database");
    spawned[0]!.exit(2);
    expect(backingOff(() => children.attach("alice", new RecordingListener())).retryAfterMs).toBeLessThanOrEqual(20);
    children.attach("bob", new RecordingListener());
    expect(spawned).toHaveLength(2);

    // Its back-off is over, but nobody asked: no child starts on its own. That nothing happened
    // shows only once the time has passed: five times the 20 ms back-off, no event to wait for.
    await Bun.sleep(100);
    expect(spawned).toHaveLength(2);
    const statuses = children.statuses(Date.now());
    expect(statuses[0]).toMatchObject({
      state: "failed",
      failures: 1,
      lastExit: { code: 2 },
      lastStderrLine: "alice's child: lost the database",
    });
    expect(statuses[1]).toMatchObject({ state: "running" });

    children.attach("alice", new RecordingListener());
    expect(spawned).toHaveLength(3);
    expect(children.statuses(Date.now())[0]).toMatchObject({ state: "running", failures: 1 });
    children.stopAll();
  });

  test("a command that cannot start: its error is thrown, and attaching again backs off", () => {
    const { children, refuseSpawns } = setup({ sharing: "client" });
    refuseSpawns(new Error("ENOENT: no such file or directory, posix_spawn 'nope'"));
    expect(() => children.attach("alice", new RecordingListener())).toThrow("ENOENT");
    backingOff(() => children.attach("alice", new RecordingListener()));
    expect(children.statuses(Date.now())[0]).toMatchObject({
      state: "backing-off",
      lastFailure: "it could not be started: ENOENT: no such file or directory, posix_spawn 'nope'",
    });
    // Past the back-off the next attach tries again, and fails with the command's error again.
    setSystemTime(new Date(Date.now() + 1000));
    expect(() => children.attach("alice", new RecordingListener())).toThrow("ENOENT");
    expect(children.statuses(Date.now())[0]).toMatchObject({ failures: 2 });
  });

  test("stops by idle reaping and at shutdown are not failures: nothing starts again, no back-off is left", async () => {
    const { children, spawned, stops } = setup({ idleTimeoutMs: 1000 });
    const channel = children.attach("everyone", new RecordingListener());
    await channel.stop();
    children.reap(Date.now() + 2000);
    expect(spawned[0]!.stopped).toBe(true);
    spawned[0]!.exit(0);
    expect(children.statuses(Date.now())).toEqual([]);

    // At shutdown: a running child and a pending restart are both dropped.
    children.attach("everyone", new RecordingListener());
    spawned[1]!.exit(1);
    children.stopAll();
    // The restart that was pending would have come after 20 ms: wait past it, then none came.
    await Bun.sleep(100);
    expect(spawned).toHaveLength(2);
    expect(children.statuses(Date.now())).toEqual([]);
    expect(stops.length).toBeGreaterThanOrEqual(2);
  });

  test("a client that does not come back for idle_timeout is forgotten with its back-off", () => {
    const { children, spawned } = setup({ sharing: "client", idleTimeoutMs: 1000 });
    children.attach("alice", new RecordingListener());
    spawned[0]!.exit(1);
    children.reap(Date.now() + 500);
    expect(children.statuses(Date.now())).toHaveLength(1);
    children.reap(Date.now() + 2000);
    expect(children.statuses(Date.now())).toEqual([]);
  });
});
