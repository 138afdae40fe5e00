// Debian 12 root filesystems for the install tests.
//
// - `pristineRootTarball()`: `debootstrap --variant=minbase` once, kept as a tarball in CACHE_DIR
//   under a name derived from the recipe (suite, variant, packages), so later runs skip it.
// - `freshRoot()`: a new copy of it for one test, under WORK_DIR.
// - `Container.boot()`: `systemd-nspawn -b` on that copy (systemd as PID 1, its own network
//   namespace with only loopback), waiting until `systemctl is-system-running` says running.
//   `Container.start()`: one program in the root (`--as-pid2 --pipe`), no init system.
// - `exec()`: a command inside, through nsenter into the container's namespaces (no
//   systemd-machined runs on this host, so `machinectl shell` and `systemd-run -M` cannot work).
// - `destroy()`: poweroff, kill what is left, remove the copy, its cgroups and nspawn's leftovers.
//
// Needs root, debootstrap and systemd-nspawn; `ensureHostTools()` installs the last two with
// apt-get when they are missing, and anything that cannot work fails loudly: nothing is skipped.
import { createHash, randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";

export const SUITE = "bookworm";
export const VARIANT = "minbase";
/** What the install test needs in the root; nftables satisfies the package's Recommends offline. */
export const INCLUDE = ["systemd", "systemd-sysv", "dbus", "adduser", "ca-certificates", "curl", "nftables"];
/** Bumped when what is done to the root after debootstrap changes: a new cache key. */
const RECIPE = 1;

export const CACHE_DIR = process.env.MCP_APPLIANCE_ROOTFS_CACHE || "/var/cache/mcp-appliance-test";
export const WORK_DIR = "/var/tmp/mcp-appliance-test";
const NAME_PREFIX = "mcpat";

const PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export function log(message: string): void {
  console.log(`[rootfs] ${message}`);
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  constructor(
    readonly cmd: string[],
    readonly result: Result,
  ) {
    super(
      `${cmd.join(" ")} exited with ${result.code}\n--- stdout\n${result.stdout.slice(-6000)}\n--- stderr\n${result.stderr.slice(-6000)}`,
    );
  }
}

/** A host command, waited for; throws CommandError on a non-zero exit unless check is false. */
export function hostRun(
  cmd: string[],
  options: { check?: boolean; env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {},
): Result {
  const proc = Bun.spawnSync(cmd, {
    cwd: options.cwd,
    env: { ...process.env, PATH: `${PATH}:${process.env.PATH ?? ""}`, ...options.env },
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
    timeout: options.timeoutMs ?? 600_000,
    killSignal: "SIGKILL",
  });
  const result = { code: proc.exitCode ?? (proc.signalCode ? 128 : 1), stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
  if (options.check !== false && result.code !== 0) throw new CommandError(cmd, result);
  return result;
}

function which(program: string): string | undefined {
  for (const dir of `${PATH}:${process.env.PATH ?? ""}`.split(":")) {
    if (dir && existsSync(join(dir, program))) return join(dir, program);
  }
  return undefined;
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

// ---------------------------------------------------------------------------------------------
// The host's tools

/** Root, debootstrap, systemd-nspawn, nsenter and tar; the missing packages are installed. */
export function ensureHostTools(): void {
  if (process.getuid?.() !== 0) {
    throw new Error("the install tests need root (debootstrap, systemd-nspawn, nsenter): run the test suite as root");
  }
  const wanted: Record<string, string> = {
    debootstrap: "debootstrap",
    "systemd-nspawn": "systemd-container",
    nsenter: "util-linux",
    tar: "tar",
  };
  const missing = [
    ...new Set(
      Object.entries(wanted)
        .filter(([program]) => !which(program))
        .map(([, pkg]) => pkg),
    ),
  ];
  if (missing.length === 0) return;
  log(`installing ${missing.join(" ")} on the host`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const install = ["apt-get", "install", "-y", "--no-install-recommends", ...missing];
  if (hostRun(install, { check: false, env }).code !== 0) {
    hostRun(["apt-get", "update"], { env });
    hostRun(install, { env });
  }
  for (const program of Object.keys(wanted)) {
    if (!which(program)) throw new Error(`${program} is still missing after apt-get install ${missing.join(" ")}`);
  }
}

/**
 * The Debian mirror this host's apt uses for the suite (deb822 .sources and one-line .list
 * files), so that debootstrap goes where apt-get goes. MCP_APPLIANCE_DEBIAN_MIRROR overrides it.
 */
export function debianMirror(): string {
  if (process.env.MCP_APPLIANCE_DEBIAN_MIRROR) return process.env.MCP_APPLIANCE_DEBIAN_MIRROR;
  const files = ["/etc/apt/sources.list"];
  try {
    for (const name of readdirSync("/etc/apt/sources.list.d").sort()) {
      if (name.endsWith(".list") || name.endsWith(".sources")) files.push(join("/etc/apt/sources.list.d", name));
    }
  } catch {
    // no such directory
  }
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    if (file.endsWith(".sources")) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const fields: Record<string, string> = {};
        for (const line of stanza.split("\n")) {
          const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
          if (match) fields[match[1]!.toLowerCase()] = match[2]!.trim();
        }
        if (fields.enabled === "no" || !(fields.types ?? "").split(/\s+/).includes("deb")) continue;
        if (!(fields.suites ?? "").split(/\s+/).includes(SUITE)) continue;
        const uri = (fields.uris ?? "").split(/\s+/).find((candidate) => /^https?:\/\//.test(candidate));
        if (uri) return uri;
      }
    } else {
      for (const line of text.split("\n")) {
        const match = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
        if (match && match[2] === SUITE && /^https?:\/\//.test(match[1]!)) return match[1]!;
      }
    }
  }
  return "http://deb.debian.org/debian";
}

// ---------------------------------------------------------------------------------------------
// The pristine root, cached

export function rootTarballPath(): string {
  const key = createHash("sha256")
    .update(JSON.stringify({ RECIPE, SUITE, VARIANT, INCLUDE, arch: process.arch }))
    .digest("hex")
    .slice(0, 16);
  return join(CACHE_DIR, `debian-${SUITE}-${VARIANT}-${key}.tar`);
}

const TAR_OPTIONS = ["--numeric-owner", "--xattrs", "--xattrs-include=*", "--acls"];

/** The cached tarball of a freshly debootstrapped root; made (about 40 s) when missing. */
export function pristineRootTarball(): string {
  const tarball = rootTarballPath();
  if (existsSync(tarball)) return tarball;
  mkdirSync(CACHE_DIR, { recursive: true });
  const suffix = `${process.pid}-${randomBytes(3).toString("hex")}`;
  const dir = `${tarball}.root-${suffix}`;
  const partial = `${tarball}.partial-${suffix}`;
  try {
    const mirror = debianMirror();
    const cmd = ["debootstrap", `--variant=${VARIANT}`, `--include=${INCLUDE.join(",")}`, SUITE, dir, mirror];
    log(`${cmd.join(" ")}`);
    const started = performance.now();
    hostRun(cmd, { timeoutMs: 900_000 });
    log(`debootstrap took ${seconds(started)}`);
    // Each container gets its own machine ID at boot (an empty file: systemd makes a transient
    // one), and the downloaded packages go: the root keeps only what is installed.
    writeFileSync(join(dir, "etc/machine-id"), "");
    rmSync(join(dir, "var/lib/dbus/machine-id"), { force: true });
    for (const name of readdirSync(join(dir, "var/cache/apt/archives"))) {
      if (name.endsWith(".deb")) rmSync(join(dir, "var/cache/apt/archives", name));
    }
    writeFileSync(join(dir, "etc/hostname"), "bookworm-test\n");
    const packed = performance.now();
    hostRun(["tar", ...TAR_OPTIONS, "-C", dir, "-cf", partial, "."]);
    renameSync(partial, tarball);
    log(`cached ${tarball} (${(statSync(tarball).size / 2 ** 20).toFixed(0)} MiB) in ${seconds(packed)}`);
  } finally {
    removeTree(dir);
    rmSync(partial, { force: true });
  }
  return tarball;
}

/** A new copy of the pristine root, for one test. */
export function freshRoot(name: string): string {
  const tarball = pristineRootTarball();
  const dir = join(WORK_DIR, name);
  removeTree(dir);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const started = performance.now();
  hostRun(["tar", ...TAR_OPTIONS, "-C", dir, "-xpf", tarball]);
  log(`extracted a fresh root in ${dir} in ${seconds(started)}`);
  return dir;
}

/** `rm -rf` that never leaves the file system and first lets go of any mount below it. */
function removeTree(dir: string): void {
  if (!existsSync(dir)) return;
  const mounts = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4] ?? "")
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) hostRun(["umount", "-l", point], { check: false });
  hostRun(["rm", "-rf", "--one-file-system", dir]);
}

/** A machine name no other run uses: the prefix, this process's ID (see cleanStale), random. */
export function uniqueName(label: string): string {
  return `${NAME_PREFIX}-${process.pid}-${label}-${randomBytes(3).toString("hex")}`;
}

/**
 * What earlier runs left when their process died before its afterAll (SIGKILL, a crash): their
 * containers are killed, their roots and cgroups removed. Names carry the owner's PID.
 */
export function cleanStale(): void {
  const stale = (name: string) => {
    const match = new RegExp(`^${NAME_PREFIX}-(\\d+)-`).exec(name);
    if (!match) return false;
    try {
      // Gone, or a zombie nobody has reaped yet.
      return /^\d+ \(.*\) Z /.test(readFileSync(`/proc/${match[1]}/stat`, "utf8"));
    } catch {
      return true;
    }
  };
  const orphans: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      const machine = argv.find((arg) => arg.startsWith("--machine="))?.slice("--machine=".length);
      if (argv[0]?.endsWith("systemd-nspawn") && machine && stale(machine)) orphans.push(Number(entry));
    } catch {
      // gone already
    }
  }
  for (const pid of orphans) {
    log(`killing systemd-nspawn ${pid}, left by an earlier run`);
    for (const child of children(pid)) signal(child, "SIGKILL");
    signal(pid, "SIGKILL");
  }
  if (orphans.length > 0) Bun.sleepSync(1000);
  if (existsSync(WORK_DIR)) {
    for (const name of readdirSync(WORK_DIR)) if (stale(name)) removeTree(join(WORK_DIR, name));
  }
  for (const base of cgroupBases()) {
    for (const name of readdirSync(base)) if (stale(name)) removeCgroup(join(base, name));
  }
  for (const dir of NSPAWN_RUN_DIRS) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) if (stale(name)) rmSync(join(dir, name), { recursive: true, force: true });
  }
}

