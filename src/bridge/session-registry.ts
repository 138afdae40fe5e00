// The live sessions of one configured server: creation (one child each), lookup, the cap on
// live sessions, idle reaping, and stopping them all at shutdown.
import type { StdioServerConfig } from "../config/types.ts";
import type { Logger } from "../log.ts";
import { StdioChild } from "./child.ts";
import { childEnvironment } from "./child-env.ts";

/** What the registry needs of a session, whatever transport it speaks. */
export interface LiveSession {
  readonly id: string;
  readonly idle: boolean;
  /** Requests in flight that may still be answered: shutdown waits a little for them. */
  readonly busy?: boolean;
  readonly lastActivity: number;
  tick(now: number): void;
  close(reason: string): Promise<void>;
  fromChild(line: string): void;
  oversizedFromChild(length: number, head: string, tail: string): void;
  childExited(code: number | null, signal: string | null): void;
}

export class SessionLimitError extends Error {}
export class SpawnError extends Error {}

/** At shutdown, requests in flight get this long to be answered before every session ends. */
export const SHUTDOWN_DRAIN_MS = 5000;

/** 192 bits from the CSPRNG, base64url: visible ASCII as MCP session ids must be. */
export function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return Buffer.from(bytes).toString("base64url");
}

export class SessionRegistry {
  private readonly sessions = new Map<string, LiveSession>();
  private stopping: Promise<void>[] = [];
  private closing = false;
  /** Child processes not yet exited, ended sessions' children still stopping included. */
  private children = 0;

  constructor(
    readonly server: StdioServerConfig,
    private readonly log: Logger,
    private readonly parentEnv: Record<string, string | undefined> = process.env,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  get(id: string): LiveSession | undefined {
    return this.sessions.get(id);
  }

  /**
   * Spawn a child and wrap it in a session made by `make`. Throws SessionLimitError when
   * max_sessions are live, when twice that many children have not exited yet, or when the
   * registry is shutting down; SpawnError when the command cannot be started.
   */
  create<S extends LiveSession>(make: (id: string, child: StdioChild, ended: (s: LiveSession) => void) => S): S {
    // A child spawned once closeAll has begun would outlive the appliance.
    if (this.closing) throw new SessionLimitError(`server "${this.server.name}" is shutting down`);
    if (this.sessions.size >= this.server.maxSessions) {
      throw new SessionLimitError(
        `server "${this.server.name}" already has ${this.server.maxSessions} live sessions (max_sessions); end one or try again later`,
      );
    }
    // Children of ended sessions may take the whole staged stop (3.5 s) to go: a client ending and
    // starting sessions faster than that must not pile up processes. They may add at most
    // max_sessions more, so that a client reconnecting at the cap is not refused.
    if (this.children >= 2 * this.server.maxSessions) {
      throw new SessionLimitError(
        `server "${this.server.name}" has ${this.children} child processes, ended sessions' still stopping (2 × max_sessions); try again shortly`,
      );
    }
    const id = newSessionId();
    let session: S | undefined;
    let child: StdioChild;
    try {
      child = StdioChild.spawn(
        {
          server: this.server.name,
          command: this.server.command,
          args: this.server.args,
          cwd: this.server.cwd,
          env: childEnvironment(this.parentEnv, this.server.passEnv, this.server.env),
          maxLineBytes: this.server.maxMessageBytes,
        },
        this.log,
        {
          line: (text) => session?.fromChild(text),
          oversized: (length, head, tail) => session?.oversizedFromChild(length, head, tail),
          exit: (code, signal) => {
            this.children--;
            session?.childExited(code, signal);
          },
          // Waiting requests get an error now rather than at request_timeout: no answer can come.
          stdoutClosed: () => {
            if (session) this.track(session.close("the MCP server closed its stdout"));
          },
        },
      );
    } catch (error) {
      this.log.error({ server: this.server.name, err: error }, "could not start the MCP server");
      throw new SpawnError(`the MCP server "${this.server.name}" could not be started`);
    }
    this.children++;
    session = make(id, child, (ended) => {
      if (this.sessions.get(ended.id) === ended) this.sessions.delete(ended.id);
    });
    this.sessions.set(id, session);
    this.log.info({ server: this.server.name, session: id, pid: child.pid }, "session started");
    return session;
  }

  /** About once a second: per-session deadlines and keep-alives, then idle reaping. */
  tick(now: number): void {
    for (const session of this.sessions.values()) {
      session.tick(now);
      if (session.idle && now - session.lastActivity > this.server.idleTimeoutMs) {
        this.track(session.close(`idle for more than ${Math.round(this.server.idleTimeoutMs / 1000)} s`));
      }
    }
  }

  end(id: string, reason: string): boolean {
    const session = this.sessions.get(id);
    if (!session) return false;
    this.track(session.close(reason));
    return true;
  }

  /**
   * Refuse new sessions, give requests in flight up to `drainMs` to be answered, then stop every
   * session and wait until every child process is gone.
   */
  async closeAll(reason: string, drainMs = SHUTDOWN_DRAIN_MS): Promise<void> {
    this.closing = true;
    const deadline = Date.now() + drainMs;
    while (Date.now() < deadline && [...this.sessions.values()].some((s) => s.busy)) await Bun.sleep(25);
    for (const session of [...this.sessions.values()]) this.track(session.close(reason));
    await Promise.all(this.stopping);
  }

  private track(stop: Promise<void>): void {
    this.stopping.push(stop);
    void stop.finally(() => {
      this.stopping = this.stopping.filter((p) => p !== stop);
    });
  }
}
