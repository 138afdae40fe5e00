// Runs a conformance suite's CLI (dist/index.js of an installed @modelcontextprotocol/conformance)
// and collects what it prints. The CLIs need Node >= 22 APIs, so they always run under Bun: this
// process's own binary when we are Bun, otherwise the project's node_modules/.bin/bun.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const requireFromHere = createRequire(import.meta.url);
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** dist/index.js of the conformance package installed as `packageName`. */
export function conformanceCli(packageName: string): string {
  return path.join(path.dirname(requireFromHere.resolve(`${packageName}/package.json`)), "dist", "index.js");
}

/** The root of the conformance package installed as `packageName` (requirements/ lives there). */
export function conformancePackageDir(packageName: string): string {
  return path.dirname(requireFromHere.resolve(`${packageName}/package.json`));
}

function bunBinary(): string {
  if (process.versions.bun) return process.execPath;
  const local = path.resolve(path.dirname(requireFromHere.resolve("bun/package.json")), "..", ".bin", "bun");
  return existsSync(local) ? local : "bun";
}

interface CliRun {
  code: number | null;
  /** stdout and stderr as they came, ANSI colours removed. */
  output: string;
  timedOut: boolean;
  durationMs: number;
}

/** `bun <cli> ...args`, killed after `timeoutMs`. Never rejects: a failure to start is in `output`. */
export function runCli(cli: string, args: string[], timeoutMs: number): Promise<CliRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(bunBinary(), [cli, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    let output = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (s: string) => (output += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (output += s));
    const timer = setTimeout(
      () => {
        timedOut = true;
        child.kill("SIGKILL");
      },
      Math.max(1, timeoutMs),
    );
    child.on("error", (err) => {
      output += `\n[conformance] could not start the conformance CLI: ${err.message}\n`;
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.replace(ANSI, ""), timedOut, durationMs: Math.round(performance.now() - started) });
    });
  });
}

const RUNNING_SCENARIO = /^=== Running scenario: (.+) ===$/;

/** Scenario names the CLI announced, in order. */
export function announcedScenarios(output: string): string[] {
  const names: string[] = [];
  for (const line of output.split("\n")) {
    const m = RUNNING_SCENARIO.exec(line.trim());
    if (m?.[1]) names.push(m[1]);
  }
  return names;
}

export function tail(text: string, lines = 40): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
