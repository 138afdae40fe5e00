// Running an executable built for another architecture on this machine: an arm64 one on amd64
// goes through qemu-user (Debian's qemu-user-static), with the arm64 glibc of Debian's
// libc6-arm64-cross as the root its libraries are looked up in (qemu's -L). Both come from
// scripts/ensure-tools.ts. No environment tweak is needed: Bun's JIT, its threads and its
// signals work under qemu-aarch64 7.2 as they are.
//
// The prefix is explicit on every command (no binfmt registration): a process started this way
// can start the arm64 executable again only through the same prefix, which is why the configs of
// the arm64 tests name qemu-aarch64-static as the command of a stdio server.
import { join } from "node:path";
import { findTool } from "../../scripts/ensure-tools.ts";
import { type Architecture, binaryFor } from "../../scripts/package.ts";

/** Debian architecture → the qemu-user program and the root of its libraries (-L). */
const EMULATORS: Record<string, { qemu: string; sysroot: string }> = {
  arm64: { qemu: "qemu-aarch64-static", sysroot: "/usr/aarch64-linux-gnu" },
};

const HOST: Architecture = process.arch === "arm64" ? "arm64" : "amd64";

/** The argv prefix that runs an executable of `architecture` here: nothing for the host's own. */
export function runnerFor(architecture: Architecture): string[] {
  if (architecture === HOST) return [];
  const emulator = EMULATORS[architecture];
  // scripts/ensure-tools.ts installs what an amd64 machine (the CI's) needs for arm64.
  if (!emulator) throw new Error(`running ${architecture} executables on ${HOST} is not set up (see scripts/ensure-tools.ts)`);
  const qemu = findTool(emulator.qemu);
  if (!qemu || !findTool(join(emulator.sysroot, "lib"))) {
    throw new Error(`no ${emulator.qemu} with a ${architecture} glibc here: run bun scripts/ensure-tools.ts`);
  }
  return [qemu, "-L", emulator.sysroot];
}

/** The argv that runs the executable the package for `architecture` ships, built when stale. */
export function executableArgv(architecture: Architecture, binary = binaryFor(architecture)): string[] {
  return [...runnerFor(architecture), binary];
}
