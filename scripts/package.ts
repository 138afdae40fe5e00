// npm run package → dist/mcp-appliance_<version>_amd64.deb and …_arm64.deb, built with dpkg-deb
// from the files in packaging/ and the executable cross-compiled for each (scripts/build.ts
// --target): amd64 ships the build on Bun's baseline runtime (Debian's amd64 promises no more
// than the x86-64 baseline), arm64 the one on Bun's aarch64 runtime (ARMv8-A, as Debian's arm64).
//
//   bun scripts/package.ts [--architecture amd64|arm64] [--deb-version VERSION] [--output FILE]
//
// Without --architecture, both packages are built.
// Reproducible: with the same executable and SOURCE_DATE_EPOCH (default: the date of the top
// entry of packaging/changelog) the .deb is the same, byte for byte. --deb-version builds the
// same files under another version, with a changelog entry for it dated now (or
// SOURCE_DATE_EPOCH), e.g. to test an upgrade; --output writes the .deb elsewhere.
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { defaultOutfile, type Target } from "./build.ts";
import { ensureTools, tool } from "./ensure-tools.ts";
import { foreignLibc, hostArchitecture } from "./foreign-libc.ts";

export const ROOT = resolve(import.meta.dir, "..");
export const PACKAGING = join(ROOT, "packaging");
export const PACKAGE = "mcp-appliance";
/** Debian architecture → the build target of the executable it ships. */
export const ARCHITECTURES = { amd64: "linux-x64", arm64: "linux-arm64" } as const satisfies Record<string, Target>;
export type Architecture = keyof typeof ARCHITECTURES;
/** What the package for `architecture` ships as /usr/bin/mcp-appliance. */
export function binaryFor(architecture: Architecture): string {
  return join(ROOT, defaultOutfile(ARCHITECTURES[architecture]));
}
/** Files under /etc that are the admin's once installed: an upgrade asks before replacing an edited one. */
export const CONFFILES = ["/etc/mcp.toml", "/etc/mcp-appliance/firewall.nft"];

/** Everything a .deb is built from: when one is newer than the .deb, the .deb is rebuilt. */
const PACKAGE_INPUTS = [PACKAGING, join(ROOT, "scripts", "package.ts")];
/** Everything the executable is built from. */
const BINARY_INPUTS = ["src", "assets", "package.json", "package-lock.json", "scripts/build.ts", "scripts/bun-runtime.ts"].map((path) =>
  join(ROOT, path),
);

export interface PackageOptions {
  /** Default amd64. */
  architecture?: Architecture;
  /** The Debian version; default: the top entry of packaging/changelog. */
  debVersion?: string;
  /** Where to write the .deb; default dist/<package>_<version>_<architecture>.deb. */
  output?: string;
  /** Default: $SOURCE_DATE_EPOCH, else the date of the top changelog entry. */
  sourceDateEpoch?: number;
  /** The executable to ship; default binaryFor(architecture), built first when stale. */
  binary?: string;
}

/** The .deb for these options, built only when it is missing or older than what it is made of. */
export function ensurePackage(options: PackageOptions = {}): string {
  const binary = ensureBinary(options.architecture);
  const output = outputPath(options);
  if (newestMtime([...PACKAGE_INPUTS, binary]) < mtimeOf(output)) return output;
  return buildPackage(options);
}

/** binaryFor(architecture), rebuilt when missing or older than its sources. */
export function ensureBinary(architecture: Architecture = "amd64"): string {
  const binary = binaryFor(architecture);
  if (newestMtime(BINARY_INPUTS) < mtimeOf(binary)) return binary;
  const build = Bun.spawnSync([process.execPath, "scripts/build.ts", `--target=${ARCHITECTURES[architecture]}`, binary], {
    cwd: ROOT,
    stdout: "inherit",
    stderr: "inherit",
  });
  if (build.exitCode !== 0) throw new Error(`building the ${architecture} executable failed`);
  return binary;
}

