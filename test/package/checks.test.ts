// Checks of each .deb (amd64 and arm64) that need no installation: what it contains and with
// which modes, lintian, systemd's own checks of the units, nft on the shipped rules, the shipped
// configuration, and a byte-identical rebuild. Each .deb is built once (dist/ keeps it until
// packaging/, scripts/package.ts or the executable change); the install test uses the amd64 one.
// The arm64 package's executable runs under qemu-user (foreign-exec.ts).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { ensureTools, tool } from "../../scripts/ensure-tools.ts";
import { ARCHITECTURES, type Architecture, buildPackage, CONFFILES, ensurePackage, ROOT, readChangelog } from "../../scripts/package.ts";
import { runnerFor } from "./foreign-exec.ts";

// Building the .deb compresses ~110 MB with xz: one to two minutes on two busy cores.
const BUILD_TIMEOUT = 600_000;
/** What `readelf --file-header` calls each architecture's machine. */
const MACHINES: Record<Architecture, string> = { amd64: "Advanced Micro Devices X86-64", arm64: "AArch64" };

function sh(argv: string[], options: { env?: Record<string, string>; cwd?: string } = {}): string {
  const result = Bun.spawnSync(argv, { env: { ...process.env, ...options.env }, cwd: options.cwd, stdout: "pipe", stderr: "pipe" });
  const output = result.stdout.toString() + result.stderr.toString();
  if (result.exitCode !== 0) throw new Error(`${argv.join(" ")} exited with ${result.exitCode}:\n${output}`);
  return output;
}

