// Child processes on a shared state file (see child.ts): start them, release them together.
import { join } from "node:path";

const CHILD = join(import.meta.dir, "child.ts");

export class ChildProcess {
  readonly proc;
  private readonly reader;
  private buffered = "";

  constructor(args: string[]) {
    this.proc = Bun.spawn([process.execPath, CHILD, ...args], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
    this.reader = this.proc.stdout.getReader();
  }

  /** Resolve once the output holds `count` lines (no sleeping: the child says when). */
  async lines(count: number): Promise<string[]> {
    for (;;) {
      const lines = this.buffered.split("\n").slice(0, -1);
      if (lines.length >= count) return lines;
      const { value, done } = await this.reader.read();
      if (done) throw new Error(`child ended after ${lines.length} lines (exit ${await this.proc.exited})`);
      this.buffered += new TextDecoder().decode(value);
    }
  }

  go(): void {
    this.proc.stdin.write("go\n");
    this.proc.stdin.flush();
  }
}

/** Start every child, wait until all are ready, release them at once, return each one's answer. */
export async function race(argsList: string[][]): Promise<unknown[]> {
  const children = argsList.map((args) => new ChildProcess(args));
  await Promise.all(children.map((c) => c.lines(1)));
  for (const c of children) c.go();
  return Promise.all(
    children.map(async (c) => {
      const [, answer] = await c.lines(2);
      expectExit(await c.proc.exited);
      return JSON.parse(answer!);
    }),
  );
}

function expectExit(code: number): void {
  if (code !== 0) throw new Error(`child exited with ${code}`);
}
