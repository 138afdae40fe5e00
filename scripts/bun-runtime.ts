// The Bun runtime that `bun build --compile` embeds for another platform, from the npm registry
// only: the @oven/bun-<platform> package that package.json pins as an optional dependency.
//
// npm ci installs an optional dependency only where its `os`/`cpu`/`libc` fields match the host:
// on amd64 it leaves @oven/bun-linux-aarch64 out (the lockfile still records its version and
// integrity). Forcing it in is no better: `npm ci --cpu=arm64` applies to every package (the
// host's own Bun and Biome binaries would go), `--force` installs every platform's. So when
// node_modules lacks the package, `npm pack <name>@<locked version>` fetches the same tarball
// through npm's configured registry and cache, its sha512 must equal the lockfile's integrity,
// and it is unpacked into node_modules/.cache/ (which npm ci wipes with the rest).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import lock from "../package-lock.json" with { type: "json" };

const ROOT = join(import.meta.dir, "..");
const CACHE = join(ROOT, "node_modules", ".cache", "mcp-appliance");

interface LockEntry {
  version: string;
  integrity: string;
}

/** The path of `bin/bun` of the npm package `name`, fetched from the registry when npm left it out. */
export function bunRuntime(name: string): string {
  const locked = (lock.packages as Record<string, Partial<LockEntry> | undefined>)[`node_modules/${name}`];
  if (!locked?.version || !locked.integrity) throw new Error(`${name} is not in package-lock.json: add it to optionalDependencies`);
  // The bytecode is made by the Bun that runs the build and read by the embedded one: same version.
  if (locked.version !== Bun.version) {
    throw new Error(`${name} is locked at ${locked.version}, the build runs on Bun ${Bun.version}: pin both to the same version`);
  }
  const installed = join(ROOT, "node_modules", name);
  if (existsSync(join(installed, "bin", "bun")) && installedVersion(installed) === locked.version) return join(installed, "bin", "bun");

  const dir = join(CACHE, `${name.replace("/", "+")}-${locked.version}`);
  const bun = join(dir, "bin", "bun");
  if (!existsSync(bun)) fetchPackage(name, locked as LockEntry, dir);
  return bun;
}

function installedVersion(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

function fetchPackage(name: string, locked: LockEntry, dir: string): void {
  const npm = Bun.which("npm");
  if (!npm) throw new Error(`${name} is missing and npm is not on PATH to fetch it: run npm ci (npm 7 or newer)`);
  mkdirSync(CACHE, { recursive: true });
  const work = mkdtempSync(join(CACHE, "fetch-"));
  try {
    console.log(`build: npm pack ${name}@${locked.version} (npm ci leaves it out on this platform)`);
    const pack = Bun.spawnSync([npm, "pack", `${name}@${locked.version}`, "--pack-destination", work, "--json", "--silent"], {
      cwd: work,
      stdout: "pipe",
      stderr: "pipe",
    });
    if (pack.exitCode !== 0) throw new Error(`npm pack ${name}@${locked.version} failed: ${pack.stderr.toString()}`);
    const [packed] = JSON.parse(pack.stdout.toString()) as { filename: string }[];
    const tarball = join(work, packed!.filename);
    const integrity = `sha512-${new Bun.CryptoHasher("sha512").update(readFileSync(tarball)).digest("base64")}`;
    if (integrity !== locked.integrity) {
      throw new Error(`${name}@${locked.version} from the registry has ${integrity}, package-lock.json says ${locked.integrity}`);
    }
    const unpacked = join(work, "package");
    mkdirSync(unpacked);
    const tar = Bun.spawnSync(["tar", "-xzf", tarball, "-C", unpacked, "--strip-components=1", "--no-same-owner"], {
      stdout: "pipe",
      stderr: "pipe",
    });
    if (tar.exitCode !== 0 || !existsSync(join(unpacked, "bin", "bun"))) {
      throw new Error(`unpacking ${tarball} gave no bin/bun: ${tar.stderr.toString()}`);
    }
    // Renamed into place when complete: a build that was cut off leaves no half runtime.
    rmSync(dir, { recursive: true, force: true });
    renameSync(unpacked, dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