export function buildPackage(options: PackageOptions = {}): string {
  if (!ensureTools(["dpkg", "dpkg-deb", "dpkg-shlibdeps", "gzip"])) throw new Error("the tools to build a .deb are missing");
  const architecture = options.architecture ?? "amd64";
  const binary = options.binary ?? ensureBinary(architecture);
  const changelog = readChangelog(options.debVersion);
  const version = changelog.version;
  const epoch = options.sourceDateEpoch ?? sourceDateEpoch(changelog.epoch);
  const output = outputPath({ ...options, debVersion: version });

  // dpkg-shlibdeps wants the files where debhelper would put them: debian/<package>/.
  const work = mkdtempSync(join(tmpdir(), "mcp-appliance-deb-"));
  const stage = join(work, "debian", PACKAGE);
  // Renamed into place when complete: a reader never sees half a package.
  const partial = `${output}.${process.pid}.partial`;
  try {
    stageFiles(stage, binary, changelog.text, version);
    writeControl(work, stage, version, architecture);
    normalise(stage, epoch);
    mkdirSync(dirname(output), { recursive: true });
    run([tool("dpkg-deb"), "--root-owner-group", "-Zxz", "--build", stage, partial], { SOURCE_DATE_EPOCH: String(epoch) });
    renameSync(partial, output);
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(partial, { force: true });
  }
  return output;
}

/** The files of the package, laid out as they install, with their modes. */
function stageFiles(stage: string, binary: string, changelog: string, version: string): void {
  const put = (path: string, mode: number, content: string | Uint8Array | { from: string }) => {
    const target = join(stage, path);
    mkdirSync(dirname(target), { recursive: true });
    if (typeof content === "object" && "from" in content) copyFileSync(content.from, target);
    else writeFileSync(target, content);
    chmodSync(target, mode);
  };
  const source = (name: string) => ({ from: join(PACKAGING, name) });
  const doc = `usr/share/doc/${PACKAGE}`;

  // Never stripped: the program is embedded in the executable.
  put("usr/bin/mcp-appliance", 0o755, { from: binary });
  put("usr/lib/systemd/system/mcp-appliance.service", 0o644, source("mcp-appliance.service"));
  put("usr/lib/systemd/system/mcp-appliance-firewall.service", 0o644, source("mcp-appliance-firewall.service"));
  put("etc/mcp.toml", 0o644, source("mcp.toml"));
  // The rules of the configuration shipped, so that the ports match: made by the program's
  // sources on the Bun that builds, as the executable of any architecture would make them (an
  // arm64 one cannot run here; checks.test.ts compares each package's executable with this).
  put(
    "etc/mcp-appliance/firewall.nft",
    0o644,
    capture([process.execPath, "src/cli/main.ts", "nft", "--config", join(PACKAGING, "mcp.toml")]),
  );
  put(`${doc}/copyright`, 0o644, source("copyright"));
  put(`${doc}/changelog.Debian.gz`, 0o644, gzip(changelog));
  const manual = readText(join(PACKAGING, "mcp-appliance.1")).replaceAll("@VERSION@", version);
  put("usr/share/man/man1/mcp-appliance.1.gz", 0o644, gzip(manual));
  put(`usr/share/lintian/overrides/${PACKAGE}`, 0o644, source("lintian-overrides"));

  put("DEBIAN/conffiles", 0o644, CONFFILES.map((path) => `${path}\n`).join(""));
  for (const script of ["postinst", "prerm", "postrm"]) put(`DEBIAN/${script}`, 0o755, source(script));
}

/**
 * DEBIAN/control (with the shared-library dependencies and the size) and DEBIAN/md5sums, which
 * leaves out the conffiles as dh_md5sums does: dpkg keeps their sums itself.
 */
