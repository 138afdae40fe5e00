#!/usr/bin/env node
// Ratios of mcp-appliance against each peer and against the ceiling, from one run's results,
// and the targets it is held to (issue "Benchmarks against the stack we replace"):
//   node ratios.mjs results.jsonl
import { readFileSync } from "node:fs";

const rows = readFileSync(process.argv[2], "utf8")
  .trim()
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const get = (target, phase, c) => rows.find((r) => r.target === target && r.phase === phase && (c === undefined || r.concurrency === c));
const f = (x, d = 2) => (x == null || !Number.isFinite(x) ? "–" : x.toFixed(d));
const ratio = (a, b) => (a == null || b == null || b === 0 ? null : a / b);
const out = ["## mcp-appliance: ratios in this run", ""];
const check = (ok) => (ok == null ? "–" : ok ? "met" : "MISSED");

for (const tag of ["raw", "sdk"]) {
  const us = `appliance-${tag}`;
  if (!rows.some((r) => r.target === us)) continue;
  out.push(
    `### ${tag} fixture`,
    "",
    "| C | appliance req/s | oauth req/s | ÷ sg-stateful | ÷ nginx+sg | ÷ ceiling | oauth ÷ no auth | p50 ms | p99 ms | sg p99 ms |",
    "|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const c of [1, 8, 32]) {
    const a = get(us, "calls", c);
    if (!a) continue;
    const o = get(`appliance-oauth-${tag}`, "calls", c);
    const sg = get(`sg-stateful-${tag}`, "calls", c);
    const ng = get(`nginx-sg-stateful-${tag}`, "calls", c);
    const ce = get(`ceiling-${tag}`, "calls", c);
    out.push(
      `| ${c} | ${f(a.rps, 0)} | ${f(o?.rps, 0)} | ${f(ratio(a.rps, sg?.rps))}× | ${f(ratio(a.rps, ng?.rps))}× | ${f(ratio(a.rps, ce?.rps))} | ${f(ratio(o?.rps, a.rps))} | ${f(a.lat_ms.p50, 3)} | ${f(a.lat_ms.p99, 2)} | ${f(sg?.lat_ms.p99, 2)} |`,
    );
  }
  out.push("");
}

// The targets, as ratios measured in this run (raw fixture unless stated).
const a1 = get("appliance-raw", "calls", 1),
  a8 = get("appliance-raw", "calls", 8),
  a32 = get("appliance-raw", "calls", 32);
const sg = (c) => get("sg-stateful-raw", "calls", c);
const o = (c) => get("appliance-oauth-raw", "calls", c);
const pay = get("appliance-raw", "payload"),
  payCeil = get("ceiling-raw", "payload");
const sess = get("appliance-raw", "sessions"),
  sessCeil = get("ceiling-raw", "sessions");
const cold = get("appliance-raw", "coldstart"),
  coldSg = get("sg-stateful-raw", "coldstart");
const idleNg = get("nginx-sg-stateful-raw", "coldstart")?.idle_after_start?.bridge_rss_kb;
const idleUs = cold?.idle_after_start?.bridge_rss_kb;
const lines = [
  ["throughput ≥ 12× sg-stateful at C=1", ratio(a1?.rps, sg(1)?.rps), (x) => x >= 12],
  ["throughput ≥ 12× sg-stateful at C=8", ratio(a8?.rps, sg(8)?.rps), (x) => x >= 12],
  ["throughput ≥ 12× sg-stateful at C=32", ratio(a32?.rps, sg(32)?.rps), (x) => x >= 12],
  ["≥ 40 % of the ceiling at C=8", ratio(a8?.rps, get("ceiling-raw", "calls", 8)?.rps), (x) => x >= 0.4],
  ["p50 at C=1 ≤ 0.15 ms", a1?.lat_ms.p50, (x) => x <= 0.15],
  ["p99 at C=32 ≤ 1/5 of sg-stateful", ratio(a32?.lat_ms.p99, sg(32)?.lat_ms.p99), (x) => x <= 0.2],
  ["1 MiB result ≥ 70 % of the ceiling", ratio(pay?.mib_per_s, payCeil?.mib_per_s), (x) => x >= 0.7],
  ["OAuth on ≥ 95 % of auth off (C=1)", ratio(o(1)?.rps, a1?.rps), (x) => x >= 0.95],
  ["OAuth on ≥ 95 % of auth off (C=8)", ratio(o(8)?.rps, a8?.rps), (x) => x >= 0.95],
  ["OAuth on ≥ 95 % of auth off (C=32)", ratio(o(32)?.rps, a32?.rps), (x) => x >= 0.95],
  [
    "new session ≤ ceiling spawn+initialize + 5 ms (p50, ms over)",
    sess && sessCeil ? sess.init_ms.p50 - sessCeil.init_ms.p50 : null,
    (x) => x <= 5,
  ],
  ["cold start ≤ 1/4 of sg-stateful", ratio(cold?.median_ms, coldSg?.median_ms), (x) => x <= 0.25],
  ["idle RSS ≤ 1/3 of nginx + sg", ratio(idleUs, idleNg), (x) => x <= 1 / 3],
];
const guardCost = rows.find((r) => r.phase === "guard-cost");
if (guardCost && a1) {
  out.push(
    `The bearer check itself (\`guard-cost.ts\`, a cached token): ${f(guardCost.us_per_check, 2)} µs per request, ${f((100 * guardCost.us_per_check) / (a1.lat_ms.p50 * 1000), 2)} % of the p50 at C=1; the spread between the OAuth and no-auth rows is the run's noise.`,
    "",
  );
}
out.push("### Targets", "", "| target | measured | |", "|---|---|---|");
for (const [name, value, ok] of lines) out.push(`| ${name} | ${f(value, 3)} | ${check(value == null ? null : ok(value))} |`);
out.push("");

