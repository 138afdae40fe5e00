// The shared children of one configured server, by who shares them: a principal in client mode
// (and for stateless requests in session mode), everyone in shared mode; and their supervision.
// A child that exits, is killed or refuses initialize is started again after a back-off that
// doubles with each failure in a row, from restart_backoff up to restart_backoff_max, and
// starts over once a child has served. In shared mode the next child starts as soon as the
// back-off ends (a warm child is the point of sharing); per client it starts when that client
// next needs it. Until then, attaching fails fast with ChildBackingOff. Waits are timers, never
// polling: a child that fails at once every time costs one start per restart_backoff_max.
// A child with no requester attached and nothing in flight is stopped after idle_timeout; that
// stop, and the stop at shutdown, is not a failure.
import type { StdioServerConfig } from "../../config/types.ts";
import type { Logger } from "../../log.ts";
import type { ChildChannel, ChildListener, ChildSpawner } from "./child-channel.ts";
import { watchSpawner } from "./child-watch.ts";
import { SharedChild } from "./shared-child.ts";

/** A child that exits sooner than this after it started failed, even if it answered initialize. */
const SERVED_AFTER_MS = 10_000;

type ChildState = "starting" | "running" | "backing-off" | "failed";

/** One sharer's child as /healthz shows it. Times are epoch milliseconds. */
export interface ChildStatus {
  state: ChildState;
  pid?: number;
  since: number;
  /** Backing off: when the next child may start. */
  nextTryAt?: number;
  /** Failures in a row, the last one included. */
  failures: number;
  lastExit?: { code: number | null; signal: string | null; at: number };
  /** How the last child failed, in words (exit status, refused initialize, could not be started). */
  lastFailure?: string;
  lastStderrLine?: string;
}

/** The sharer's child failed a moment ago: a new one may start in `retryAfterMs`. */
export class ChildBackingOff extends Error {
  constructor(
    server: string,
    readonly retryAfterMs: number,
  ) {
    super(`the MCP server "${server}" failed and is being restarted; try again in ${Math.ceil(retryAfterMs / 1000)} s`);
  }
}

type Supervision = Pick<StdioServerConfig, "name" | "idleTimeoutMs" | "sharing" | "restartBackoffMs" | "restartBackoffMaxMs">;

/** One child process of a sharer, with what its watch has learnt. */
interface Run {
  child: SharedChild;
  startedAt: number;
  initializing: () => boolean;
}

/** A sharer: its child when one runs, and the history supervision keeps across children. */
interface Slot {
  run?: Run;
  since: number;
  failures: number;
  retryAt?: number;
  timer?: ReturnType<typeof setTimeout>;
  lastExit?: ChildStatus["lastExit"];
  lastFailure?: string;
  lastStderrLine?: string;
  lastUsed: number;
}

export class SharedChildren {
  private readonly slots = new Map<string, Slot>();
  private closed = false;

  constructor(
    private readonly server: Supervision,
    private readonly log: Logger,
    private readonly spawn: ChildSpawner,
    /** Receives every stop begun here, so that shutdown can wait for the processes to be gone. */
    private readonly stopping: (stop: Promise<void>) => void,
  ) {}

  /**
   * A channel to the child of `sharer`, started if there is none. Throws ChildBackingOff while
   * its back-off lasts, and what spawning threw when the command cannot be started.
   */
  attach(sharer: string, listener: ChildListener): ChildChannel {
    const now = Date.now();
    let slot = this.slots.get(sharer);
    if (!slot) {
      slot = { since: now, failures: 0, lastUsed: now };
      this.slots.set(sharer, slot);
    }
    slot.lastUsed = now;
    // A refusal is seen as it is answered; this is for a child that stopped being usable otherwise.
    if (slot.run && !slot.run.child.usable) this.failed(sharer, slot, "it can no longer be used");
    if (!slot.run && slot.retryAt !== undefined && slot.retryAt > now) throw new ChildBackingOff(this.server.name, slot.retryAt - now);
    return (slot.run ?? this.start(sharer, slot)).child.attach(listener);
  }

