// A scripted stand-in for a child process, for unit tests of the channel layer: it records what
// it is sent, and the test (or a script) writes its answers as the child would.
import type { ChildListener, ChildProcessHandle, ChildSpawner } from "../../../src/bridge/channel/child-channel.ts";
import type { ChildEvents } from "../../../src/bridge/child.ts";
import type { JsonRpcId } from "../../../src/bridge/jsonrpc.ts";

export type Message = Record<string, unknown> & { id?: JsonRpcId; method?: string; params?: Record<string, unknown> };

export class FakeChild implements ChildProcessHandle {
  readonly pid = 4242;
  readonly lines: string[] = [];
  events!: ChildEvents;
  stopped = false;
  /** Called for each message sent to the child, after it is recorded. */
  script: (message: Message, child: FakeChild) => void = () => {};

  readonly spawner: ChildSpawner = (events) => {
    this.events = events;
    return this;
  };

  get received(): Message[] {
    return this.lines.map((line) => JSON.parse(line));
  }

  /** The messages received with this method. */
  sent(method: string): Message[] {
    return this.received.filter((m) => m.method === method);
  }

  send(line: string): boolean {
    if (this.stopped) return false;
    this.lines.push(line);
    this.script(JSON.parse(line), this);
    return true;
  }

  stop(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }

  write(message: Message | string): void {
    this.events.line(typeof message === "string" ? message : JSON.stringify({ jsonrpc: "2.0", ...message }));
  }

  exit(code: number): void {
    this.stopped = true;
    this.events.exit(code, null);
  }

  /** Killed by a signal, as kill -9 would. */
  kill(signal = "SIGKILL"): void {
    this.stopped = true;
    this.events.exit(null, signal);
  }

  /** A line on stderr. */
  stderr(text: string): void {
    this.events.stderrLine?.(text);
  }
}

/** A session as the channel sees it: what reached it, and with which related request. */
export class RecordingListener implements ChildListener {
  readonly lines: string[] = [];
  readonly related: (JsonRpcId | undefined)[] = [];
  exited: { code: number | null; signal: string | null } | undefined;

  get messages(): Message[] {
    return this.lines.map((line) => JSON.parse(line));
  }

  fromChild(line: string, relatedTo?: JsonRpcId): void {
    this.lines.push(line);
    this.related.push(relatedTo);
  }

  oversizedFromChild(): void {}

  childExited(code: number | null, signal: string | null): void {
    this.exited = { code, signal };
  }
}

/** A child that answers the appliance's initialize like a 2025-11-25 server. */
export function initializingScript(version = "2025-11-25"): (message: Message, child: FakeChild) => void {
  return (message, child) => {
    if (message.method === "initialize") {
      child.write({
        id: message.id,
        result: {
          protocolVersion: version,
          capabilities: { tools: { listChanged: true }, resources: { subscribe: true } },
          serverInfo: { name: "fake", version: "1" },
        },
      });
    }
  };
}

export const request = (id: JsonRpcId, method: string, params: Record<string, unknown> = {}) =>
  JSON.stringify({ jsonrpc: "2.0", id, method, params });
export const notification = (method: string, params: Record<string, unknown> = {}) => JSON.stringify({ jsonrpc: "2.0", method, params });

/** Let queued microtasks (answers the channel gives itself) run. */
export const settled = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
