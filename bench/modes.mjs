#!/usr/bin/env node
// mcp-appliance's sharing modes and MCP 2026-07-28 stateless requests, side by side, from one
// run's results, and the targets they are held to (issue "sharing modes and 2026-07-28"):
//   node modes.mjs results.jsonl
import { readFileSync } from "node:fs";

const rows = readFileSync(process.argv[2], "utf8")
  .trim()
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const get = (target, phase, key) =>
  rows.find((r) => r.target === target && r.phase === phase && (key === undefined || r.concurrency === key || r.sessions === key));
const f = (x, d = 2) => (x == null || !Number.isFinite(x) ? "–" : x.toFixed(d));
const ratio = (a, b) => (a == null || b == null || b === 0 ? null : a / b);
const mb = (kb) => (kb == null ? null : kb / 1024);
const check = (value, ok) => (value == null ? "–" : ok(value) ? "met" : "MISSED");
const pct = (x) => (x == null ? "–" : `${Math.round(x * 100)} %`);
const CONC = [1, 8, 32];

// column label -> target name prefix (the fixture's tag is appended)
const COLUMNS = [
  ["session", "appliance"],
  ["client", "appliance-client"],
  ["shared", "appliance-shared"],
  ["2026-07-28 stateless (sharing = session)", "appliance-stateless"],
  ["2026-07-28 stateless (sharing = shared)", "appliance-stateless-shared"],
];
const out = ["## Sharing modes and 2026-07-28 stateless requests", ""];

for (const tag of ["everything", "raw"]) {
  const cols = COLUMNS.filter(([, t]) => rows.some((r) => r.target === `${t}-${tag}`));
  if (!cols.length) continue;
  const cell = (fn) => cols.map(([, t]) => fn(`${t}-${tag}`));
  const ceiling = `ceiling-${tag}`;
  out.push(
    `### ${tag === "everything" ? "@modelcontextprotocol/server-everything" : "raw fixture"}`,
    "",
    `| | ${cols.map(([label]) => label).join(" | ")} | ceiling (stdio) |`,
    `|---|${cols.map(() => "---").join("|")}|---|`,
  );
  const row = (label, fn, ceil = "–") => out.push(`| ${label} | ${cell(fn).join(" | ")} | ${ceil} |`);
  row("new session: initialize p50 ms", (t) => f(get(t, "sessions")?.init_ms.p50, 2), f(get(ceiling, "sessions")?.init_ms.p50, 1));
  row(
    "new session: first call p50 ms",
    (t) => f(get(t, "sessions")?.first_call_ms.p50, 2),
    f(get(ceiling, "sessions")?.first_call_ms.p50, 2),
  );
  for (const n of [1, 10]) {
    row(
      `tree PSS, ${n} live session${n > 1 ? "s" : ""}, MB (procs)`,
      (t) => {
        const l = get(t, "live", n);
        return l ? `${f(mb(l.tree.max_pss_kb), 0)} (${l.tree.max_procs})` : "–";
      },
      get(ceiling, "live", n) ? `${f(mb(get(ceiling, "live", n).tree.max_pss_kb), 0)} (${get(ceiling, "live", n).tree.max_procs})` : "–",
    );
  }
  row("10 ÷ 1 live sessions (PSS)", (t) => f(ratio(get(t, "live", 10)?.tree.max_pss_kb, get(t, "live", 1)?.tree.max_pss_kb), 2));
  for (const c of CONC) {
    row(`req/s, C=${c}`, (t) => f(get(t, "calls", c)?.rps, 0), f(get(ceiling, "calls", c)?.rps, 0));
  }
  row("p50 / p99 ms, C=8", (t) => {
    const r = get(t, "calls", 8);
    return r ? `${f(r.lat_ms.p50, 2)} / ${f(r.lat_ms.p99, 1)}` : "–";
  });
  row("CPU per request, tree / servers, ms, C=8", (t) => {
    const r = get(t, "calls", 8);
    return r ? `${f(r.tree.tree_cpu_ms_per_req, 3)} / ${f(r.tree.server_cpu_ms_per_req, 3)}` : "–";
  });
  row("tree PSS during C=8 calls, MB (procs)", (t) => {
    const r = get(t, "calls", 8);
    return r ? `${f(mb(r.tree.max_pss_kb), 0)} (${r.tree.max_procs})` : "–";
  });
  row("errors (all phases)", (t) =>
    rows
      .filter((r) => r.target === t)
      .reduce(
        (n, r) =>
          n + Object.values(r.errors ?? {}).reduce((a, b) => a + b, 0) + Object.values(r.setup_errors ?? {}).reduce((a, b) => a + b, 0),
        0,
      )
      .toString(),
  );
  out.push("");
}

// The targets, on the real server where it was measured (else the raw fixture).
const tag = rows.some((r) => r.target === "appliance-shared-everything") ? "everything" : "raw";
const shared = `appliance-shared-${tag}`;
const session = `appliance-${tag}`;
const lines = [];
const liveRatio = ratio(get(shared, "live", 10)?.tree.max_pss_kb, get(shared, "live", 1)?.tree.max_pss_kb);
lines.push([`shared: 10 sessions ≤ 1.2 × the memory of 1 (tree PSS, ${tag})`, f(liveRatio, 2), check(liveRatio, (x) => x <= 1.2)]);
const init = get(shared, "sessions")?.init_ms.p50;
lines.push([`shared: new session ≤ 5 ms p50 (${tag})`, `${f(init, 2)} ms`, check(init, (x) => x <= 5)]);
const c8 = ratio(get(shared, "calls", 8)?.rps, get(session, "calls", 8)?.rps);
lines.push([`shared: req/s at C=8 ≥ 90 % of session mode (${tag})`, pct(c8), check(c8, (x) => x >= 0.9)]);
for (const [modern, classic] of [
  [`appliance-stateless-${tag}`, session],
  [`appliance-stateless-shared-${tag}`, shared],
]) {
  const rs = CONC.map((c) => ratio(get(modern, "calls", c)?.rps, get(classic, "calls", c)?.rps));
  lines.push([
    `2026-07-28 stateless ≥ 90 % of the 2025 path, C=1 / 8 / 32 (${modern.replace(/-[a-z]+$/, "")} ÷ ${classic.replace(/-[a-z]+$/, "")}, ${tag})`,
    rs.map(pct).join(" / "),
    rs.every((x) => x == null) ? "–" : rs.map((x) => check(x, (y) => y >= 0.9)).join(" / "),
  ]);
}
for (const floor of ["bun-pipe-floor", "bun-pipe-floor-detached"]) {
  const rs = CONC.map((c) => ratio(get("appliance-raw", "calls", c)?.rps, get(`${floor}-raw`, "calls", c)?.rps));
  lines.push([
    `appliance ≥ 95 % of the ${floor === "bun-pipe-floor" ? "pipe floor" : "detached pipe floor (setsid, as the appliance's children)"}, C=1 / 8 / 32 (raw)`,
    rs.map(pct).join(" / "),
    rs.every((x) => x == null) ? "–" : rs.map((x) => check(x, (y) => y >= 0.95)).join(" / "),
  ]);
}
out.push("### Targets", "", "| target | measured | |", "|---|---|---|", ...lines.map((l) => `| ${l.join(" | ")} |`), "");
console.log(out.join("\n"));