function writeControl(work: string, stage: string, version: string, architecture: Architecture): void {
  writeFileSync(join(work, "debian", "control"), `Source: ${PACKAGE}\n\nPackage: ${PACKAGE}\nArchitecture: ${architecture}\n`);
  const shlibs = sharedLibraryDepends(work, join(stage, "usr/bin/mcp-appliance"), architecture);
  const depends = /^shlibs:Depends=(.+)$/m.exec(shlibs)?.[1];
  if (depends === undefined) throw new Error(`dpkg-shlibdeps said nothing usable: ${shlibs}`);

  const files = walk(stage).filter((path) => !relative(stage, path).startsWith("DEBIAN"));
  const md5sums = files
    .filter((path) => statSync(path).isFile() && !CONFFILES.includes(`/${relative(stage, path)}`))
    .map((path) => `${new Bun.CryptoHasher("md5").update(readFileSync(path)).digest("hex")}  ${relative(stage, path)}\n`)
    .join("");
  writeFileSync(join(stage, "DEBIAN", "md5sums"), md5sums);
  chmodSync(join(stage, "DEBIAN", "md5sums"), 0o644);

  // As dpkg-gencontrol counts it: KiB per file, rounded up, and one per directory.
  const installedSize = files.reduce((sum, path) => {
    const stat = statSync(path);
    return sum + (stat.isFile() ? Math.ceil(stat.size / 1024) : 1);
  }, 0);
  const template = readText(join(PACKAGING, "control"));
  const control = template
    .replace("@VERSION@", version)
    .replace("@ARCHITECTURE@", architecture)
    .replace("@INSTALLED_SIZE@", String(installedSize))
    .replace("@SHLIBS_DEPENDS@", depends);
  writeFileSync(join(stage, "DEBIAN", "control"), control);
  chmodSync(join(stage, "DEBIAN", "control"), 0o644);
}

/**
 * dpkg-shlibdeps on the executable. For another architecture than the host's it runs as in a
 * cross build (DEB_HOST_ARCH: the binary is read as that architecture's, and objdump reads any
 * ELF file) and finds the libraries and their symbols in that architecture's libc6, unpacked as
 * a package build directory (-S; see foreign-libc.ts): Bun's runtime needs glibc only.
 */
function sharedLibraryDepends(work: string, executable: string, architecture: Architecture): string {
  if (architecture === hostArchitecture()) return capture([tool("dpkg-shlibdeps"), "-O", executable], work).trim();
  const libc = foreignLibc(architecture);
  return capture([tool("dpkg-shlibdeps"), "-O", `-S${libc}`, executable], work, { DEB_HOST_ARCH: architecture }).trim();
}

/** Same modes for every directory, and every mtime SOURCE_DATE_EPOCH: the archive depends on nothing else. */
function normalise(stage: string, epoch: number): void {
  for (const path of [stage, ...walk(stage)]) {
    if (statSync(path).isDirectory()) chmodSync(path, 0o755);
    utimesSync(path, epoch, epoch);
  }
}

export interface Changelog {
  version: string;
  /** Seconds since 1970 of the top entry's date. */
  epoch: number;
  text: string;
}

/** packaging/changelog, with an entry for `debVersion` on top when that is not the top one. */
export function readChangelog(debVersion?: string): Changelog {
  const text = readText(join(PACKAGING, "changelog"));
  const top = /^mcp-appliance \(([^)]+)\)/.exec(text)?.[1];
  const date = /^ -- .+? {2}(.+)$/m.exec(text)?.[1];
  if (top === undefined || date === undefined) throw new Error("packaging/changelog: no entry on top");
  if (!top.startsWith(`${pkg.version}-`)) {
    throw new Error(`packaging/changelog: the top entry is ${top}, package.json says ${pkg.version}: add an entry for ${pkg.version}-1`);
  }
  const epoch = Math.floor(Date.parse(date) / 1000);
  if (debVersion === undefined || debVersion === top) return { version: top, epoch, text };
  // Dated as dch would date it: now, or SOURCE_DATE_EPOCH when that is set.
  const now = sourceDateEpoch(Math.floor(Date.now() / 1000));
  const maintainer = /^ -- (.+?) {2}/m.exec(text)![1];
  const entry =
    `mcp-appliance (${debVersion}) unstable; urgency=medium\n\n` +
    `  * Rebuild of ${top} as ${debVersion}.\n\n` +
    ` -- ${maintainer}  ${rfc2822(now)}\n\n`;
  return { version: debVersion, epoch: now, text: entry + text };
}