/** Where nspawn keeps a directory per machine, which it cannot remove itself when /run is no tmpfs. */
const NSPAWN_RUN_DIRS = ["/run/systemd/nspawn/propagate", "/run/systemd/nspawn/unix-export"];

// ---------------------------------------------------------------------------------------------
// cgroups: each container gets its own, so that two never share one and cleanup is exact

/** The directories of this process's cgroups: the unified one and the named systemd one (v1). */
function cgroupBases(): string[] {
  const mounts = readFileSync("/proc/self/mountinfo", "utf8").split("\n");
  const mountOf = (fstype: string, option?: string) => {
    for (const line of mounts) {
      const [left, right] = line.split(" - ");
      if (!left || !right) continue;
      const [type, , superOptions] = right.split(" ");
      if (type !== fstype) continue;
      if (option && !(superOptions ?? "").split(",").includes(option)) continue;
      return left.split(" ")[4];
    }
    return undefined;
  };
  const bases: string[] = [];
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    const mount = match[1] === "" ? mountOf("cgroup2") : match[1] === "name=systemd" ? mountOf("cgroup", "name=systemd") : undefined;
    if (mount) bases.push(join(mount, match[2]!));
  }
  return bases.filter((base) => existsSync(base));
}

function removeCgroup(dir: string): void {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const walk = (path: string) => {
        for (const entry of readdirSync(path, { withFileTypes: true })) if (entry.isDirectory()) walk(join(path, entry.name));
        rmdirSync(path);
      };
      if (existsSync(dir)) walk(dir);
      return;
    } catch {
      Bun.sleepSync(250);
    }
  }
  log(`could not remove the cgroup ${dir}`);
}

