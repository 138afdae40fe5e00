// What supervision needs to know of one shared child, learnt from its traffic without touching
// it: whether the appliance's initialize is still waiting for an answer (MCP 2025-11-25
// lifecycle §Initialization: a child is not serving until it answered), whether it refused it,
// its last stderr line, and how it exited. The messages pass through unchanged.
import { idKey, peek } from "../jsonrpc.ts";
import type { ChildSpawner } from "./child-channel.ts";

interface ChildWatcher {
  /** The child answered the appliance's initialize: `ok` false when it refused. */
  initialized(ok: boolean): void;
  stderrLine(text: string): void;
  /** After the channel has told every requester. */
  exited(code: number | null, signal: string | null): void;
}

/** `spawn`, with what the child does reported to `watcher`; `initializing()` tells whether an initialize waits. */
export function watchSpawner(spawn: ChildSpawner, watcher: ChildWatcher): { spawner: ChildSpawner; initializing: () => boolean } {
  // The id of the appliance's initialize in flight. Lines are parsed only while it is set, and
  // sent lines only when they may be an initialize: the watch costs nothing once it answered.
  let pending: string | undefined;
  let answered = false;
  const spawner: ChildSpawner = (events) => {
    const handle = spawn({
      ...events,
      line: (text) => {
        events.line(text);
        if (pending === undefined) return;
        const peeked = peek(text);
        if (!peeked.ok || peeked.value.kind !== "response" || peeked.value.id === null || idKey(peeked.value.id) !== pending) return;
        pending = undefined;
        answered = true;
        watcher.initialized(!peeked.value.isError);
      },
      stderrLine: (text) => {
        events.stderrLine?.(text);
        watcher.stderrLine(text);
      },
      exit: (code, signal) => {
        events.exit(code, signal);
        watcher.exited(code, signal);
      },
    });
    return {
      pid: handle.pid,
      stop: () => handle.stop(),
      send: (line) => {
        if (!answered && pending === undefined && line.includes('"initialize"')) {
          const peeked = peek(line);
          if (peeked.ok && peeked.value.kind === "request" && peeked.value.method === "initialize") pending = idKey(peeked.value.id);
        }
        return handle.send(line);
      },
    };
  };
  return { spawner, initializing: () => pending !== undefined };
}
