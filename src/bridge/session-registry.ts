// The live sessions of one configured server: creation (on a child of their own, or on a child
// shared per client or by everyone: [servers.<name>] sharing), lookup, the caps on live sessions
// (max_sessions, and [limits] max_sessions_per_client), idle reaping, and stopping them all at
// shutdown.
import type { CredentialState } from "../common/credential-state.ts";
import type { LimitsConfig, StdioServerConfig } from "../config/types.ts";
import type { Logger } from "../log.ts";
import type { ChildChannel, ChildListener } from "./channel/child-channel.ts";
import { EraProbe } from "./channel/era-probe.ts";
import { ChildBackingOff, type ChildStatus, SharedChildren } from "./channel/shared-children.ts";
import { type ChildEvents, StdioChild } from "./child.ts";
import { childEnvironment } from "./child-env.ts";
import { CredentialWatch } from "./credential-watch.ts";
import { jsonRpcErrorResponse, tooManyRequestsResponse } from "./http-responses.ts";
import { ErrorCode } from "./jsonrpc.ts";

/** What the registry needs of a session, whatever transport it speaks. */
export interface LiveSession extends ChildListener {
  readonly id: string;
  readonly idle: boolean;
  /** Requests in flight that may still be answered: shutdown waits a little for them. */
  readonly busy?: boolean;
  readonly lastActivity: number;
  tick(now: number): void;
  close(reason: string): Promise<void>;
}

/** The [limits] a server's sessions obey. */
export type SessionLimits = Pick<LimitsConfig, "maxSessionsPerClient" | "maxRequestsPerSession" | "maxStreamsPerSession">;

/**
 * A new session refused. 503 when the server cannot take one (max_sessions, shutting down):
 * the wait is the server's; 429 when this client holds its share (max_sessions_per_client).
 */
export class SessionLimitError extends Error {
  constructor(
    message: string,
    readonly status: 429 | 503 = 503,
    // Sessions end on DELETE, idle_timeout or a closed legacy stream: seconds at best.
    readonly retryAfterS = 5,
  ) {
    super(message);
  }

  response(): Response {
    if (this.status === 429) return tooManyRequestsResponse(this.message, this.retryAfterS);
    return jsonRpcErrorResponse(503, ErrorCode.ServerUnavailable, this.message, { headers: { "retry-after": String(this.retryAfterS) } });
  }
}
export class SpawnError extends Error {}

/** Work beside the sessions (stateless requests): ticked with them, drained and stopped with them. */
interface Housekeeper {
  readonly busy: boolean;
  tick(now: number): void;
  close(reason: string): void;
}

/** 192 bits from the CSPRNG, base64url: visible ASCII as MCP session ids must be. */
function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return Buffer.from(bytes).toString("base64url");
}

export class SessionRegistry {
  private readonly sessions = new Map<string, LiveSession>();
  /** Who opened each live session, and how many each client holds (max_sessions_per_client). */
  private readonly clientOf = new Map<string, string>();
  private readonly heldBy = new Map<string, number>();
  private stopping: Promise<void>[] = [];
  private closing = false;
  /** Sessions' own child processes not yet exited, ended sessions' children still stopping included. */
  private children = 0;
  /**
   * Shared children: they serve stateless (2026-07-28) requests, per client unless sharing =
   * "shared", and sessions too unless each session has its own (sharing = "session").
   */
  private readonly shared: SharedChildren;
  private readonly sessionsShare: boolean;
  private readonly housekeepers: Housekeeper[] = [];
  /** The credentials of open streams and live sessions (with auth on), checked every second. */
  readonly credentials = new CredentialWatch();
  private credentialState: ((credential: string) => CredentialState) | undefined;

  constructor(
    readonly server: StdioServerConfig,
    readonly limits: SessionLimits,
    private readonly log: Logger,
    private readonly parentEnv: Record<string, string | undefined> = process.env,
  ) {
    // Below supervision: the era probe's sibling process is no failure of the child (era-probe.ts).
    const learnEra = new EraProbe(server, log, { stopping: (stop) => this.track(stop) });
    this.shared = new SharedChildren(
      server,
      log,
      learnEra.spawner((events) => this.spawn(events)),
      (stop) => this.track(stop),
    );
    this.sessionsShare = server.sharing !== "session";
  }

  get size(): number {
    return this.sessions.size;
  }

  /** The shared children's states, for /healthz. */
  childStatuses(now: number): ChildStatus[] {
    return this.shared.statuses(now);
  }

  get(id: string): LiveSession | undefined {
    return this.sessions.get(id);
  }