function sourceDateEpoch(fallback: number): number {
  const given = process.env.SOURCE_DATE_EPOCH;
  if (given === undefined || given === "") return fallback;
  if (!/^\d+$/.test(given)) throw new Error(`SOURCE_DATE_EPOCH must be a number of seconds, got ${given}`);
  return Number(given);
}

function outputPath({ output, debVersion, architecture = "amd64" }: PackageOptions): string {
  return resolve(output ?? join(ROOT, "dist", `${PACKAGE}_${debVersion ?? readChangelog().version}_${architecture}.deb`));
}

function rfc2822(epoch: number): string {
  // "Thu, 26 Nov 2026 12:00:00 +0000", as dpkg-parsechangelog reads it.
  return new Date(epoch * 1000).toUTCString().replace("GMT", "+0000");
}

/** gzip -9n: best compression, and neither the name nor the time in the header. */
function gzip(text: string): Uint8Array {
  const result = Bun.spawnSync([tool("gzip"), "-9n"], { stdin: new TextEncoder().encode(text), stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`gzip failed: ${result.stderr.toString()}`);
  return result.stdout;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? [path, ...walk(path)] : [path];
    });
}

function newestMtime(paths: string[]): number {
  return Math.max(
    ...paths.map((path) => (statSync(path, { throwIfNoEntry: false })?.isDirectory() ? newestMtime(walk(path)) : mtimeOf(path))),
  );
}

function mtimeOf(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? -Infinity;
}

function readText(path: string): string {
  return readFileSync(path, "utf8");
}

function capture(argv: string[], cwd = ROOT, env: Record<string, string> = {}): string {
  const result = Bun.spawnSync(argv, { cwd, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`${argv.join(" ")} failed (${result.exitCode}): ${result.stderr.toString()}`);
  return result.stdout.toString();
}

function run(argv: string[], env: Record<string, string> = {}): void {
  const result = Bun.spawnSync(argv, { cwd: ROOT, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`${argv.join(" ")} failed (${result.exitCode}):\n${result.stdout}${result.stderr}`);
}

const USAGE = "usage: bun scripts/package.ts [--architecture amd64|arm64] [--deb-version VERSION] [--output FILE]";

function parseArgs(argv: string[]): PackageOptions {
  const options: PackageOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = argv[++i];
    if (arg === "--deb-version" && value !== undefined) options.debVersion = value;
    else if (arg === "--output" && value !== undefined) options.output = value;
    else if (arg === "--architecture" && value !== undefined && value in ARCHITECTURES) options.architecture = value as Architecture;
    else fail(`unexpected ${arg}${value === undefined ? "" : ` ${value}`} (${USAGE})`);
  }
  if (options.output !== undefined && options.architecture === undefined)
    fail(`--output names one .deb: give its --architecture (${USAGE})`);
  return options;
}

function fail(message: string): never {
  console.error(`package: ${message}`);
  process.exit(64);
}

if (import.meta.main) {
  const options = parseArgs(process.argv.slice(2));
  const architectures = options.architecture ? [options.architecture] : (Object.keys(ARCHITECTURES) as Architecture[]);
  for (const architecture of architectures) {
    const started = performance.now();
    const deb = buildPackage({ ...options, architecture });
    const took = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`${relative(process.cwd(), deb)} (${(statSync(deb).size / 1e6).toFixed(1)} MB, ${took} s)`);
  }
}