// ---------------------------------------------------------------------------------------------
// Containers

export interface ExecOptions {
  /** Run as this user (runuser -u USER --) instead of root. */
  user?: string;
  /** The working directory inside (else /). */
  cwd?: string;
  /** Written to standard input. */
  input?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Throw CommandError on a non-zero exit (the default). */
  check?: boolean;
}

const live = new Set<Container>();
// The test process is going away without its afterAll: leave no container running.
process.on("exit", () => {
  for (const container of live) container.killNow();
});
for (const name of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(name, () => {
    for (const container of live) container.killNow();
    process.kill(process.pid, name);
  });
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone already
  }
}

export class Container {
  /** The container's PID 1 as the host sees it: nsenter's target. */
  leader = 0;
  private readonly cgroups: string[] = [];
  private proc!: ReturnType<typeof Bun.spawn>;
  private exited = false;

  private constructor(
    readonly name: string,
    readonly root: string,
    readonly logFile: string,
  ) {}

  /**
   * `systemd-nspawn -b`: the root's systemd boots; resolves once the system is up.
   *
   * --register=no and --keep-unit: there is no systemd-machined (nor any systemd) on the host,
   * and without them nspawn stops at "Failed to open system bus". --private-network: the
   * container has its own loopback, so its 127.0.0.1:3001 never meets the host's ports.
   */
  static async boot(root: string, name: string): Promise<Container> {
    const container = new Container(name, root, `${root}.log`);
    const started = performance.now();
    try {
      await container.spawn(["--boot", "--private-network"]);
      // systemctl talks to PID 1 over /run/systemd/private, there once the manager runs.
      await container.until(() => existsSync(`/proc/${container.leader}/root/run/systemd/private`), "systemd's private socket", 60_000);
      const state = await container.exec(["systemctl", "is-system-running", "--wait"], { check: false, timeoutMs: 90_000 });
      const status = state.stdout.trim();
      if (status !== "running") {
        const failed = await container.exec(["systemctl", "--failed", "--no-pager", "--no-legend"], { check: false });
        if (status !== "degraded") {
          throw new Error(
            `the container did not come up: is-system-running says "${status}"\n${failed.stdout}\n${container.consoleTail()}`,
          );
        }
        log(`the container is degraded, failed units:\n${failed.stdout}`);
      }
      log(`${name} booted (${status}) in ${seconds(started)}`);
    } catch (error) {
      await container.destroy();
      throw error;
    }
    return container;
  }

