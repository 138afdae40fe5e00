// Steady load over several sessions for a given time, with the appliance process's memory and
// descriptors sampled from /proc as it goes. Shared by the soak in the test command
// (test/reliability/soak.test.ts, about a minute) and the long one (scripts/soak.ts).
import type { StartedProcess } from "../helpers/appliance-process.ts";
import { descendants, fdCount, mib, rssBytes } from "../helpers/machine.ts";
import { RawMcpClient } from "../helpers/mcp-raw.ts";

export interface SoakOptions {
  durationMs: number;
  /** Clients working at once, each in its own session. */
  sessions: number;
  /** Load before the memory baseline is taken: code compiled, pools and caches filled. */
  warmupMs: number;
  /** A client ends its session and opens a new one after this many calls. */
  callsPerSession: number;
  sampleEveryMs?: number;
  /** Called with each sample (the long soak prints them). */
  onSample?: (sample: SoakSample) => void;
}

export interface SoakSample {
  atMs: number;
  calls: number;
  errors: number;
  rss: number;
  fds: number;
  children: number;
}

export interface SoakFigures {
  durationMs: number;
  calls: number;
  sessionsOpened: number;
  errors: string[];
  /** Median RSS over the first samples after the warm-up, and over the last ones. */
  rssAfterWarmup: number;
  rssAtEnd: number;
  rssMax: number;
  fdsAfterWarmup: number;
  fdsAtEnd: number;
  samples: SoakSample[];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** One unit of work: a mix of what clients do, each answer checked. */
async function oneCall(client: RawMcpClient, n: number): Promise<void> {
  switch (n % 6) {
    case 0: {
      const text = `echo ${n}`;
      const got = await client.callText("echo", { text });
      if (got !== text) throw new Error(`echo answered ${got}`);
      return;
    }
    case 1: {
      const reply = await client.request("tools/list");
      if (!JSON.stringify(reply.answer?.result).includes('"echo"')) throw new Error(`tools/list: ${reply.status}`);
      return;
    }
    case 2: {
      // Progress notifications first, so the answer comes as an SSE stream.
      const reply = await client.request("tools/call", {
        name: "progress",
        arguments: { steps: 3, delayMs: 2 },
        _meta: { progressToken: `p${n}` },
      });
      const progress = reply.messages.filter((m) => m.method === "notifications/progress").length;
      if (progress !== 3 || reply.answer?.result?.content?.[0]?.text !== "done")
        throw new Error(`progress: ${reply.status}, ${progress} notifications`);
      return;
    }
    case 3: {
      const reply = await client.request("tools/call", { name: "log", arguments: { message: `log ${n}` } });
      if (reply.answer?.result?.content?.[0]?.text !== "logged") throw new Error(`log: ${reply.status}`);
      return;
    }
    case 4: {
      const got = await client.callText("big", { bytes: 16 * 1024 });
      if (got.length !== 16 * 1024) throw new Error(`big: ${got.length} bytes`);
      return;
    }
    default: {
      const reply = await client.request("ping");
      if (reply.status !== 200 || reply.answer?.result === undefined) throw new Error(`ping: ${reply.status}`);
    }
  }
}

export async function soak(started: StartedProcess, server: string, options: SoakOptions): Promise<SoakFigures> {
  const url = started.mcpUrl(server);
  const began = Date.now();
  const deadline = began + options.durationMs;
  const errors: string[] = [];
  let calls = 0;
  let sessionsOpened = 0;
  const samples: SoakSample[] = [];

  const sampler = setInterval(() => {
    const sample = {
      atMs: Date.now() - began,
      calls,
      errors: errors.length,
      rss: rssBytes(started.pid),
      fds: fdCount(started.pid),
      children: descendants(started.pid).length,
    };
    samples.push(sample);
    options.onSample?.(sample);
  }, options.sampleEveryMs ?? 1000);

  const worker = async (index: number) => {
    let n = index;
    while (Date.now() < deadline) {
      const client = new RawMcpClient(url);
      try {
        await client.open();
        sessionsOpened++;
        for (let i = 0; i < options.callsPerSession && Date.now() < deadline; i++) {
          await oneCall(client, n++);
          calls++;
        }
        const closed = await client.close();
        if (closed !== 200) throw new Error(`DELETE: ${closed}`);
      } catch (error) {
        errors.push(`client ${index}: ${error instanceof Error ? error.message : String(error)}`);
        await client.close().catch(() => 0);
        await Bun.sleep(100); // a pause before the next session, so that a failure does not spin; the error is recorded already
      }
    }
  };
  await Promise.all(Array.from({ length: options.sessions }, (_, i) => worker(i)));
  clearInterval(sampler);

  const afterWarmup = samples.filter((s) => s.atMs >= options.warmupMs).slice(0, 5);
  const atEnd = samples.slice(-5);
  return {
    durationMs: Date.now() - began,
    calls,
    sessionsOpened,
    errors,
    rssAfterWarmup: median(afterWarmup.map((s) => s.rss)),
    rssAtEnd: median(atEnd.map((s) => s.rss)),
    rssMax: Math.max(...samples.map((s) => s.rss)),
    fdsAfterWarmup: median(afterWarmup.map((s) => s.fds)),
    fdsAtEnd: median(atEnd.map((s) => s.fds)),
    samples,
  };
}

export function describeSoak(figures: SoakFigures, sessions: number): string {
  const seconds = figures.durationMs / 1000;
  return (
    `soak: ${seconds.toFixed(0)} s, ${sessions} clients at once, ${figures.calls} calls (${(figures.calls / seconds).toFixed(0)}/s) ` +
    `over ${figures.sessionsOpened} sessions, ${figures.errors.length} errors; ` +
    `RSS ${mib(figures.rssAfterWarmup)} after warm-up → ${mib(figures.rssAtEnd)} at the end (max ${mib(figures.rssMax)}); ` +
    `fds ${figures.fdsAfterWarmup} → ${figures.fdsAtEnd}`
  );
}
