// Debian's libc6 of another architecture, unpacked as a package build directory, so that
// dpkg-shlibdeps can work out the Depends of an executable built for that architecture.
//
// dpkg-shlibdeps finds the libraries an executable needs, and the symbols files that say which
// libc6 version each symbol needs, among the installed packages of the host's architecture: for
// an arm64 executable on amd64 it finds none. Debian's answer is `dpkg --add-architecture arm64`
// and libc6:arm64 installed beside the host's; that changes the host for good. Instead, libc6 of
// that architecture is fetched with apt-get download, from the mirrors the host's apt uses, with
// a private apt state (lists and cache of its own, no installed packages), and unpacked with
// dpkg-deb -R: its libraries and DEBIAN/symbols are what `dpkg-shlibdeps -S` reads. The symbols'
// minimum versions are those of the Debian release, so every build of it gives the same Depends.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tool } from "./ensure-tools.ts";

const CACHE = join(import.meta.dir, "..", "node_modules", ".cache", "mcp-appliance");

/** The Debian architecture of this machine (dpkg --print-architecture). */
export function hostArchitecture(): string {
  return capture([tool("dpkg"), "--print-architecture"]).trim();
}

/** A directory holding libc6 of `architecture` as dpkg-deb -R unpacks it (…/DEBIAN/symbols and the libraries). */
export function foreignLibc(architecture: string): string {
  const dir = join(CACHE, `libc6-${architecture}`);
  if (existsSync(join(dir, "DEBIAN", "symbols"))) return dir;
  mkdirSync(CACHE, { recursive: true });
  const work = mkdtempSync(join(CACHE, "apt-"));
  try {
    for (const sub of ["state/lists/partial", "cache/archives/partial", "download"]) mkdirSync(join(work, sub), { recursive: true });
    const options = [
      `-oAPT::Architecture=${architecture}`,
      `-oAPT::Architectures=${architecture}`,
      `-oDir::State=${join(work, "state")}`,
      "-oDir::State::status=/dev/null",
      `-oDir::Cache=${join(work, "cache")}`,
      // The files are root's: apt's _apt user could not write them.
      "-oAPT::Sandbox::User=root",
    ];
    console.log(`package: apt-get download libc6:${architecture} (dpkg-shlibdeps reads its symbols)`);
    capture([tool("apt-get"), ...options, "-q", "update"]);
    capture([tool("apt-get"), ...options, "-q", "download", "libc6"], join(work, "download"));
    const deb = readdirSync(join(work, "download")).find((name) => name.endsWith(`_${architecture}.deb`));
    if (deb === undefined) throw new Error(`apt-get download libc6 for ${architecture} gave no .deb`);
    const unpacked = join(work, "libc6");
    capture([tool("dpkg-deb"), "--raw-extract", join(work, "download", deb), unpacked]);
    rmSync(dir, { recursive: true, force: true });
    renameSync(unpacked, dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dir;
}

function capture(argv: string[], cwd?: string): string {
  const result = Bun.spawnSync(argv, { cwd, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`${argv.join(" ")} failed (${result.exitCode}): ${result.stderr.toString()}`);
  return result.stdout.toString();
}
