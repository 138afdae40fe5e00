// The compiled binary against hostile configuration files: `mcp-appliance validate --config F`
// with random bytes, mutated valid files, invalid UTF-8, NUL bytes, nesting bombs (arrays, inline
// tables, dotted keys, table headers), huge values, and paths that are no file (a directory, a
// device, a symlink loop, nothing). Each must exit 66 (unreadable) or 78 (invalid) — 0 for a
// mutation that is still valid — with an error naming the file, never a crash: no exit code
// above 128, no uncaught exception's stack trace, within the deadline.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { FIXTURES } from "../helpers/appliance.ts";
import { ensureBinary } from "../helpers/binary.ts";
import { fuzz, noteStatus, printSummary } from "./harness.ts";

let binary: string;
let work: string;
const VALIDATE_TIMEOUT_MS = 20_000;

beforeAll(() => {
  binary = ensureBinary();
  work = mkdtempSync(join(tmpdir(), "mcp-appliance-fuzz-cli-"));
});
afterAll(() => {
  printSummary("cli-validate");
  rmSync(work, { recursive: true, force: true });
});

interface Outcome {
  code: number | null;
  signal: string | null;
  output: string;
  ms: number;
  timedOut: boolean;
}

async function validate(path: string, timeoutMs = VALIDATE_TIMEOUT_MS): Promise<Outcome> {
  const started = performance.now();
  const child = Bun.spawn([binary, "validate", "--config", path], { cwd: work, stdout: "pipe", stderr: "pipe" });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const [stdout, stderr] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
  await child.exited;
  clearTimeout(timer);
  noteStatus(child.exitCode ?? -1);
  return {
    code: child.exitCode,
    signal: child.signalCode === null ? null : String(child.signalCode),
    output: `${stdout}${stderr}`,
    ms: performance.now() - started,
    timedOut,
  };
}

/** An uncaught exception as Bun prints it: source excerpt, "at" frames, the runtime's banner. */
const STACK_TRACE = /\n\s+at .+:\d+:\d+|\nBun v\d+\.\d+/;

function expectCleanRefusal(outcome: Outcome, file: string, allowed: number[] = [66, 78]): void {
  const what = `validate --config ${file.slice(0, 120)}: exit ${outcome.code}${outcome.signal ? ` (signal ${outcome.signal})` : ""}\n${outcome.output.slice(0, 600)}`;
  if (outcome.timedOut) throw new Error(`${what}\nno answer within ${VALIDATE_TIMEOUT_MS} ms`);
  if (outcome.signal !== null || (outcome.code ?? 0) > 128) throw new Error(`${what}\nthe process died`);
  if (STACK_TRACE.test(outcome.output)) throw new Error(`${what}\nan uncaught exception`);
  if (!allowed.includes(outcome.code ?? -1)) throw new Error(`${what}\nexpected exit ${allowed.join(" or ")}`);
  if (outcome.code !== 0) expect(outcome.output).toContain(file);
}

function write(name: string, content: string | Uint8Array): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

const VALID = `listen = "127.0.0.1:0"
auth = "none"
state_dir = "/tmp/mcp-appliance-fuzz-state"

[log]
level = "info"

[servers.fx]
command = "${process.execPath}"
args = ["${join(FIXTURES, "behaviour-server.mjs")}"]
idle_timeout = "30m"
max_sessions = 4
max_message_size = "1MiB"
env = { A = "b" }
`;

