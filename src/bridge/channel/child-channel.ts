// The seam between sessions and children. A session (either transport, either sharing mode)
// talks to "its child" through a ChildChannel and hears from it as a ChildListener; whether
// the child is its own process (sharing = "session") or a port of a child shared with other
// sessions (shared-child.ts) is not its concern. The channel layer in turn needs only a
// ChildProcessHandle of a process, so a scripted fake child drives it in unit tests.
import type { ChildEvents } from "../child.ts";
import type { JsonRpcId } from "../jsonrpc.ts";

/** What a session hears from its child. */
export interface ChildListener {
  /**
   * One message for this session. `relatedTo` is the session's own id of the request the
   * message concerns, when the channel knows it (a shared child's progress or request).
   */
  fromChild(line: string, relatedTo?: JsonRpcId): void;
  /** A line longer than max_message_size, of which only the ends were kept. */
  oversizedFromChild(length: number, head: string, tail: string): void;
  childExited(code: number | null, signal: string | null): void;
  /**
   * A stateless (2026-07-28) request's port: log messages reach it only when they concern its
   * request, not every requester that asked for logs.
   */
  readonly perRequest?: boolean;
  /**
   * Waiting for its client's input (a 2026-07-28 call between rounds): the child's new requests
   * are not this requester's, whatever else is in flight.
   */
  readonly awaitingInput?: boolean;
  /** The client capabilities a child started by this requester is told of, if not its own initialize's. */
  readonly relayable?: Record<string, unknown>;
}

/** A session's end of a child. */
export interface ChildChannel {
  /** One client message, on one line. False when the child can no longer take it. */
  send(line: string): boolean;
  /** The session is done with the child: its own child stops, a shared one forgets the session. */
  stop(): Promise<void>;
  /**
   * The child speaks MCP 2026-07-28 itself (channel/era-probe.ts): known by the time the
   * channel answers its first message. Absent or false: a 2025 child.
   */
  readonly modern?: boolean;
}

/** What the channel layer needs of a child process (a StdioChild, or a fake one in tests). */
export interface ChildProcessHandle {
  readonly pid: number;
  send(line: string): boolean;
  stop(): Promise<void>;
}

/** Starts a child process whose output goes to `events`; throws when it cannot be started. */
export type ChildSpawner = (events: ChildEvents) => ChildProcessHandle;
