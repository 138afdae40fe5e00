// What a process leaves on the machine, read from /proc: resident memory, open file
// descriptors, the processes descended from it or in its group, and TCP sockets. Used wherever
// a test asserts that faults, load or a shutdown leave nothing behind.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** Resident set size in bytes (VmRSS), or 0 when the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    return kib === undefined ? 0 : Number(kib) * 1024;
  } catch {
    return 0;
  }
}

/** Peak resident set size in bytes (VmHWM). */
export function peakRssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
    return kib === undefined ? 0 : Number(kib) * 1024;
  } catch {
    return 0;
  }
}

/** The open file descriptors of a process, as fd → target (socket:[…], pipe:[…], a path). */
export function openFds(pid: number): Map<number, string> {
  const fds = new Map<number, string>();
  for (const entry of readdirSync(`/proc/${pid}/fd`)) {
    try {
      fds.set(Number(entry), readlinkSync(`/proc/${pid}/fd/${entry}`));
    } catch {
      // closed while we looked
    }
  }
  return fds;
}

export function fdCount(pid: number): number {
  return openFds(pid).size;
}

/** Counts of a process's descriptors by kind (socket, pipe, anon_inode, file), for reports. */
export function fdKinds(pid: number): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const target of openFds(pid).values()) {
    const kind = /^(\w+):\[/.exec(target)?.[1] ?? (target.startsWith("anon_inode:") ? "anon_inode" : "file");
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}

export interface ProcEntry {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  command: string;
}

/** Every process on the machine, from /proc/<pid>/stat. */
export function processTable(): ProcEntry[] {
  const table: ProcEntry[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const fields = stat.slice(close + 2).split(" ");
      table.push({
        pid: Number(entry),
        command: stat.slice(stat.indexOf("(") + 1, close),
        state: fields[0]!,
        ppid: Number(fields[1]),
        pgid: Number(fields[2]),
      });
    } catch {
      // the process ended while we looked
    }
  }
  return table;
}

/**
 * Every live descendant of `pid` (children, grandchildren, …), zombies included: a zombie is a
 * leak too when its parent is the appliance and never reaps it.
 */
export function descendants(pid: number): { pid: number; state: string; command: string }[] {
  const table = processTable();
  const byParent = new Map<number, ProcEntry[]>();
  for (const p of table) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const found: ProcEntry[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of byParent.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found.map(({ pid, state, command }) => ({ pid, state, command }));
}

/** The fields of /proc/<pid>/stat after the command, or undefined when the process is gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/**
 * Is a process still running? A zombie counts as gone: it has exited and only waits for its
 * parent (for an orphan, PID 1) to collect its status.
 */
export function alive(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== "Z" && state !== "X";
}

/** A process's command line, arguments joined by spaces ("" once it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/** Live (non-zombie) members of any of these process groups: what an orphaned child would be. */
export function liveInGroups(pgids: Iterable<number>): number[] {
  const wanted = new Set(pgids);
  return processTable()
    .filter((p) => wanted.has(p.pgid) && p.state !== "Z" && p.state !== "X")
    .map((p) => p.pid);
}

export const MiB = 1024 * 1024;
export const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;

/** Sample a process's RSS every `everyMs` until stopped; `stop()` gives the highest sample. */
export function rssSampler(pid: number, everyMs = 10): { stop(): number } {
  let max = rssBytes(pid);
  const timer = setInterval(() => (max = Math.max(max, rssBytes(pid))), everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(max, rssBytes(pid));
    },
  };
}

const TCP_STATES: Record<string, string> = {
  "01": "ESTABLISHED",
  "02": "SYN_SENT",
  "03": "SYN_RECV",
  "04": "FIN_WAIT1",
  "05": "FIN_WAIT2",
  "06": "TIME_WAIT",
  "07": "CLOSE",
  "08": "CLOSE_WAIT",
  "09": "LAST_ACK",
  "0A": "LISTEN",
  "0B": "CLOSING",
};

/**
 * This machine's IPv4 TCP socket from 127.0.0.1:`localPort` to 127.0.0.1:`remotePort`, as the
 * kernel sees it, or undefined when there is none. `owned` is false once no process holds it
 * (inode 0): closed by its process, the kernel may still be sending what is left.
 */
export function tcpSocket(localPort: number, remotePort: number): { state: string; owned: boolean } | undefined {
  const hex = (port: number) => `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === hex(localPort) && fields[2] === hex(remotePort)) {
      return { state: TCP_STATES[fields[3]!] ?? fields[3]!, owned: fields[9] !== "0" };
    }
  }
  return undefined;
}

/**
 * The states of the accepted connections on 127.0.0.1:`port` that a process still holds. One in
 * CLOSE_WAIT is a leak: the client has gone and the server never closed its side.
 */
export function serverConnections(port: number): string[] {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const states: string[] = [];
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === local && fields[3] !== "0A" && fields[9] !== "0") states.push(TCP_STATES[fields[3]!] ?? fields[3]!);
  }
  return states;
}