// The floors say which targets any bridge built on Bun.serve + Bun.spawn can reach on this
// machine: the HTTP floor answers without a stdio server, the pipe floor bridges with no checks.
const floor = (name, phase, c) => get(`${name}-raw`, phase, c);
if (rows.some((r) => r.target === "bun-http-floor-raw" || r.target === "bun-pipe-floor-raw")) {
  out.push(
    "### Against the floors (raw fixture)",
    "",
    "| | 12× sg-stateful | HTTP floor | pipe floor | appliance | appliance ÷ pipe floor |",
    "|---|---|---|---|---|---|",
  );
  for (const c of [1, 8, 32]) {
    const a = get("appliance-raw", "calls", c);
    const hf = floor("bun-http-floor", "calls", c);
    const pf = floor("bun-pipe-floor", "calls", c);
    out.push(
      `| req/s, C=${c} | ${f(sg(c) ? 12 * sg(c).rps : null, 0)} | ${f(hf?.rps, 0)} | ${f(pf?.rps, 0)} | ${f(a?.rps, 0)} | ${f(ratio(a?.rps, pf?.rps))} |`,
    );
  }
  const hf1 = floor("bun-http-floor", "calls", 1),
    pf1 = floor("bun-pipe-floor", "calls", 1);
  out.push(
    `| p50 at C=1, ms (target 0.15) | – | ${f(hf1?.lat_ms.p50, 3)} | ${f(pf1?.lat_ms.p50, 3)} | ${f(a1?.lat_ms.p50, 3)} | ${f(ratio(a1?.lat_ms.p50, pf1?.lat_ms.p50))} |`,
  );
  const pfp = floor("bun-pipe-floor", "payload");
  out.push(
    `| 1 MiB result, MiB/s (target ${f(payCeil ? 0.7 * payCeil.mib_per_s : null, 0)}) | – | ${f(floor("bun-http-floor", "payload")?.mib_per_s, 0)} | ${f(pfp?.mib_per_s, 0)} | ${f(pay?.mib_per_s, 0)} | ${f(ratio(pay?.mib_per_s, pfp?.mib_per_s))} |`,
  );
  const idle = (t) => get(t, "coldstart")?.idle_after_start;
  const mbOf = (kb) => (kb == null ? null : kb / 1024);
  out.push(
    `| idle bridge RSS / private (anonymous) MB (target ${f(mbOf(idleNg ? idleNg / 3 : null), 0)}) | – | ${f(mbOf(idle("bun-http-floor-raw")?.bridge_rss_kb), 0)} / ${f(mbOf(idle("bun-http-floor-raw")?.bridge_anon_kb), 0)} | ${f(mbOf(idle("bun-pipe-floor-raw")?.bridge_rss_kb), 0)} / ${f(mbOf(idle("bun-pipe-floor-raw")?.bridge_anon_kb), 0)} | ${f(mbOf(idleUs), 0)} / ${f(mbOf(cold?.idle_after_start?.bridge_anon_kb), 0)} | – |`,
  );
  out.push(
    `| nginx + sg idle RSS / private MB | – | – | – | ${f(mbOf(idleNg), 0)} / ${f(mbOf(get("nginx-sg-stateful-raw", "coldstart")?.idle_after_start?.bridge_anon_kb), 0)} | – |`,
  );
  out.push("");
}
console.log(out.join("\n"));
