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
  readonly lastActivity: number;
  tick(now: number): void;
  close(reason: string): Promise<void>;
  fromChild(line: string): void;
  oversizedFromChild(length: number, head: string, tail: string): void;
  childExited(code: number | null, signal: string | null): void;
}

export class SessionLimitError extends Error {}
export class SpawnError extends Error {}

/** 192 bits from the CSPRNG, base64url: visible ASCII as MCP session ids must be. */
export function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return Buffer.from(bytes).toString("base64url");
}

export class SessionRegistry {
  private readonly sessions = new Map<string, LiveSession>();
  private stopping: Promise<void>[] = [];

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
   * max_sessions are live, SpawnError when the command cannot be started.
   */
  create<S extends LiveSession>(make: (id: string, child: StdioChild, ended: (s: LiveSession) => void) => S): S {
    if (this.sessions.size >= this.server.maxSessions) {
      throw new SessionLimitError(
        `server "${this.server.name}" already has ${this.server.maxSessions} live sessions (max_sessions); end one or try again later`,
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
          exit: (code, signal) => session?.childExited(code, signal),
        },
      );
    } catch (error) {
      this.log.error({ server: this.server.name, err: error }, "could not start the MCP server");
      throw new SpawnError(`the MCP server "${this.server.name}" could not be started`);
    }
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

  /** Stop every session and wait until every child process is gone. */
  async closeAll(reason: string): Promise<void> {
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
