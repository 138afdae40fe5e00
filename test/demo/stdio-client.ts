// A test-side MCP stdio peer: spawns a server as a child, writes JSON-RPC lines to its stdin and
// collects every stdout line (raw text and parsed) so tests can wait for the messages they expect.

import type { Subprocess } from "bun";

// biome-ignore lint/suspicious/noExplicitAny: the test client reads whatever the server wrote, by any path
export type Message = Record<string, any>;

export interface Received {
  raw: string;
  message: Message | undefined;
}

const DEFAULT_WAIT_MS = 5000;

export class StdioClient {
  readonly received: Received[] = [];
  stderr = "";
  private readonly taken = new Set<Received>();
  private waiters: (() => void)[] = [];
  private nextId = 1;
  private stdoutEnded = false;
  /** Resolves when the child's stdout reaches end of file. */
  readonly stdoutClosed: Promise<void>;

  private constructor(readonly child: Subprocess<"pipe", "pipe", "pipe">) {
    this.stdoutClosed = this.pump(child.stdout, (text) => this.onStdout(text)).then(() => {
      this.stdoutEnded = true;
      this.wake();
    });
    void this.pump(child.stderr, (text) => {
      this.stderr += text;
      this.wake();
    });
  }

  static spawn(cmd: string[], env?: Record<string, string | undefined>): StdioClient {
    const child = Bun.spawn(cmd, { stdin: "pipe", stdout: "pipe", stderr: "pipe", env: env ?? process.env });
    return new StdioClient(child);
  }

  private partial = "";
  private onStdout(text: string): void {
    this.partial += text;
    let newline = this.partial.indexOf("\n");
    while (newline !== -1) {
      const raw = this.partial.slice(0, newline);
      this.partial = this.partial.slice(newline + 1);
      let message: Message | undefined;
      try {
        message = JSON.parse(raw);
      } catch {
        message = undefined;
      }
      this.received.push({ raw, message });
      newline = this.partial.indexOf("\n");
    }
    this.wake();
  }

  private async pump(stream: ReadableStream<Uint8Array>, onText: (text: string) => void): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of stream) onText(decoder.decode(chunk, { stream: true }));
  }

  /** Resolves on the next stdout/stderr activity, or after `ms`. */
  private nextEvent(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  sendRaw(line: string): void {
    this.child.stdin.write(line);
    this.child.stdin.flush();
  }

  send(message: Message): void {
    this.sendRaw(`${JSON.stringify(message)}\n`);
  }

  /** Resolves with the first not-yet-taken line matching `predicate`, in arrival order. */
  async waitFor(predicate: (r: Received) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.received.find((r) => !this.taken.has(r) && predicate(r));
      if (hit !== undefined) {
        this.taken.add(hit);
        return hit;
      }
      if (this.stdoutEnded) throw new Error(`stdout ended while waiting; stderr:\n${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a message; stderr:\n${this.stderr}`);
      await this.nextEvent(left);
    }
  }

  /** Resolves once stderr contains `text`. */
  async waitForStderr(text: string, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stderr.includes(text)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for stderr ${JSON.stringify(text)}; got:\n${this.stderr}`);
      await this.nextEvent(left);
    }
  }

  /** The response to request `id`. */
  async response(id: string | number, timeoutMs?: number): Promise<Message> {
    const r = await this.waitFor((r) => r.message?.id === id && !("method" in r.message), timeoutMs);
    return r.message as Message;
  }

  async request(method: string, params?: Message, timeoutMs?: number): Promise<Message> {
    const id = this.nextId++;
    this.send(params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params });
    return this.response(id, timeoutMs);
  }

  notify(method: string, params?: Message): void {
    this.send(params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params });
  }

  async initialize(protocolVersion = "2025-11-25"): Promise<Message> {
    const reply = await this.request("initialize", {
      protocolVersion,
      capabilities: { sampling: {} },
      clientInfo: { name: "test", version: "0" },
    });
    this.notify("notifications/initialized");
    return reply;
  }

  /** tools/call, returning the CallToolResult (throws on a JSON-RPC error). */
  async callTool(name: string, args: Message = {}, timeoutMs?: number): Promise<Message> {
    const reply = await this.request("tools/call", { name, arguments: args }, timeoutMs);
    if (reply.error) throw new Error(`tools/call ${name}: ${JSON.stringify(reply.error)}`);
    return reply.result;
  }

  /** Closes stdin and waits for the exit code. */
  async close(): Promise<number> {
    this.child.stdin.end();
    return this.child.exited;
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    this.child.kill(signal);
  }
}

/** The text of a CallToolResult's single text block. */
export function textOf(result: Message): string {
  return result.content[0].text;
}
