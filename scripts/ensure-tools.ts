// The Debian tools that `npm run package` and the package and firewall tests use, installed
// with apt-get when one is missing (npm test runs this once). Where apt-get cannot be used
// (not root, not Debian), it says what to install and fails.
//
//   bun scripts/ensure-tools.ts
import { existsSync } from "node:fs";

/** Program (or, starting with /, a file) → the Debian package that provides it. */
export const TOOLS: Record<string, string> = {
  dpkg: "dpkg",
  "dpkg-deb": "dpkg",
  "dpkg-shlibdeps": "dpkg-dev",
  readelf: "binutils",
  lintian: "lintian",
  "systemd-analyze": "systemd",
  // systemd-analyze verify looks up the man pages that units name in Documentation=.
  man: "man-db",
  nft: "nftables",
  unshare: "util-linux",
  ip: "iproute2",
  gzip: "gzip",
  // The arm64 executable and package tests: arm64 programs run under qemu-user, the executable
  // with the arm64 glibc of Debian's cross-toolchain packages as its root for libraries (-L).
  "qemu-aarch64-static": "qemu-user-static",
  "/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1": "libc6-arm64-cross",
};

// Administration tools live in sbin, which a user's PATH may lack.
const SEARCH_PATH = [process.env.PATH ?? "", "/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"].join(":");

/** The full path of a program, looked up in PATH and the sbin directories (a path: whether it exists). */
export function findTool(name: string): string | undefined {
  if (name.startsWith("/")) return existsSync(name) ? name : undefined;
  return Bun.which(name, { PATH: SEARCH_PATH }) ?? undefined;
}

/** The full path of a program, or an error that says which package brings it. */
export function tool(name: string): string {
  const path = findTool(name);
  if (path === undefined)
    throw new Error(`${name} is missing: apt-get install ${TOOLS[name] ?? name} (or run bun scripts/ensure-tools.ts)`);
  return path;
}

export function ensureTools(names: readonly string[] = Object.keys(TOOLS)): boolean {
  const missing = [...new Set(names.filter((name) => findTool(name) === undefined).map((name) => TOOLS[name] ?? name))];
  if (missing.length === 0) return true;
  const aptGet = findTool("apt-get");
  if (aptGet === undefined || process.getuid?.() !== 0) {
    console.error(`missing Debian packages: ${missing.join(" ")} (install them as root: apt-get install ${missing.join(" ")})`);
    return false;
  }
  console.log(`== apt-get install ${missing.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (args: string[]) => Bun.spawnSync([aptGet, ...args], { env, stdout: "inherit", stderr: "inherit" }).exitCode === 0;
  // Lists may be missing or stale on a fresh machine; update once, then install.
  if (!apt(["update", "-q"]) || !apt(["install", "-y", "-q", "--no-install-recommends", ...missing])) return false;
  const still = names.filter((name) => findTool(name) === undefined);
  if (still.length > 0) console.error(`still missing after apt-get install: ${still.join(" ")}`);
  return still.length === 0;
}

if (import.meta.main) process.exit(ensureTools() ? 0 : 1);