  /** Stop the children unused for idle_timeout, and forget sharers that have not come back for as long. */
  reap(now: number): void {
    const idle = (since: number) => now - since > this.server.idleTimeoutMs;
    for (const [sharer, slot] of this.slots) {
      const child = slot.run?.child;
      if (child ? !child.unused || !idle(child.lastActivity) : !idle(slot.lastUsed)) continue;
      this.forget(sharer, slot);
      if (child) {
        this.log.info({ server: this.server.name, sharer, pid: child.pid }, "stopped a shared MCP server process unused for idle_timeout");
      }
    }
  }

  /** The sharer's child, if nothing uses it any more, stops now (its credential has ended). */
  release(sharer: string): void {
    const slot = this.slots.get(sharer);
    if (slot && (slot.run?.child.unused ?? true)) this.forget(sharer, slot);
  }

  stopAll(): void {
    this.closed = true;
    for (const [sharer, slot] of this.slots) this.forget(sharer, slot);
  }

  /** Every sharer's child, for /healthz. */
  statuses(now: number): ChildStatus[] {
    return [...this.slots.values()].map((slot) => {
      const { run, failures, lastExit, lastFailure, lastStderrLine } = slot;
      const common = { failures, lastExit, lastFailure, lastStderrLine };
      if (run) return { state: run.initializing() ? "starting" : "running", pid: run.child.pid, since: slot.since, ...common };
      // Per client, a child whose back-off is over starts when its client next needs it.
      if (slot.retryAt !== undefined && slot.retryAt > now)
        return { state: "backing-off", since: slot.since, nextTryAt: slot.retryAt, ...common };
      return { state: "failed", since: slot.since, ...common };
    });
  }

  private start(sharer: string, slot: Slot): Run {
    let run: Run | undefined;
    const watched = watchSpawner(this.spawn, {
      initialized: (ok) => {
        if (!ok && run && slot.run === run) this.failed(sharer, slot, "it refused initialize");
      },
      stderrLine: (text) => {
        if (this.slots.get(sharer) === slot) slot.lastStderrLine = text;
      },
      exited: (code, signal) => {
        if (!run || slot.run !== run) return;
        slot.lastExit = { code, signal, at: Date.now() };
        const served = !run.initializing() && Date.now() - run.startedAt >= SERVED_AFTER_MS;
        this.failed(sharer, slot, signal ? `it was killed by ${signal}` : `it exited with code ${code}`, served);
      },
    });
    let child: SharedChild;
    try {
      child = new SharedChild(this.server.name, this.log, watched.spawner);
    } catch (error) {
      this.failed(sharer, slot, `it could not be started: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
    run = { child, startedAt: Date.now(), initializing: watched.initializing };
    slot.run = run;
    slot.since = run.startedAt;
    this.log.info({ server: this.server.name, sharer, pid: child.pid }, "shared MCP server process started");
    return run;
  }

  /**
   * The sharer's child failed (`served`: after serving a while, so the back-off starts over):
   * stop what is left of it, and wait before the next. Its requesters have been told (or are,
   * as it stops) by the child's channel: sessions end, requests in flight get errors.
   */
  private failed(sharer: string, slot: Slot, how: string, served = false): void {
    const run = slot.run;
    slot.run = undefined;
    if (run) this.stopping(run.child.stop());
    const now = Date.now();
    slot.failures = served ? 1 : slot.failures + 1;
    const { restartBackoffMs: startMs, restartBackoffMaxMs: maxMs } = this.server;
    const delay = Math.min(maxMs, startMs * 2 ** Math.min(slot.failures - 1, 40));
    slot.retryAt = now + delay;
    slot.since = now;
    slot.lastFailure = how;
    this.log.warn(
      { server: this.server.name, sharer, pid: run?.child.pid, failures: slot.failures, retry_in_ms: delay },
      `the shared MCP server process failed: ${how}`,
    );
    if (this.server.sharing !== "shared" || this.closed) return;
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (this.closed || this.slots.get(sharer) !== slot || slot.run) return;
      try {
        this.start(sharer, slot);
      } catch {
        // Recorded by start(), which waits longer before the next try.
      }
    }, delay);
  }

  /** Drop a sharer: no more tries, its child (if any) stopped, which is not a failure. */
  private forget(sharer: string, slot: Slot): void {
    this.slots.delete(sharer);
    clearTimeout(slot.timer);
    const run = slot.run;
    slot.run = undefined;
    if (run) this.stopping(run.child.stop());
  }
}
