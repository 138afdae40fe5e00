// Reading a password from standard input without it ever being shown: on a terminal, asked
// with echo off (raw mode, restored afterwards whatever happens); from a pipe, its first line.
import type { Result } from "../common/result.ts";

/** The terminal side of process.stdin that a hidden prompt needs (a fake in tests). */
export interface RawInput {
  readonly isRaw?: boolean;
  setRawMode(mode: boolean): unknown;
  setEncoding(encoding: "utf8"): unknown;
  on(event: "data", listener: (chunk: string | Buffer) => void): unknown;
  off(event: "data", listener: (chunk: string | Buffer) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** What was typed, or why nothing was: Ctrl-C, or the input ended. */
export type Answer = Result<string, "interrupted" | "ended">;

const CTRL_C = "\u0003";
const CTRL_D = "\u0004";
const CTRL_U = "\u0015";
const BACKSPACE = ["\u007f", "\b"];
const ESC = "\u001b";

/**
 * Ask for a line on a terminal with nothing echoed. Raw mode also turns Ctrl-C into a byte
 * instead of SIGINT, so it is handled here: the mode is put back before anything else happens.
 */
export function askHidden(input: RawInput, output: { write(text: string): unknown }, prompt: string): Promise<Answer> {
  const wasRaw = input.isRaw ?? false;
  input.setEncoding("utf8");
  // Echo goes off before the prompt shows: whatever is typed (or pasted) after it is never shown.
  input.setRawMode(true);
  output.write(prompt);
  // Should the process be ended while the prompt waits, the terminal must not stay without echo.
  const restoreOnExit = () => input.setRawMode(wasRaw);
  process.once("exit", restoreOnExit);
  input.resume();

  return new Promise((resolve) => {
    let text = "";
    let inEscape = false;
    const finish = (answer: Answer) => {
      input.off("data", onData);
      input.setRawMode(wasRaw);
      input.pause();
      process.off("exit", restoreOnExit);
      output.write("\n");
      resolve(answer);
    };
    const onData = (chunk: string | Buffer) => {
      for (const char of String(chunk)) {
        // An arrow or function key arrives as ESC [ ... letter: none of it is part of a password.
        if (inEscape) {
          if (/[A-Za-z~]/.test(char)) inEscape = false;
          continue;
        }
        if (char === "\r" || char === "\n") return finish({ ok: true, value: text });
        if (char === CTRL_C) return finish({ ok: false, error: "interrupted" });
        if (char === CTRL_D) {
          if (text === "") return finish({ ok: false, error: "ended" });
          continue;
        }
        if (char === ESC) inEscape = true;
        else if (BACKSPACE.includes(char)) text = [...text].slice(0, -1).join("");
        else if (char === CTRL_U) text = "";
        else if (char >= " ") text += char;
      }
    };
    input.on("data", onData);
  });
}

/**
 * The first line of a stream (without its "\n" or "\r\n"), or undefined when the stream is
 * empty. Reading stops at the first newline or after `maxBytes`; the rest is not consumed.
 */
export async function readFirstLine(stream: ReadableStream<Uint8Array>, maxBytes: number): Promise<string | undefined> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      text += decoder.decode(value, { stream: true });
      if (text.includes("\n") || bytes > maxBytes) break;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  text += decoder.decode();
  const newline = text.indexOf("\n");
  const line = newline === -1 ? text : text.slice(0, newline);
  if (newline === -1 && line === "") return undefined;
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}