/** Runs a command and returns its exit code and everything it printed. */
function check(argv: string[], env: Record<string, string> = {}): { code: number; output: string } {
  const result = Bun.spawnSync(argv, { env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  return { code: result.exitCode ?? 1, output: result.stdout.toString() + result.stderr.toString() };
}

for (const architecture of Object.keys(ARCHITECTURES) as Architecture[])
  describe(`the ${architecture} package`, () => {
    /** The argv prefix that runs this package's executable here (qemu-user for a foreign one). */
    let runner: string[] = [];
    let deb: string;
    /** The package's files unpacked (dpkg-deb -x), plus what systemd-analyze verify needs around them. */
    let unpacked: string;

    beforeAll(() => {
      // npm test installs them beforehand (scripts/ensure-tools.ts); this is for `bun test test/package`.
      if (!ensureTools()) throw new Error("the Debian tools of the package checks are missing");
      runner = runnerFor(architecture);
      deb = ensurePackage({ architecture });
      unpacked = mkdtempSync(join(tmpdir(), "mcp-appliance-unpacked-"));
      sh([tool("dpkg-deb"), "-x", deb, unpacked]);
    }, BUILD_TIMEOUT);

    afterAll(() => {
      if (unpacked) rmSync(unpacked, { recursive: true, force: true });
    });

    const control = (file: string) => sh([tool("dpkg-deb"), "--info", deb, file]);

    describe("the .deb", () => {
      test("is named after the version of the top changelog entry", () => {
        expect(deb).toBe(join(ROOT, "dist", `mcp-appliance_${readChangelog().version}_${architecture}.deb`));
      });

      test("holds exactly the expected paths, owned by root, with their modes", () => {
        const listing = sh([tool("dpkg-deb"), "--contents", deb])
          .trim()
          .split("\n")
          .map((line) => {
            const [mode, owner, , , , path] = line.split(/\s+/);
            return `${mode} ${owner} ${path}`;
          });
        const dir = (path: string) => `drwxr-xr-x root/root ./${path}`;
        const file = (path: string, mode = "-rw-r--r--") => `${mode} root/root ./${path}`;
        expect(listing).toEqual([
          dir(""),
          dir("etc/"),
          dir("etc/mcp-appliance/"),
          file("etc/mcp-appliance/firewall.nft"),
          file("etc/mcp.toml"),
          dir("usr/"),
          dir("usr/bin/"),
          file("usr/bin/mcp-appliance", "-rwxr-xr-x"),
          dir("usr/lib/"),
          dir("usr/lib/systemd/"),
          dir("usr/lib/systemd/system/"),
          file("usr/lib/systemd/system/mcp-appliance-firewall.service"),
          file("usr/lib/systemd/system/mcp-appliance.service"),
          dir("usr/share/"),
          dir("usr/share/doc/"),
          dir("usr/share/doc/mcp-appliance/"),
          file("usr/share/doc/mcp-appliance/changelog.Debian.gz"),
          file("usr/share/doc/mcp-appliance/copyright"),
          dir("usr/share/lintian/"),
          dir("usr/share/lintian/overrides/"),
          file("usr/share/lintian/overrides/mcp-appliance"),
          dir("usr/share/man/"),
          dir("usr/share/man/man1/"),
          file("usr/share/man/man1/mcp-appliance.1.gz"),
        ]);
      });

      test("every member has the same time (SOURCE_DATE_EPOCH)", () => {
        const stamps = new Set(
          sh([tool("dpkg-deb"), "--contents", deb])
            .trim()
            .split("\n")
            .map((line) => line.split(/\s+/).slice(3, 5).join(" ")),
        );
        expect(stamps.size).toBe(1);
      });

      test("control: the fields of a Debian daemon package", () => {
        const fields = Object.fromEntries(
          sh([tool("dpkg-deb"), "--field", deb])
            .split(/\n(?! )/)
            .filter((line) => line.includes(":"))
            .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim()]),
        );
        expect(fields).toMatchObject({
          Package: "mcp-appliance",
          Version: readChangelog().version,
          Architecture: architecture,
          Section: "net",
          Priority: "optional",
          Recommends: "nftables",
        });
        expect(fields.Depends).toMatch(/^adduser, libc6 \(>= [\d.]+\)$/);
        expect(Number(fields["Installed-Size"])).toBeGreaterThan(100_000);
        expect(fields.Description).toStartWith("OAuth front door and stdio bridge for self-hosted MCP servers\n");
      });

      test("conffiles: the configuration and the firewall rules", () => {
        expect(control("conffiles")).toBe("/etc/mcp.toml\n/etc/mcp-appliance/firewall.nft\n");
      });

      test("md5sums: every file but the conffiles (dpkg keeps their sums), each right", () => {
        const sums = new Map(
          control("md5sums")
            .trim()
            .split("\n")
            .map((line) => {
              const [sum, path] = line.split(/ {2}/);
              return [path!, sum!];
            }),
        );
        const files = sh([tool("dpkg-deb"), "--contents", deb])
          .trim()
          .split("\n")
          .filter((line) => line.startsWith("-"))
          .map((line) => line.split(/\s+/)[5]!.slice(2));
        expect([...sums.keys()]).toEqual(files.filter((path) => !CONFFILES.includes(`/${path}`)));
        for (const [path, sum] of sums)
          expect(new Bun.CryptoHasher("md5").update(readFileSync(join(unpacked, path))).digest("hex")).toBe(sum);
      });

      test("the executable is the architecture's, not stripped: the program Bun embeds is still in it, and runs", () => {
        const executable = join(unpacked, "usr/bin/mcp-appliance");
        expect(sh([tool("readelf"), "--file-header", executable])).toMatch(new RegExp(`Machine:\\s+${MACHINES[architecture]}\n`));
        const sections = sh([tool("readelf"), "--section-headers", "--wide", executable]);
        expect(sections).toContain(" .bun ");
        expect(sections).toContain(" .symtab ");
        expect(sh([...runner, executable, "version"])).toBe(`mcp-appliance ${pkg.version}\n`);
      });

      test("maintainer scripts: executable, valid sh, and in the shape of debhelper's", () => {
        const listing = sh(["sh", "-c", `"${tool("dpkg-deb")}" --ctrl-tarfile "$0" | tar -tv`, deb]);
        for (const script of ["postinst", "prerm", "postrm"]) {
          expect(listing).toMatch(new RegExp(`-rwxr-xr-x root/root .* \\./${script}\\n`));
          const text = control(script);
          expect(text).toStartWith("#!/bin/sh\n");
          expect(check(["sh", "-n", "-c", text]).code).toBe(0);
        }
        const commands = (script: string) =>
          control(script)
            .split("\n")
            .filter((line) => !/^\s*#/.test(line))
            .join("\n");
        const postinst = commands("postinst");
        expect(postinst).toContain('adduser --system --group --home "$STATE_DIR" --no-create-home --quiet mcp-appliance');
        expect(postinst).toContain("deb-systemd-helper enable");
        expect(postinst).toContain("if [ -d /run/systemd/system ]; then");
        // No secret is made at install time: images built from the package would share it.
        expect(postinst).not.toMatch(/openssl|urandom|passwd|token add|client add/);
        expect(control("prerm")).toContain("deb-systemd-invoke stop mcp-appliance.service");
        const postrm = commands("postrm");
        expect(postrm).toContain("rm -rf /var/lib/mcp-appliance /var/cache/mcp-appliance");
        expect(postrm).not.toMatch(/deluser|delgroup|userdel/);
      });

      test("the man page and the changelog are gzip -9n (no name, no time in the header)", () => {
        for (const path of ["usr/share/man/man1/mcp-appliance.1.gz", "usr/share/doc/mcp-appliance/changelog.Debian.gz"]) {
          const bytes = readFileSync(join(unpacked, path));
          expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
          expect(bytes[3]! & 0x08).toBe(0); // FNAME
          expect(bytes.readUInt32LE(4)).toBe(0); // MTIME
        }
        const manual = sh(["sh", "-c", 'gzip -dc "$0"', join(unpacked, "usr/share/man/man1/mcp-appliance.1.gz")]);
        expect(manual).toContain(`"mcp-appliance ${readChangelog().version}"`);
      });
    });

    describe("copyright", () => {
      test("names every package bundled into the executable", () => {
        // What bun build puts in: the packages of its inputs, as the metafile lists them.
        const dir = mkdtempSync(join(tmpdir(), "mcp-appliance-meta-"));
        try {
          sh([process.execPath, "build", "--target=bun", `--metafile=${join(dir, "meta.json")}`, "--outdir", dir, "src/cli/main.ts"], {
            cwd: ROOT,
          });
          const inputs = Object.keys(JSON.parse(readFileSync(join(dir, "meta.json"), "utf8")).inputs as Record<string, unknown>);
          const bundled = new Set(inputs.flatMap((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1] ?? []));
          expect(bundled.size).toBeGreaterThan(5);
          const copyright = readFileSync(join(unpacked, "usr/share/doc/mcp-appliance/copyright"), "utf8");
          expect([...bundled].filter((name) => !copyright.includes(` node_modules/${name}/*\n`))).toEqual([]);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });

    describe("lintian", () => {
      test(
        "lintian --pedantic: no tag but the overridden ones, and every override used",
        () => {
          // -I: info tags too; an override that no longer matches anything shows as one.
          const result = check([tool("lintian"), "--pedantic", "-I", "--fail-on", "error,warning,info,pedantic", deb]);
          const tags = result.output.split("\n").filter((line) => /^[EWIPX]: /.test(line));
          expect(tags).toEqual([]);
          expect(result.code).toBe(0);
        },
        BUILD_TIMEOUT,
      );

      test("every override has a reason", () => {
        const lines = readFileSync(join(unpacked, "usr/share/lintian/overrides/mcp-appliance"), "utf8").split("\n");
        lines.forEach((line, index) => {
          if (line.startsWith("mcp-appliance: ")) expect(lines[index - 1]).toStartWith("# ");
        });
      });
    });

    describe("the units", () => {
      const units = ["mcp-appliance.service", "mcp-appliance-firewall.service"];

      test("systemd-analyze verify prints nothing", () => {
        // systemd-analyze verify --root= wants the targets the units name, and the executables of
        // their Exec lines (nft is not part of the package): a copy of the host's, beside the
        // package's files. Documentation= man pages come from the package first, then the host.
        const unitDir = join(unpacked, "usr/lib/systemd/system");
        for (const name of readdirSync("/usr/lib/systemd/system").filter((name) => name.endsWith(".target"))) {
          if (!existsSync(join(unitDir, name))) copyFileSync(join("/usr/lib/systemd/system", name), join(unitDir, name));
        }
        mkdirSync(join(unpacked, "usr/sbin"), { recursive: true });
        copyFileSync(tool("nft"), join(unpacked, "usr/sbin/nft"));
        const result = check(
          [
            tool("systemd-analyze"),
            "verify",
            `--root=${unpacked}`,
            "--generators=no",
            ...units.map((unit) => `/usr/lib/systemd/system/${unit}`),
          ],
          { MANPATH: `${join(unpacked, "usr/share/man")}:` },
        );
        expect(result).toEqual({ code: 0, output: "" });
      });

      test("systemd-analyze security --offline=yes: mcp-appliance.service scores 2.0 or lower", () => {
        // --threshold counts in tenths of the score printed: 20 is an exposure of 2.0.
        const unit = join(unpacked, "usr/lib/systemd/system/mcp-appliance.service");
        const result = check([tool("systemd-analyze"), "security", "--offline=yes", "--threshold=20", "--no-pager", unit]);
        const score = Number(/Overall exposure level for mcp-appliance\.service: ([\d.]+)/.exec(result.output)?.[1]);
        expect(score).toBeLessThanOrEqual(2.0);
        expect(result.code).toBe(0);
        // Knowingly left out (mcp-appliance(1) says why); the rest of the list is the test above.
        const text = readFileSync(unit, "utf8");
        expect(text).not.toMatch(/^(MemoryDenyWriteExecute|DynamicUser|ProcSubset|IPAddressDeny)=/m);
        expect(text).toMatch(/^SystemCallFilter=@system-service @pkey$/m);
        expect(text).toMatch(/^CapabilityBoundingSet=$/m);
        expect(text).toMatch(/^User=mcp-appliance$/m);
        expect(text).toMatch(/^ExecStart=\/usr\/bin\/mcp-appliance --config \/etc\/mcp.toml$/m);
      });

      test("the firewall unit follows nftables.service and loads the shipped rules", () => {
        const text = readFileSync(join(unpacked, "usr/lib/systemd/system/mcp-appliance-firewall.service"), "utf8");
        expect(text).toMatch(/^After=nftables\.service$/m);
        expect(text).toMatch(/^PartOf=nftables\.service$/m);
        expect(text).toMatch(/^ReloadPropagatedFrom=nftables\.service$/m);
        expect(text).toMatch(/^ExecStart=\/usr\/sbin\/nft -f \/etc\/mcp-appliance\/firewall\.nft$/m);
      });
    });

    describe("the shipped configuration and rules", () => {
      const binary = () => join(unpacked, "usr/bin/mcp-appliance");
      const config = () => join(unpacked, "etc/mcp.toml");

      test("/etc/mcp.toml is valid as shipped, with no secret in it", () => {
        expect(check([...runner, binary(), "validate", "--config", config()], { PATH: "/usr/bin:/bin" })).toEqual({
          code: 0,
          output: "Valid configuration\n",
        });
        const text = readFileSync(config(), "utf8");
        const settings = text.split("\n").filter((line) => /^\s*[a-z_]+\s*=/.test(line));
        expect(settings.filter((line) => /secret|token|password|hash/.test(line))).toEqual([]);
        expect(text).toContain('listen = "127.0.0.1:3001"');
        expect(text).toContain('auth = "oauth"');
        expect(text).toContain('# public_url = "https://mcp.example.com"');
        expect(text).toContain('command = "/usr/bin/mcp-appliance"\nargs = ["demo-vault-server", "--dir", "/var/lib/mcp-appliance/vault"]');
      });

      test("firewall.nft is what `mcp-appliance nft` makes of it", () => {
        const rendered = sh([...runner, binary(), "nft", "--config", config()]);
        expect(readFileSync(join(unpacked, "etc/mcp-appliance/firewall.nft"), "utf8")).toBe(rendered);
        expect(rendered).toContain('iifname != "lo" tcp dport 3001 drop');
      });

      test("nft -c accepts firewall.nft", () => {
        const result = check([tool("unshare"), "-rn", tool("nft"), "-c", "-f", join(unpacked, "etc/mcp-appliance/firewall.nft")]);
        expect(result).toEqual({ code: 0, output: "" });
      });
    });

    describe("reproducibility", () => {
      test(
        "building again with the same SOURCE_DATE_EPOCH gives the same bytes",
        () => {
          // The epoch the cached .deb was built with is the time of its ar members; the executable
          // is the one inside it (dist/ may hold a newer build by now).
          const header = readFileSync(deb)
            .subarray(8, 8 + 60)
            .toString("latin1");
          const epoch = Number(header.slice(16, 28).trim());
          expect(epoch).toBeGreaterThan(0);
          const dir = mkdtempSync(join(tmpdir(), "mcp-appliance-rebuild-"));
          try {
            const binary = join(unpacked, "usr/bin/mcp-appliance");
            const again = buildPackage({ architecture, output: join(dir, "again.deb"), sourceDateEpoch: epoch, binary });
            expect(readFileSync(again).equals(readFileSync(deb))).toBe(true);
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
        BUILD_TIMEOUT,
      );
    });
  });
