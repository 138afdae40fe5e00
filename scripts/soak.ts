// The long soak (issue 6): steady calls over several sessions against the compiled binary for
// a given time, printing the appliance's memory, descriptors and children as it goes, then the
// figures. The test command runs a one-minute version (test/reliability/soak.test.ts).
//
//   bun scripts/soak.ts [DURATION] [--sessions N]     DURATION: 90s, 10m (default), 1h
//
// Exit code 0 when there were no errors and memory stayed flat (RSS at the end within 32 MiB of
// RSS after the warm-up), 1 otherwise.
import { startApplianceProcess } from "../test/helpers/appliance-process.ts";
import { descendants, fdCount, mib } from "../test/helpers/machine.ts";
import { describeSoak, soak } from "../test/reliability/soak-driver.ts";

function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (!match) {
    console.error(`soak: "${text}" is not a duration (90s, 10m, 1h)`);
    process.exit(64);
  }
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Number(match[1]) * unit;
}

const argv = process.argv.slice(2);
const sessionsFlag = argv.indexOf("--sessions");
const sessions = sessionsFlag === -1 ? 8 : Number(argv[sessionsFlag + 1]);
const durationArg = argv.find((arg, i) => !arg.startsWith("--") && argv[i - 1] !== "--sessions");
const durationMs = parseDuration(durationArg ?? "10m");
const warmupMs = Math.min(30_000, durationMs / 6);

// Every client of the soak comes from this one address: one client, as max_sessions_per_client counts.
const started = await startApplianceProcess([{ name: "fx", script: "behaviour-server.mjs" }], {
  logLevel: "info",
  limits: [`max_sessions_per_client = ${2 * sessions}`],
});
console.log(`soak: ${(durationMs / 1000).toFixed(0)} s, ${sessions} clients, appliance pid ${started.pid} at ${started.url}`);
console.log("   time      calls  errors        RSS  fds  children");
const figures = await soak(started, "fx", {
  durationMs,
  sessions,
  warmupMs,
  callsPerSession: 250,
  sampleEveryMs: 1000,
  onSample: (s) => {
    if (Math.round(s.atMs / 1000) % 10 !== 0) return;
    console.log(
      `${(s.atMs / 1000).toFixed(0).padStart(6)} s ${String(s.calls).padStart(10)} ${String(s.errors).padStart(7)} ${mib(s.rss).padStart(10)} ${String(s.fds).padStart(4)} ${String(s.children).padStart(9)}`,
    );
  },
});
await Bun.sleep(2000);
const childrenLeft = descendants(started.pid).length;
const fdsAfter = fdCount(started.pid);
const exitCode = await started.stop();
console.log(describeSoak(figures, sessions));
console.log(`after the soak: ${childrenLeft} children left, ${fdsAfter} fds; the appliance exited with ${exitCode}`);
for (const error of figures.errors.slice(0, 20)) console.log(`error: ${error}`);
const flat = figures.rssAtEnd - figures.rssAfterWarmup < 32 * 1024 * 1024;
if (!flat) console.log("memory grew by more than 32 MiB after the warm-up");
process.exit(figures.errors.length === 0 && flat && childrenLeft === 0 && exitCode === 0 ? 0 : 1);
