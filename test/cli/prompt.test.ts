// Reading a password: on a terminal with echo off and the terminal mode always put back; from
// a pipe, the first line only.
import { describe, expect, test } from "bun:test";
import { EventEmitter } from "node:events";
import { askHidden, type RawInput, readFirstLine } from "../../src/cli/prompt.ts";

/** A terminal: records raw-mode switches, lets the test type. */
class FakeTerminal extends EventEmitter implements RawInput {
  isRaw = false;
  modes: boolean[] = [];
  paused = true;
  setRawMode(mode: boolean) {
    this.isRaw = mode;
    this.modes.push(mode);
  }
  setEncoding() {}
  resume() {
    this.paused = false;
  }
  pause() {
    this.paused = true;
  }
  type(text: string) {
    this.emit("data", text);
  }
}

function screen() {
  let shown = "";
  return {
    write: (text: string) => void (shown += text),
    get shown() {
      return shown;
    },
  };
}

describe("askHidden", () => {
  test("nothing typed is echoed; Enter ends the answer; raw mode is switched off again", async () => {
    const terminal = new FakeTerminal();
    const output = screen();
    const answer = askHidden(terminal, output, "Password: ");
    terminal.type("hunter2-");
    terminal.type("long enough\r");
    expect(await answer).toEqual({ ok: true, value: "hunter2-long enough" });
    expect(output.shown).toBe("Password: \n");
    expect(terminal.modes).toEqual([true, false]);
    expect(terminal.paused).toBe(true);
    expect(terminal.listenerCount("data")).toBe(0);
  });

  test("backspace, Ctrl-U and arrow keys edit the answer as a person expects", async () => {
    const terminal = new FakeTerminal();
    const answer = askHidden(terminal, screen(), "> ");
    terminal.type("wrong\u0015pa\u007fasX\bs\u001b[Dword\n");
    expect(await answer).toEqual({ ok: true, value: "password" });
  });

  test("Ctrl-C interrupts, Ctrl-D on an empty line ends; the mode is restored either way", async () => {
    const terminal = new FakeTerminal();
    const interrupted = askHidden(terminal, screen(), "> ");
    terminal.type("abc\u0003more\r");
    expect(await interrupted).toEqual({ ok: false, error: "interrupted" });
    expect(terminal.isRaw).toBe(false);
    const ended = askHidden(terminal, screen(), "> ");
    terminal.type("\u0004");
    expect(await ended).toEqual({ ok: false, error: "ended" });
    expect(terminal.modes).toEqual([true, false, true, false]);
  });

  test("a terminal already in raw mode is left in raw mode", async () => {
    const terminal = new FakeTerminal();
    terminal.isRaw = true;
    const answer = askHidden(terminal, screen(), "> ");
    terminal.type("x\r");
    await answer;
    expect(terminal.isRaw).toBe(true);
  });
});

const streamOf = (...chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });

describe("readFirstLine", () => {
  test("the first line, without \\n or \\r\\n, across chunks and multi-byte characters", async () => {
    expect(await readFirstLine(streamOf("pass", "word\nsecond\n"), 1024)).toBe("password");
    expect(await readFirstLine(streamOf("windows\r\n"), 1024)).toBe("windows");
    const e = new TextEncoder().encode("é\n");
    const split = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(e.slice(0, 1));
        controller.enqueue(e.slice(1));
        controller.close();
      },
    });
    expect(await readFirstLine(split, 1024)).toBe("é");
  });

  test("no newline at the end is still a line; an empty stream is no line", async () => {
    expect(await readFirstLine(streamOf("last"), 1024)).toBe("last");
    expect(await readFirstLine(streamOf(), 1024)).toBeUndefined();
    expect(await readFirstLine(streamOf("\n"), 1024)).toBe("");
  });

  test("stops reading after the limit", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1000).fill(97));
      },
    });
    const line = await readFirstLine(endless, 4000);
    expect(line!.length).toBeGreaterThan(4000);
    expect(pulled).toBeLessThan(10);
  });
});