describe("fuzz: validate with hostile configuration files (compiled binary)", () => {
  test("the unmutated file is valid (the mutations below start from a good one)", async () => {
    const outcome = await validate(write("valid.toml", VALID));
    expect(outcome.output).toContain("Valid configuration");
    expect(outcome.code).toBe(0);
  });

  test("random bytes", async () => {
    let n = 0;
    await fuzz("validate: random bytes", fc.uint8Array({ maxLength: 4096 }), 15, async (bytes) => {
      const path = write(`random-${n++}.toml`, bytes);
      expectCleanRefusal(await validate(path), path, [66, 78]);
    });
  });

  test("mutated valid files: bytes replaced, inserted, deleted, lines repeated", async () => {
    const edit = fc.oneof(
      fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => (b: Buffer) => {
        const copy = Buffer.from(b);
        if (copy.length > 0) copy[at % copy.length] = byte;
        return copy;
      }),
      fc
        .tuple(
          fc.nat(),
          fc.constantFrom(
            "[",
            "]",
            "{",
            "}",
            '"',
            "'",
            "=",
            "\n",
            ".",
            "#",
            "\\",
            "\u0000",
            "[[servers]]",
            '"""',
            "é",
            "\ud800",
            "1e999",
            "-",
          ),
        )
        .map(([at, text]) => (b: Buffer) => {
          const i = at % (b.length + 1);
          return Buffer.concat([b.subarray(0, i), Buffer.from(text, "utf8"), b.subarray(i)]);
        }),
      fc.tuple(fc.nat(), fc.integer({ min: 1, max: 20 })).map(([at, length]) => (b: Buffer) => {
        const i = at % (b.length + 1);
        return Buffer.concat([b.subarray(0, i), b.subarray(i + length)]);
      }),
      fc.tuple(fc.nat(), fc.integer({ min: 2, max: 200 })).map(([at, times]) => (b: Buffer) => {
        const lines = b.toString("latin1").split("\n");
        const i = at % lines.length;
        return Buffer.from([...lines.slice(0, i), ...Array(times).fill(lines[i]), ...lines.slice(i + 1)].join("\n"), "latin1");
      }),
    );
    let n = 0;
    await fuzz("validate: mutated valid files", fc.array(edit, { minLength: 1, maxLength: 4 }), 20, async (edits) => {
      const path = write(
        `mutated-${n++}.toml`,
        edits.reduce((acc, e) => e(acc), Buffer.from(VALID)),
      );
      expectCleanRefusal(await validate(path), path, [0, 66, 78]);
    });
  });

  test("nesting bombs, huge values, invalid UTF-8, NUL bytes, a BOM", async () => {
    const deep = 100_000;
    const cases: [string, string | Uint8Array][] = [
      ["empty.toml", ""],
      ["nul.toml", 'listen = "127.0.0.1:0\u0000"\n\u0000\u0000'],
      ["latin1.toml", new Uint8Array([0x61, 0x20, 0x3d, 0x20, 0x22, 0xe9, 0x22, 0x0a])],
      ["overlong.toml", new Uint8Array([0x61, 0x20, 0x3d, 0x20, 0x22, 0xc0, 0xaf, 0x22, 0x0a])],
      ["bom.toml", `\ufeff${VALID}`],
      ["deep-array.toml", `a = ${"[".repeat(deep)}${"]".repeat(deep)}\n`],
      ["deep-inline.toml", `a = ${"{b=".repeat(deep)}1${"}".repeat(deep)}\n`],
      ["deep-dotted.toml", `${Array(deep).fill("a").join(".")} = 1\n`],
      ["deep-header.toml", `[${Array(deep).fill("a").join(".")}]\n`],
      ["deep-servers-args.toml", `${VALID.replace(/args = .*\n/, `args = ${"[".repeat(deep)}${"]".repeat(deep)}\n`)}`],
      ["deep-array-tables.toml", "[[a]]\n".repeat(20_000)],
      ["long-key.toml", `${"k".repeat(1_000_000)} = 1\n`],
      ["many-tables.toml", Array.from({ length: 5000 }, (_, i) => `[servers.s${i}]\ncommand = "x"\n`).join("")],
      ["unterminated.toml", `a = """${"x".repeat(100_000)}`],
      ["proto.toml", `${VALID}\n[__proto__]\npolluted = true\n[servers.fx.env]\nconstructor = "x"\n`],
    ];
    for (const [name, content] of cases) {
      const path = write(name, content);
      const outcome = await validate(path);
      // A BOM before a valid file, and 5 000 well-formed servers, may well be valid.
      expectCleanRefusal(outcome, path, name === "bom.toml" || name === "many-tables.toml" ? [0, 78] : [66, 78]);
    }
  });

  test("paths that are no readable file: missing, a directory, a device, a symlink loop, a dangling link", async () => {
    mkdirSync(join(work, "a-directory"), { recursive: true });
    symlinkSync(join(work, "loop-b"), join(work, "loop-a"));
    symlinkSync(join(work, "loop-a"), join(work, "loop-b"));
    symlinkSync(join(work, "nowhere"), join(work, "dangling"));
    for (const path of [
      join(work, "missing.toml"),
      join(work, "a-directory"),
      "/dev/null",
      "/dev/zero",
      join(work, "loop-a"),
      join(work, "dangling"),
      join(work, "missing-dir", "x.toml"),
    ]) {
      expectCleanRefusal(await validate(path), path, [66, 78]);
    }
  });

  // A path the file system refuses (ENAMETOOLONG past PATH_MAX) is a read error like any other:
  // exit 66 with the reason, never an uncaught exception.
  test("validate --config with a path longer than PATH_MAX is refused cleanly", async () => {
    const path = join(work, "n".repeat(5000));
    expectCleanRefusal(await validate(path), path, [66]);
  });

  // A directory, /dev/zero or a symlink loop is named for what it is, not "it does not exist".
  test("a directory given as the configuration file is reported as a directory", async () => {
    const path = join(work, "a-directory-too");
    mkdirSync(path, { recursive: true });
    const outcome = await validate(path);
    expect(outcome.code).toBe(66);
    expect(outcome.output).not.toContain("does not exist");
    expect(outcome.output).toContain("it is a directory");
  });

  // A string value in the wrong format is quoted in the error ("got \"…\""): cut, so a huge value
  // makes no huge error line on the terminal and in the journal.
  test("an error message never echoes a whole oversized value", async () => {
    const path = write("huge-value.toml", `listen = "${"x".repeat(900 * 1024)}"\n`);
    const outcome = await validate(path);
    expectCleanRefusal(outcome, path, [78]);
    expect(outcome.output.length).toBeLessThan(64 * 1024);
  });

  // Bun.TOML.parse takes time quadratic in the number of keys of a table (16 000 keys: 0.3 s,
  // 64 000: 8 s, 200 000: over a minute), so a mistaken --config (a log file, a dump) would hang
  // validate and run: a file over 1 MiB is refused before parsing.
  test("a 2 MB configuration file of 100 000 keys is refused before parsing", async () => {
    const path = write("many-keys.toml", Array.from({ length: 100_000 }, (_, i) => `k${i} = ${i}\n`).join(""));
    const outcome = await validate(path);
    expectCleanRefusal(outcome, path, [78]);
    expect(outcome.output).toContain("larger than 1 MiB");
  }, 30_000);
});
