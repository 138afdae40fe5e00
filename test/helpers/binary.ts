// The compiled executable, built once if `npm test` has not built it already.
import { existsSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "..", "..");
export const BINARY = join(ROOT, "dist", "mcp-appliance");

export function ensureBinary(): string {
  if (!existsSync(BINARY)) {
    const build = Bun.spawnSync([process.execPath, "scripts/build.ts"], { cwd: ROOT, stdout: "inherit", stderr: "inherit" });
    if (build.exitCode !== 0) throw new Error("building dist/mcp-appliance failed");
  }
  return BINARY;
}

/** A running appliance process whose JSON log lines are collected; `url` comes from its "listening" line. */
export class ApplianceProcess {
  readonly lines: string[] = [];
  readonly proc: ReturnType<typeof Bun.spawn>;
  readonly url: Promise<string>;
  readonly exited: Promise<number>;

  constructor(argv: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
    this.proc = Bun.spawn(argv, { cwd: options.cwd, env: options.env ?? process.env, stdout: "pipe", stderr: "pipe" });
    let found!: (url: string) => void;
    let failed!: (error: Error) => void;
    this.url = new Promise((resolve, reject) => {
      found = resolve;
      failed = reject;
    });
    this.exited = this.proc.exited;
    void this.collect(this.proc.stdout as ReadableStream<Uint8Array>, found);
    void this.collect(this.proc.stderr as ReadableStream<Uint8Array>, found);
    void this.proc.exited.then((code) => failed(new Error(`exited with ${code} before listening:\n${this.lines.join("\n")}`)));
  }

  private async collect(stream: ReadableStream<Uint8Array>, found: (url: string) => void): Promise<void> {
    let buffer = "";
    for await (const chunk of stream) {
      buffer += new TextDecoder().decode(chunk);
      let newline: number;
      while ((newline = buffer.indexOf("\n")) !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        this.lines.push(line);
        if (line.includes('"msg":"listening"')) found(JSON.parse(line).url);
      }
    }
  }
}
