// One stdio MCP server process: spawned from an argv array (never a shell), in its own
// process group so that stopping it also stops whatever it spawned, with stdout split into
// bounded lines and stderr forwarded to the log tagged with the server's name.
import type { Subprocess } from "bun";
import type { Logger } from "../log.ts";
import { BoundedLineReader, type LineSink } from "./line-reader.ts";

interface ChildSpec {
  server: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  env: Record<string, string>;
  maxLineBytes: number;
}

export interface ChildEvents extends LineSink {
  exit(code: number | null, signal: string | null): void;
  /** Stdout reached end of file while the process kept running: it can never answer again. */
  stdoutClosed?(): void;
  /** One line the child wrote to stderr (after it reached the log): supervision keeps the last for /healthz. */
  stderrLine?(text: string): void;
}

/** How long each stage of a stop may take before the next, harder one. */
const STOP_STAGES_MS = { afterStdinClose: 1500, afterTerm: 2000 } as const;
const STDERR_LINE_MAX = 8192;
/**
 * A child that exits closes its stdout at the same moment; the exit may be noticed a little
 * later. Wait this long before calling an end of stdout a child that closed it and lives on.
 */
const STDOUT_EOF_GRACE_MS = 250;

export class StdioChild {
  readonly pid: number;
  private readonly proc: Subprocess<"pipe", "pipe", "pipe">;
  private exited = false;
  readonly exitedPromise: Promise<void>;

  private constructor(
    private readonly spec: ChildSpec,
    private readonly log: Logger,
    events: ChildEvents,
  ) {
    let onExited!: () => void;
    this.exitedPromise = new Promise((resolve) => (onExited = resolve));
    this.proc = Bun.spawn({
      cmd: [spec.command, ...spec.args],
      cwd: spec.cwd,
      env: spec.env,
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      // setsid(): the child leads a new process group, so a signal to -pid reaches its children too.
      detached: true,
      onExit: (_proc, code, signal) => {
        this.exited = true;
        // Grandchildren may outlive the leader; they are in its group and go with it.
        this.signalGroup("SIGKILL");
        onExited();
        events.exit(code, signal === null || signal === undefined ? null : String(signal));
      },
    });
    this.pid = this.proc.pid;
    void this.pump(this.proc.stdout, new BoundedLineReader(spec.maxLineBytes, events), events);
    void this.pumpStderr(events);
  }

  /** Spawn; throws with a readable message when the command cannot be started. */
  static spawn(spec: ChildSpec, log: Logger, events: ChildEvents): StdioChild {
    return new StdioChild(spec, log, events);
  }

  /** Write one message; the caller guarantees it contains no newline. Returns false if the child is gone. */
  send(line: string): boolean {
    if (this.exited) return false;
    try {
      this.proc.stdin.write(`${line}\n`);
      void this.proc.stdin.flush();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Staged stop (MCP stdio shutdown: close stdin, then SIGTERM, then SIGKILL), each stage sent to
   * the whole process group. Resolves once the leader has exited.
   */
  async stop(): Promise<void> {
    if (this.exited) return;
    try {
      void this.proc.stdin.end();
    } catch {
      // stdin already closed: the next stage handles it.
    }
    if (await this.exitsWithin(STOP_STAGES_MS.afterStdinClose)) return;
    this.signalGroup("SIGTERM");
    if (await this.exitsWithin(STOP_STAGES_MS.afterTerm)) return;
    this.log.warn({ server: this.spec.server, pid: this.pid }, "child ignored SIGTERM; killing its process group");
    this.signalGroup("SIGKILL");
    await this.exitedPromise;
  }

  private exitsWithin(ms: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    return Promise.race([this.exitedPromise.then(() => true), timeout]).finally(() => clearTimeout(timer));
  }

  private signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: the group is already empty.
    }
  }

  private async pump(stream: ReadableStream<Uint8Array>, reader: BoundedLineReader, events: ChildEvents): Promise<void> {
    try {
      for await (const chunk of stream) reader.push(chunk);
    } catch (error) {
      this.log.debug({ server: this.spec.server, err: error }, "child stdout closed with an error");
    }
    if (this.exited || (await this.exitsWithin(STDOUT_EOF_GRACE_MS))) return;
    this.log.warn(
      { server: this.spec.server, pid: this.pid },
      "the MCP server closed its stdout but kept running: it cannot answer any more, so its session ends",
    );
    events.stdoutClosed?.();
  }

  private async pumpStderr(events: ChildEvents): Promise<void> {
    const log = this.log.child({ server: this.spec.server, pid: this.pid, stream: "stderr" });
    const reader = new BoundedLineReader(STDERR_LINE_MAX, {
      line: (text) => {
        log.info(text);
        events.stderrLine?.(text);
      },
      oversized: (length, head) => {
        const cut = `${head}… (line of ${length} bytes cut)`;
        log.info({ length }, cut);
        events.stderrLine?.(cut);
      },
    });
    try {
      for await (const chunk of this.proc.stderr) reader.push(chunk);
    } catch {
      // stderr closed: nothing to forward.
    }
  }
}