  /**
   * Give a session made by `make` its child (spawned for it, or the one it shares), opened by
   * `client` (the principal, or the address without auth). A client at max_sessions_per_client loses its least recently
   * used idle session. Throws SessionLimitError when all of that client's sessions are busy,
   * when max_sessions are live, when twice that many children
   * have not exited yet, when the shared child backs off after a failure (with its Retry-After),
   * or when the registry is shutting down; SpawnError when the command cannot be started.
   */
  create<S extends LiveSession>(
    client: string | undefined,
    make: (id: string, child: ChildChannel, ended: (s: LiveSession) => void) => S,
  ): S {
    // A child spawned once closeAll has begun would outlive the appliance.
    if (this.closing) throw new SessionLimitError(`server "${this.server.name}" is shutting down`);
    // Checked before max_sessions: a client at its own cap is told what it can do about it.
    if (client !== undefined) this.makeRoomFor(client);
    const held = client === undefined ? 0 : (this.heldBy.get(client) ?? 0);
    if (this.sessions.size >= this.server.maxSessions) {
      throw new SessionLimitError(
        `server "${this.server.name}" already has ${this.server.maxSessions} live sessions (max_sessions); end one or try again later`,
      );
    }
    // Children of ended sessions may take the whole staged stop (3.5 s) to go: a client ending and
    // starting sessions faster than that must not pile up processes. They may add at most
    // max_sessions more, so that a client reconnecting at the cap is not refused.
    if (!this.sessionsShare && this.children >= 2 * this.server.maxSessions) {
      throw new SessionLimitError(
        `server "${this.server.name}" has ${this.children} child processes, ended sessions' still stopping (2 × max_sessions); try again shortly`,
      );
    }
    const id = newSessionId();
    let session: S | undefined;
    const listener: ChildListener = {
      fromChild: (line, relatedTo) => session?.fromChild(line, relatedTo),
      oversizedFromChild: (length, head, tail) => session?.oversizedFromChild(length, head, tail),
      childExited: (code, signal) => session?.childExited(code, signal),
    };
    let child: ChildChannel;
    try {
      if (this.sessionsShare) child = this.shared.attach(this.sharerOf(client), listener);
      else if (this.server.protocol === "2026") child = this.privateModernChild(id, listener);
      else child = this.spawnOwn(listener, () => session);
    } catch (error) {
      throw this.startError(error);
    }
    session = make(id, child, (ended) => {
      if (this.sessions.get(ended.id) !== ended) return;
      this.sessions.delete(ended.id);
      this.release(ended.id);
    });
    this.sessions.set(id, session);
    if (client !== undefined) {
      this.clientOf.set(id, client);
      this.heldBy.set(client, held + 1);
    }
    this.log.info(
      { server: this.server.name, session: id, ...(child instanceof StdioChild && { pid: child.pid }), sharing: this.server.sharing },
      "session started",
    );
    return session;
  }

  /**
   * A channel to the child that serves `client`'s stateless (2026-07-28) requests: in "session"
   * mode as in "client" mode, since such a request has no session of its own. Throws
   * SessionLimitError while shutting down or while the child backs off after a failure,
   * SpawnError when the command cannot be started.
   */
  attachStateless(client: string | undefined, listener: ChildListener): ChildChannel {
    if (this.closing) throw new SessionLimitError(`server "${this.server.name}" is shutting down`);
    try {
      return this.shared.attach(this.sharerOf(client), listener);
    } catch (error) {
      throw this.startError(error);
    }
  }

  /** With auth on: how the watch learns what became of a credential (the bearer guard). */
  checkCredentialsWith(stateOf: (credential: string) => CredentialState): void {
    this.credentialState = stateOf;
  }

  keep(housekeeper: Housekeeper): void {
    this.housekeepers.push(housekeeper);
  }

  /** About once a second: per-session deadlines and keep-alives, then idle reaping (of shared children too). */
  tick(now: number): void {
    for (const session of this.sessions.values()) {
      session.tick(now);
      if (session.idle && now - session.lastActivity > this.server.idleTimeoutMs) {
        this.track(session.close(`idle for more than ${Math.round(this.server.idleTimeoutMs / 1000)} s`));
      }
    }
    if (this.credentialState) this.credentials.sweep(this.credentialState);
    for (const housekeeper of this.housekeepers) housekeeper.tick(now);
    this.shared.reap(now);
  }

  /**
   * Watch a new session's credential: when it ends, so does the session, and the child of its
   * client if nothing else of the client's uses it (client mode).
   */
  holdCredential(session: LiveSession & { readonly isClosed: boolean }, credential: string | undefined, client: string | undefined) {
    return this.credentials.hold(
      credential,
      "session",
      () => {
        this.end(session.id, "its credential was revoked or removed");
        if (this.server.sharing !== "shared") this.shared.release(this.sharerOf(client));
      },
      () => !session.isClosed,
    );
  }

  end(id: string, reason: string): boolean {
    const session = this.sessions.get(id);
    if (!session) return false;
    this.track(session.close(reason));
    return true;
  }