  /** One program in the root, without an init system (nspawn's stub init is PID 1, it PID 2). */
  static async start(root: string, name: string, argv: string[]): Promise<Container> {
    const container = new Container(name, root, `${root}.log`);
    try {
      await container.spawn(["--as-pid2", "--pipe", "--private-network", "--", ...argv]);
    } catch (error) {
      await container.destroy();
      throw error;
    }
    return container;
  }

  private async spawn(nspawnArgs: string[]): Promise<void> {
    for (const base of cgroupBases()) {
      const dir = join(base, this.name);
      try {
        mkdirSync(dir);
        this.cgroups.push(dir);
      } catch (error) {
        log(`no own cgroup in ${base}: ${error}`);
      }
    }
    const cmd = [
      "systemd-nspawn",
      "--quiet",
      `--directory=${this.root}`,
      `--machine=${this.name}`,
      "--register=no",
      "--keep-unit",
      ...nspawnArgs,
    ];
    log(cmd.join(" "));
    // The shell moves itself into the container's own cgroups, then becomes nspawn.
    const wrapper = 'for dir in $MCPAT_CGROUPS; do echo $$ > "$dir/cgroup.procs"; done; exec "$@"';
    this.proc = Bun.spawn(["/bin/sh", "-c", wrapper, "sh", ...cmd], {
      env: { PATH, MCPAT_CGROUPS: this.cgroups.join(" "), SYSTEMD_LOG_COLOR: "0", SYSTEMD_COLORS: "0" },
      stdin: "ignore",
      stdout: Bun.file(this.logFile),
      stderr: "pipe",
    });
    live.add(this);
    void this.proc.exited.then(() => {
      this.exited = true;
    });
    const errors = new Response(this.proc.stderr as ReadableStream).text();
    const ownNs = readlinkSync("/proc/self/ns/mnt");
    try {
      await this.until(
        () => {
          if (this.exited) return true;
          for (const pid of children(this.proc.pid)) {
            try {
              if (
                readlinkSync(`/proc/${pid}/ns/mnt`) !== ownNs &&
                readlinkSync(`/proc/${pid}/ns/pid`) !== readlinkSync("/proc/self/ns/pid")
              ) {
                this.leader = pid;
                return true;
              }
            } catch {
              // gone already
            }
          }
          return false;
        },
        "the container's first process",
        30_000,
      );
    } catch (error) {
      this.killNow();
      throw error;
    }
    if (this.exited || this.leader === 0) {
      throw new Error(`systemd-nspawn exited with ${await this.proc.exited}: ${await errors}\n${this.consoleTail()}`);
    }
    void errors.then((text) => {
      // nspawn cannot clean /run/systemd/nspawn/propagate/NAME when /run is no tmpfs (as on this
      // host): destroy() removes it, so that line is noise.
      const lines = text.split("\n").filter((line) => line.trim() && !line.includes("/run/systemd/nspawn/propagate/"));
      if (lines.length > 0) log(`systemd-nspawn ${this.name}: ${lines.join("\n")}`);
    });
  }

