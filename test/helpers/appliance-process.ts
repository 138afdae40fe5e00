// The compiled appliance as a process of its own, started from a TOML file written here, so
// that what it leaves on the machine (memory, descriptors, processes) can be read from /proc
// without the test's own clients mixed in.
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES } from "./appliance.ts";
import { ApplianceProcess, BINARY, ensureBinary, ROOT } from "./binary.ts";
import { descendants } from "./machine.ts";

/**
 * Appliances still running when the test process exits (a test that failed half-way) are
 * killed with every child's process group: nothing a failed test started outlives it.
 */
const launched = new Set<ApplianceProcess>();
process.on("exit", () => {
  for (const appliance of launched) {
    if (appliance.proc.exitCode !== null || appliance.proc.signalCode !== null) continue;
    for (const child of descendants(appliance.proc.pid)) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // not a group leader, or gone
      }
    }
    appliance.proc.kill("SIGKILL");
  }
});

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

let checked = false;
/**
 * dist/mcp-appliance, rebuilt when a source file is newer: the figures must be those of the
 * code under test, also when this suite is run alone after an edit (`npm test` builds first).
 */
export function freshBinary(): string {
  if (!checked && existsSync(BINARY) && newestMtime(join(ROOT, "src")) > statSync(BINARY).mtimeMs) {
    const build = Bun.spawnSync([process.execPath, "scripts/build.ts"], { cwd: ROOT, stdout: "inherit", stderr: "inherit" });
    if (build.exitCode !== 0) throw new Error("building dist/mcp-appliance failed");
  }
  checked = true;
  return ensureBinary();
}

export interface FixtureServer {
  name: string;
  script: string;
  /** Arguments after the script. */
  args?: string[];
  /** Extra TOML lines of the [servers.<name>] table, e.g. `max_sessions = 32`. */
  extra?: string[];
}

export interface StartedProcess {
  appliance: ApplianceProcess;
  pid: number;
  url: string;
  dir: string;
  stateDir: string;
  configPath: string;
  mcpUrl(server: string): URL;
  /** SIGTERM, then wait for the exit code. */
  stop(): Promise<number>;
}

export function fixtureServerToml(server: FixtureServer): string {
  return [
    `[servers.${server.name}]`,
    `command = ${JSON.stringify(process.execPath)}`,
    `args = ${JSON.stringify([join(FIXTURES, server.script), ...(server.args ?? [])])}`,
    ...(server.extra ?? []),
  ].join("\n");
}

/**
 * Start dist/mcp-appliance with `auth = "none"` (or the given top of the file), these servers,
 * and the given lines of a [limits] table (e.g. `max_sessions_per_client = 64`).
 */
export async function startApplianceProcess(
  servers: FixtureServer[],
  options: { top?: string[]; dir?: string; logLevel?: string; listen?: string; limits?: string[] } = {},
): Promise<StartedProcess> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "mcp-appliance-reliability-"));
  const stateDir = join(dir, "state");
  const configPath = join(dir, "mcp.toml");
  const text = [
    `listen = "${options.listen ?? "127.0.0.1:0"}"`,
    `state_dir = ${JSON.stringify(stateDir)}`,
    ...(options.top ?? [`auth = "none"`]),
    "",
    "[log]",
    `level = "${options.logLevel ?? "info"}"`,
    "",
    ...servers.map(fixtureServerToml),
    "",
    ...(options.limits ? ["[limits]", ...options.limits, ""] : []),
  ].join("\n");
  writeFileSync(configPath, text);
  return launch({ dir, stateDir, configPath });
}

/** Restart on the same directory (same config, same state). */
export function restartApplianceProcess(previous: StartedProcess): Promise<StartedProcess> {
  return launch(previous);
}

async function launch(files: { dir: string; stateDir: string; configPath: string }): Promise<StartedProcess> {
  const appliance = new ApplianceProcess([freshBinary(), "--config", files.configPath], { cwd: files.dir });
  launched.add(appliance);
  void appliance.exited.then(() => launched.delete(appliance));
  const url = await appliance.url;
  return {
    ...files,
    appliance,
    pid: appliance.proc.pid,
    url,
    mcpUrl: (server) => new URL(`/${server}/mcp`, url),
    stop: async () => {
      appliance.proc.kill("SIGTERM");
      return appliance.exited;
    },
  };
}

/** Wait until a log line of the process satisfies `match`; returns it. */
export async function logLine(
  started: StartedProcess,
  match: (line: string) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = started.appliance.lines.find(match);
    if (found) return found;
    await Bun.sleep(20);
  }
  throw new Error(`timed out waiting for a log line: ${what}`);
}

/** Log lines (parsed) whose msg is exactly `msg`. */
export function logged(started: StartedProcess, msg: string): Record<string, unknown>[] {
  const needle = `"msg":${JSON.stringify(msg)}`;
  return started.appliance.lines.filter((line) => line.includes(needle)).map((line) => JSON.parse(line) as Record<string, unknown>);
}
