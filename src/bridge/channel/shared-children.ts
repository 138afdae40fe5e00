// The shared children of one configured server (sharing = "client" or "shared"), by who shares
// them: a principal in client mode, everyone in shared mode. A child that exited or refused
// initialize is replaced by a fresh one for the next session; one with no session attached and
// nothing in flight is stopped after idle_timeout.
import type { Logger } from "../../log.ts";
import type { ChildChannel, ChildListener, ChildSpawner } from "./child-channel.ts";
import { SharedChild } from "./shared-child.ts";

export class SharedChildren {
  private readonly children = new Map<string, SharedChild>();

  constructor(
    private readonly server: string,
    private readonly idleTimeoutMs: number,
    private readonly log: Logger,
    private readonly spawn: ChildSpawner,
  ) {}

  /** Child processes running. */
  get size(): number {
    return this.children.size;
  }

  /** A channel to the child of `sharer`, started if there is none; throws when it cannot start. */
  attach(sharer: string, listener: ChildListener, stopping: (stop: Promise<void>) => void): ChildChannel {
    let child = this.children.get(sharer);
    if (child && !child.usable) {
      this.children.delete(sharer);
      stopping(child.stop());
      child = undefined;
    }
    if (!child) {
      const started: SharedChild = new SharedChild(this.server, this.log, this.spawn, () => {
        if (this.children.get(sharer) === started) this.children.delete(sharer);
      });
      child = started;
      this.children.set(sharer, child);
      this.log.info({ server: this.server, sharer, pid: child.pid }, "shared MCP server process started");
    }
    return child.attach(listener);
  }

  /** Stop the children unused for idle_timeout; their stops go to `stopping`. */
  reap(now: number, stopping: (stop: Promise<void>) => void): void {
    for (const [sharer, child] of this.children) {
      if (!child.unused || now - child.lastActivity <= this.idleTimeoutMs) continue;
      this.children.delete(sharer);
      this.log.info({ server: this.server, sharer, pid: child.pid }, "stopped a shared MCP server process unused for idle_timeout");
      stopping(child.stop());
    }
  }

  stopAll(stopping: (stop: Promise<void>) => void): void {
    for (const child of this.children.values()) stopping(child.stop());
    this.children.clear();
  }
}