  private async until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!check()) {
      if (this.exited) throw new Error(`systemd-nspawn exited while waiting for ${what}\n${this.consoleTail()}`);
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}\n${this.consoleTail()}`);
      await Bun.sleep(50);
    }
  }

  /** The end of what the container wrote on its console (the boot log, or the program's output). */
  consoleTail(lines = 60): string {
    try {
      return `--- console of ${this.name}\n${readFileSync(this.logFile, "utf8").split("\n").slice(-lines).join("\n")}`;
    } catch {
      return "";
    }
  }

  /** A command in all of the container's namespaces, as root (or `user`), with a clean environment. */
  async exec(argv: string[], options: ExecOptions = {}): Promise<Result> {
    const env = Object.entries({ PATH, HOME: "/root", LANG: "C.UTF-8", TERM: "dumb", ...options.env }).map(
      ([key, value]) => `${key}=${value}`,
    );
    const asUser = options.user ? ["runuser", "-u", options.user, "--"] : [];
    // nsenter's --wd names a directory as the host sees it: a shell changes into it instead.
    const inDir = options.cwd ? ["/bin/sh", "-c", 'cd "$0" && exec "$@"', options.cwd] : [];
    const cmd = ["nsenter", `--target=${this.leader}`, "--all", "--", "/usr/bin/env", "-i", ...env, ...inDir, ...asUser, ...argv];
    return this.runHost(cmd, options);
  }

  /** A shell script inside (sh -c). */
  sh(script: string, options: ExecOptions = {}): Promise<Result> {
    return this.exec(["/bin/sh", "-c", script], options);
  }

  /**
   * A host program in the container's network namespace only: it sees the container's loopback
   * (127.0.0.1:3001 inside) and still the host's files (this repository, Bun).
   */
  inNetwork(argv: string[], options: ExecOptions = {}): Promise<Result> {
    return this.runHost(["nsenter", `--net=/proc/${this.leader}/ns/net`, "--", ...argv], options);
  }

  private async runHost(cmd: string[], options: ExecOptions): Promise<Result> {
    const proc = Bun.spawn(cmd, {
      env: { ...process.env, PATH: `${PATH}:${process.env.PATH ?? ""}` },
      stdin: options.input !== undefined ? new TextEncoder().encode(options.input) : "ignore",
      stdout: "pipe",
      stderr: "pipe",
      timeout: options.timeoutMs ?? 120_000,
      killSignal: "SIGKILL",
    });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    const result = { code, stdout, stderr };
    if (options.check !== false && code !== 0) throw new CommandError(cmd, result);
    return result;
  }

  /** Ask the container to stop (SIGTERM to nspawn: a clean poweroff when booted), then force it. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (this.proc && !this.exited) {
      const started = performance.now();
      this.proc.kill("SIGTERM");
      if (!(await within(this.proc.exited, timeoutMs))) {
        log(`${this.name} did not stop within ${timeoutMs / 1000} s: killing it`);
        this.killNow();
        await within(this.proc.exited, 10_000);
      } else {
        log(`${this.name} stopped in ${seconds(started)}`);
      }
    }
    live.delete(this);
  }

  /** SIGKILL to the container's PID 1 (ends its whole PID namespace) and to nspawn. */
  killNow(): void {
    for (const pid of [this.leader, this.proc?.pid]) if (pid) signal(pid, "SIGKILL");
  }

  /** Stop it, then remove its root, its log, its cgroups and what nspawn leaves in /run. */
  async destroy(): Promise<void> {
    await this.stop();
    for (const dir of this.cgroups.reverse()) removeCgroup(dir);
    for (const dir of NSPAWN_RUN_DIRS) rmSync(join(dir, this.name), { recursive: true, force: true });
    removeTree(this.root);
    rmSync(this.logFile, { force: true });
  }
}

/** Whether `promise` settles within `ms` (a timer that never outlives the answer). */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
