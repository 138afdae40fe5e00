// The Debian package the install test installs, and a newer build of it for the upgrade.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensurePackage, ROOT } from "../../scripts/package.ts";
import { hostRun, log, WORK_DIR } from "./rootfs.ts";

export { ROOT };

/**
 * dist/mcp-appliance_<version>_amd64.deb as `npm run package` makes it: scripts/package.ts builds
 * it when it is missing or older than what it is made of (packaging/, the script, the linux-x64
 * executable), the same one the package checks (checks.test.ts) look at.
 */
export function packageUnderTest(): string {
  const started = performance.now();
  const deb = ensurePackage();
  const took = (performance.now() - started) / 1000;
  if (took > 1) log(`built ${deb} in ${took.toFixed(1)} s`);
  if (!existsSync(deb)) throw new Error(`scripts/package.ts did not make ${deb}`);
  return deb;
}

export function debField(deb: string, field: string): string {
  return hostRun(["dpkg-deb", "--field", deb, field]).stdout.trim();
}

/**
 * A newer build of `deb`: the same files, Version `<version>+upgrade1`, and a default
 * /etc/mcp.toml that differs from the old one by a comment line at its end, so that an admin's
 * edit meets a changed conffile, as in a real upgrade. Repacked (dpkg-deb -R, then -b -Znone)
 * rather than built again with `scripts/package.ts --deb-version`: that compresses the
 * executable with xz once more (about 45 s here), this takes about 3 s.
 */
export function newerBuild(deb: string, outDir: string): { deb: string; version: string; addedLine: string } {
  const version = `${debField(deb, "Version")}+upgrade1`;
  const dir = join(WORK_DIR, `repack-${process.pid}-${Date.now()}`);
  const addedLine = `# ${version}: a line only the newer build's default configuration has`;
  try {
    hostRun(["dpkg-deb", "--raw-extract", deb, dir]);
    const control = join(dir, "DEBIAN", "control");
    writeFileSync(control, readFileSync(control, "utf8").replace(/^Version: .*$/m, `Version: ${version}`));
    const config = join(dir, "etc", "mcp.toml");
    writeFileSync(config, `${readFileSync(config, "utf8")}${addedLine}\n`);
    const md5sums = join(dir, "DEBIAN", "md5sums");
    if (existsSync(md5sums) && / etc\/mcp\.toml$/m.test(readFileSync(md5sums, "utf8"))) {
      const sum = hostRun(["md5sum", "etc/mcp.toml"], { cwd: dir }).stdout;
      writeFileSync(md5sums, readFileSync(md5sums, "utf8").replace(/^\S+ {2}etc\/mcp\.toml$/m, sum.trim()));
    }
    const out = join(outDir, `mcp-appliance_${version}_${debField(deb, "Architecture")}.deb`);
    hostRun(["dpkg-deb", "--root-owner-group", "-Znone", "--build", dir, out]);
    return { deb: out, version, addedLine };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
