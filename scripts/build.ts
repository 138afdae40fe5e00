// npm run build → dist/mcp-appliance: one self-contained executable (bun build --compile) for
// the machine that builds it. The binary must not pick up .env or bunfig.toml from whatever
// directory it is started in, and carries its version. Never strip it: the program is embedded
// in the file.
//
//   bun scripts/build.ts [--target=linux-x64|linux-arm64] [OUTFILE]
//
// --target cross-compiles for a Debian-like Linux (glibc) with the Bun runtime of that platform,
// an optional dependency pinned to the version of the Bun that builds (see bun-runtime.ts):
//   linux-x64    @oven/bun-linux-x64-baseline: any x86-64 CPU (no AVX2 needed: older servers,
//                and virtual machines whose CPU model hides it, such as QEMU's default one);
//                what the amd64 package ships. Default OUTFILE dist/mcp-appliance-linux-x64.
//   linux-arm64  @oven/bun-linux-aarch64: ARMv8-A and later (Raspberry Pi 3/4/5 with a 64-bit
//                OS, Ampere, Graviton). Default OUTFILE dist/mcp-appliance-linux-arm64.
import pkg from "../package.json" with { type: "json" };
import { bunRuntime } from "./bun-runtime.ts";

const root = `${import.meta.dir}/..`;

/** --target → Bun's compile target and the npm package of its runtime. */
const TARGETS = {
  "linux-x64": { bunTarget: "bun-linux-x64-baseline", runtime: "@oven/bun-linux-x64-baseline" },
  "linux-arm64": { bunTarget: "bun-linux-arm64", runtime: "@oven/bun-linux-aarch64" },
} as const;
export type Target = keyof typeof TARGETS;

const USAGE = `usage: bun scripts/build.ts [--target=${Object.keys(TARGETS).join("|")}] [OUTFILE]`;

/** Where a build for `target` (none: this machine) goes unless an OUTFILE is given. */
export function defaultOutfile(target?: Target): string {
  return target === undefined ? "dist/mcp-appliance" : `dist/mcp-appliance-${target}`;
}

function parseArgs(argv: string[]): { target?: Target; outfile: string } {
  let target: Target | undefined;
  const files: string[] = [];
  for (const arg of argv) {
    const value = /^--target=(.*)$/.exec(arg)?.[1];
    if (value !== undefined && value in TARGETS) target = value as Target;
    else if (value !== undefined) fail(`unknown target ${value} (${USAGE})`);
    else if (arg.startsWith("-")) fail(`unknown option ${arg} (${USAGE})`);
    else files.push(arg);
  }
  if (files.length > 1) fail(`one OUTFILE at most (${USAGE})`);
  return { target, outfile: files[0] ?? defaultOutfile(target) };
}

function fail(message: string): never {
  console.error(`build: ${message}`);
  process.exit(64);
}

/** Builds the executable; exits with bun build's code. */
function main(): never {
  const { target, outfile } = parseArgs(process.argv.slice(2));
  const cross: string[] = [];
  if (target !== undefined) {
    const { bunTarget, runtime } = TARGETS[target];
    let executable: string;
    try {
      executable = bunRuntime(runtime);
    } catch (error) {
      console.error(`build: ${(error as Error).message}`);
      process.exit(1);
    }
    // The runtime embedded in the executable is this file, not the Bun that runs the build.
    cross.push(`--target=${bunTarget}`, `--compile-executable-path=${executable}`);
  }

  const args = [
    "build",
    "--compile",
    ...cross,
    // Bytecode compiled at build time: the executable skips parsing its program at every start
    // (measured: `version` 63 → 20 ms, start to listening 95 → 38 ms). ESM keeps main.ts's
    // top-level await; --bytecode alone would default to CommonJS.
    "--bytecode",
    "--format=esm",
    "--minify-syntax",
    "--sourcemap=none",
    "--no-compile-autoload-dotenv",
    "--no-compile-autoload-bunfig",
    `--define=MCP_APPLIANCE_VERSION=${JSON.stringify(pkg.version)}`,
    // The pages' CSS and images, served by the binary itself (see src/http/assets.ts).
    "--asset=assets",
    "src/cli/main.ts",
    "--outfile",
    outfile,
  ];
  const build = Bun.spawnSync([process.execPath, ...args], { stdout: "inherit", stderr: "inherit", cwd: root });
  process.exit(build.exitCode ?? 1);
}

if (import.meta.main) main();
