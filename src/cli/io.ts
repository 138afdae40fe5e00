// What a command talks to: output, errors, standard input and the environment. main.ts passes
// the process's; tests pass their own and run commands in-process.
import type { Env } from "../config/secrets.ts";
import { type Answer, askHidden, readFirstLine } from "./prompt.ts";

/** Standard input as passwd uses it. */
interface SecretInput {
  /** A terminal: ask with echo off. Otherwise read the first line (a script piping the password). */
  readonly interactive: boolean;
  ask(prompt: string): Promise<Answer>;
  firstLine(): Promise<string | undefined>;
}

export interface CommandIO {
  out(text: string): void;
  err(text: string): void;
  input: SecretInput;
  /** Where "env:NAME" references of the configuration are looked up. */
  env: Env;
}

// A password longer than this is no password; read no more than a few times that.
const MAX_LINE_BYTES = 16 * 1024;

export function processIO(): CommandIO {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    env: process.env,
    input: {
      interactive: process.stdin.isTTY === true,
      // Prompts go to stderr: stdout stays for what the command prints as its result.
      ask: (prompt) => askHidden(process.stdin, process.stderr, prompt),
      firstLine: () => readFirstLine(Bun.stdin.stream(), MAX_LINE_BYTES),
    },
  };
}
