#!/usr/bin/env bash
# The comparisons that noise on a shared machine blurs, measured by turns: every target is started
# once, then each round runs `load.mjs` against each of them in turn (C=1/8/32), so that whatever
# else the machine is doing falls on all of them alike. Prints one JSON line per measurement
# ({round, target, c, rps, p50, p99}) and a median table at the end.
#   bench/alternate.sh [ROUNDS=3] [DURATION=3] [CONC="1 8 32"]
# Targets (raw fixture, plain loopback): appliance (sharing = "session"), the pipe floor, the pipe
# floor with --detached, appliance 2025 sessions and 2026-07-28 stateless requests with
# sharing = "shared".
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD
ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-3} CONC=${CONC:-1 8 32}
BUN="$here/../node_modules/.bin/bun"
RAW="node $here/fixture-server/raw.mjs"
state=$(mktemp -d /tmp/bench-alternate.XXXXXX)
out=${OUT:-$state/alternate.jsonl}
pgids=()
start() { # $1 port, rest: command (own session, so its whole group can be stopped)
  local port=$1
  shift
  setsid "$@" >>"$state/targets.log" 2>&1 &
  pgids+=($!)
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
    sleep 0.1
  done
}
trap 'for g in "${pgids[@]}"; do kill -TERM -- "-$g" 2>/dev/null || true; done' EXIT
start 18201 "$here/targets/appliance.sh" 18201 none "$state" -- $RAW
start 18202 "$BUN" "$here/floors/pipe-floor.ts" 18202 -- $RAW
start 18203 "$BUN" "$here/floors/pipe-floor.ts" 18203 --detached -- $RAW
APPLIANCE_SHARING=shared start 18204 "$here/targets/appliance.sh" 18204 none "$state" -- $RAW

measure() { # $1 round, $2 name, $3 port, $4 C, rest: load.mjs flags
  local round=$1 name=$2 port=$3 c=$4
  shift 4
  node load.mjs --url "http://127.0.0.1:$port/mcp" -c "$c" -d "$DURATION" "$@" |
    node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8")); const [round, target, c] = process.argv.slice(1);
      console.log(JSON.stringify({ round: +round, target, c: +c, rps: r.rps, p50: r.lat_ms.p50, p99: r.lat_ms.p99, errors: r.errors }))' \
      "$round" "$name" "$c" | tee -a "$out"
}
for round in $(seq "$ROUNDS"); do
  for c in $CONC; do
    measure "$round" appliance 18201 "$c"
    measure "$round" pipe-floor 18202 "$c"
    measure "$round" pipe-floor-detached 18203 "$c"
    measure "$round" shared-2025 18204 "$c"
    measure "$round" shared-stateless 18204 "$c" --stateless
  done
done
node -e '
const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const targets = [...new Set(rows.map((r) => r.target))], cs = [...new Set(rows.map((r) => r.c))];
console.log("\n| target | " + cs.map((c) => `C=${c} req/s (median; all)`).join(" | ") + " |");
console.log("|---|" + cs.map(() => "---").join("|") + "|");
for (const t of targets) console.log(`| ${t} | ` + cs.map((c) => { const v = rows.filter((r) => r.target === t && r.c === c).map((r) => r.rps);
  return `${Math.round(med(v))} (${v.map(Math.round).join(", ")})`; }).join(" | ") + " |");
' "$out"
echo "rows: $out" >&2