  /**
   * Refuse new sessions, give requests in flight up to `drainMs` ([limits] shutdown_timeout) to
   * be answered, then stop every session and wait until every child process is gone.
   */
  async closeAll(reason: string, drainMs: number): Promise<void> {
    this.closing = true;
    const deadline = Date.now() + drainMs;
    const busy = () => [...this.sessions.values()].some((s) => s.busy) || this.housekeepers.some((h) => h.busy);
    while (Date.now() < deadline && busy()) await Bun.sleep(25);
    for (const session of [...this.sessions.values()]) this.track(session.close(reason));
    for (const housekeeper of this.housekeepers) housekeeper.close(reason);
    this.shared.stopAll();
    await Promise.all(this.stopping);
  }

  /** Who shares a child: everyone (shared), or the client that opens the session (client). */
  private sharerOf(client: string | undefined): string {
    if (this.server.sharing === "shared") return "everyone";
    return client ?? "anonymous";
  }

  /** A child that could not be given: backing off after a failure (503, Retry-After), or not started (SpawnError). */
  private startError(error: unknown): Error {
    if (error instanceof ChildBackingOff) return new SessionLimitError(error.message, 503, Math.ceil(error.retryAfterMs / 1000));
    this.log.error({ server: this.server.name, err: error }, "could not start the MCP server");
    return new SpawnError(`the MCP server "${this.server.name}" could not be started`);
  }

  /** A child of the session's own (sharing = "session"), counted until it has exited. */
  /**
   * A session's own child that speaks 2026-07-28 only (protocol = "2026"): a 2025 session needs
   * the translation of a shared child's port (channel/modern-child.ts), so it gets a shared
   * child of its own, stopped when the session ends. (A child that serves both eras needs none:
   * opened with initialize, it serves the session natively.)
   */
  private privateModernChild(sessionId: string, listener: ChildListener): ChildChannel {
    const sharer = `session:${sessionId}`;
    const port = this.shared.attach(sharer, listener);
    return {
      get modern() {
        return port.modern;
      },
      send: (line) => port.send(line),
      stop: async () => {
        await port.stop();
        this.shared.release(sharer);
      },
    };
  }

  private spawnOwn(listener: ChildListener, session: () => LiveSession | undefined): StdioChild {
    const child = this.spawn({
      line: (text) => listener.fromChild(text),
      oversized: (length, head, tail) => listener.oversizedFromChild(length, head, tail),
      exit: (code, signal) => {
        this.children--;
        listener.childExited(code, signal);
      },
      // Waiting requests get an error now rather than at request_timeout: no answer can come.
      stdoutClosed: () => {
        const owner = session();
        if (owner) this.track(owner.close("the MCP server closed its stdout"));
      },
    });
    this.children++;
    return child;
  }

  private spawn(events: ChildEvents): StdioChild {
    return StdioChild.spawn(
      {
        server: this.server.name,
        command: this.server.command,
        args: this.server.args,
        cwd: this.server.cwd,
        env: childEnvironment(this.parentEnv, this.server.passEnv, this.server.env),
        maxLineBytes: this.server.maxMessageBytes,
      },
      this.log,
      events,
    );
  }

  /**
   * A client at max_sessions_per_client. Clients often start a new session without ending the
   * old one (no DELETE, MCP transports §Session Management 5 only says they SHOULD): refusing
   * them until idle_timeout reaps what they left would lock them out for half an hour. So the
   * client's least recently used idle session (nothing in flight, no stream open) ends instead;
   * only a client whose every session is busy is refused (429).
   */
  private makeRoomFor(client: string): void {
    const held = this.heldBy.get(client) ?? 0;
    if (held < this.limits.maxSessionsPerClient) return;
    let oldest: LiveSession | undefined;
    for (const [id, session] of this.sessions) {
      if (this.clientOf.get(id) !== client || !session.idle) continue;
      if (!oldest || session.lastActivity < oldest.lastActivity) oldest = session;
    }
    if (!oldest) {
      throw new SessionLimitError(
        `this client already has ${held} live sessions on server "${this.server.name}", all busy (max_sessions_per_client); end one (DELETE) or try again later`,
        429,
      );
    }
    this.log.info(
      { server: this.server.name, session: oldest.id, limit: this.limits.maxSessionsPerClient },
      "ended the least recently used idle session of a client at max_sessions_per_client",
    );
    this.track(oldest.close("its client opened a new session with max_sessions_per_client live"));
  }

  private release(sessionId: string): void {
    const client = this.clientOf.get(sessionId);
    if (client === undefined) return;
    this.clientOf.delete(sessionId);
    const left = (this.heldBy.get(client) ?? 1) - 1;
    if (left > 0) this.heldBy.set(client, left);
    else this.heldBy.delete(client);
  }

  private track(stop: Promise<void>): void {
    this.stopping.push(stop);
    void stop.finally(() => {
      this.stopping = this.stopping.filter((p) => p !== stop);
    });
  }
}
