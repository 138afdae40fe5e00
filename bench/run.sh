#!/usr/bin/env bash
# mcp-appliance against the stack it replaces, measured side by side in one run (`npm run bench`).
#   ceiling            the same loop straight over stdio pipes (no HTTP): the limit for any bridge
#   sg-stateless       supergateway --outputTransport streamableHttp
#   sg-stateful        supergateway --outputTransport streamableHttp --stateful
#   nginx-sg-stateful  nginx (bearer check, proxy_buffering off) in front of sg-stateful
#   appliance          dist/mcp-appliance with auth = "none"
#   appliance-oauth    dist/mcp-appliance with auth = "oauth" and a real OAuth access token
#   appliance-client   dist/mcp-appliance, sharing = "client" (one child per client)
#   appliance-shared   dist/mcp-appliance, sharing = "shared" (one child for everyone)
#   appliance-stateless         MCP 2026-07-28 stateless requests to `appliance` (sharing = "session":
#                               one child per client serves them)
#   appliance-stateless-shared  the same with sharing = "shared"
#   bun-http-floor     floors/http-floor.ts: Bun.serve answering by itself, no stdio server (the
#                      fastest any Bun HTTP bridge can answer here)
#   bun-pipe-floor     floors/pipe-floor.ts: the least a Bun bridge can do (no checks at all)
#   bun-pipe-floor-detached  the same, each server in a session of its own (setsid), the process
#                      layout of mcp-appliance's children
#   target             optional: any other bridge, see TARGET_* below
# Each against the hand-written fixture (raw: bridge overhead), then a shorter pass against the
# SDK fixture (sdk: a realistic server), then the appliance's sharing modes and 2026-07-28 requests
# against @modelcontextprotocol/server-everything (everything: a real server).
# Writes results/<run>/{results.jsonl,report.md,logs/}.
#
# Knobs (env): DURATION=10 CONC=1,8,32 SDK_CONC=8 COLDSTARTS=3 SESSIONS=20 SDK_SESSIONS=10
#   PAYLOAD_BYTES=1048576 SKIP_SDK=1 BENCH_NETNS=0 (don't isolate in a private network namespace)
#   APPLIANCE_BINARY=../dist/mcp-appliance (the executable the appliance targets run)
#   SKIP_EVERYTHING=1 EVERYTHING_CONC=1,8,32 EVERYTHING_SESSIONS=20 LIVE=1,10 (live sessions held open
#   while the tree's memory is sampled) MAX_NOISE=25 RETRIES=1 (a phase noisier than MAX_NOISE % of a
#   core is run again RETRIES times; before each, up to QUIET_WAIT=10 s are waited for quiet)
#   TARGETS="ceiling sg-stateless sg-stateful nginx-sg-stateful target" (which ones to run)
# Another bridge in the same run ({PORT} and {SERVER} are substituted; SERVER is the fixture command):
#   TARGET_NAME=ours TARGET_URL='http://127.0.0.1:{PORT}/mcp' TARGET_TOKEN=secret \
#   TARGET_START='/path/to/ours --port {PORT} --token secret -- {SERVER}' ./run-baseline.sh
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD

need=()
command -v nginx >/dev/null || need+=(nginx)
command -v tini >/dev/null || need+=(tini)
if ((${#need[@]})); then
  echo "installing ${need[*]} (apt)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
[[ -d node_modules ]] || npm ci --no-audit --no-fund

# Private network namespace: supergateway listens on all interfaces; in here only loopback exists.
if [[ ${BENCH_NETNS:-1} == 1 && -z ${BENCH_IN_NETNS:-} ]] && unshare -n true 2>/dev/null; then
  exec env BENCH_IN_NETNS=1 unshare -n bash -c 'ip link set lo up && exec "$0" "$@"' "$here/$(basename "$0")" "$@"
fi

run=results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$run/logs"
out=$run/results.jsonl
TOKEN=bench-token-$RANDOM$RANDOM
SG="node $here/node_modules/supergateway/dist/index.js --outputTransport streamableHttp --logLevel none"
RAW="node $here/fixture-server/raw.mjs"
SDK="node $here/fixture-server/sdk.mjs"
EVERYTHING="node $here/node_modules/@modelcontextprotocol/server-everything/dist/index.js stdio"
TARGETS=${TARGETS:-ceiling sg-stateless sg-stateful nginx-sg-stateful appliance appliance-oauth appliance-client appliance-shared appliance-stateless appliance-stateless-shared bun-http-floor bun-pipe-floor bun-pipe-floor-detached target}
# The pass against server-everything measures the appliance's modes (and the ceiling: a server per session).
EVERYTHING_TARGETS=${EVERYTHING_TARGETS:-ceiling appliance appliance-client appliance-shared appliance-stateless appliance-stateless-shared}
BUN="$here/../node_modules/.bin/bun"
APPLIANCE_STATE=$(mktemp -d /tmp/bench-appliance-state.XXXXXX)
if [[ " $TARGETS " == *" appliance-oauth "* ]]; then
  [[ -x ../dist/mcp-appliance ]] || (cd .. && npm run build)
  OAUTH_TOKEN=$(node mint-token.mjs "$APPLIANCE_STATE")
fi
common=(--out "$out" --duration "${DURATION:-10}" --coldstarts "${COLDSTARTS:-3}" --payload-bytes "${PAYLOAD_BYTES:-1048576}"
  --live "${LIVE:-1,10}" --max-noise "${MAX_NOISE:-25}" --retries "${RETRIES:-1}" --quiet-wait "${QUIET_WAIT:-10}")

node -e '
const fs = require("fs"), os = require("os"), cp = require("child_process");
const v = (dir) => JSON.parse(fs.readFileSync(dir + "/package.json", "utf8")).version;
console.log(JSON.stringify({ target: "meta", phase: "meta", ts: new Date().toISOString(), versions: {
  node: process.version, supergateway: v("node_modules/supergateway"),
  "sdk (in supergateway)": v("node_modules/supergateway/node_modules/@modelcontextprotocol/sdk"),
  "sdk (fixture)": v("node_modules/@modelcontextprotocol/sdk"),
  "server-everything": v("node_modules/@modelcontextprotocol/server-everything"), undici: v("node_modules/undici"), zod: v("node_modules/zod"),
  nginx: cp.execSync("nginx -v 2>&1").toString().trim().replace("nginx version: nginx/", ""),
  tini: cp.execSync("tini --version").toString().trim().replace("tini version ", ""), kernel: os.release() },
  cpus: os.cpus().length, cpu_model: os.cpus()[0].model, mem_gib: Math.round(os.totalmem() / 2 ** 30),
  netns: !!process.env.BENCH_IN_NETNS,
  appliance: ((b) => fs.existsSync(b) && { binary: b, sha256: require("crypto").createHash("sha256").update(fs.readFileSync(b)).digest("hex") })(
    process.env.APPLIANCE_BINARY || "../dist/mcp-appliance") }));
' >>"$out"

bench() { node bench.mjs "$@" >/dev/null || echo "bench $2 failed, continuing" >&2; }
want() { [[ " $TARGETS " == *" $1 "* ]]; }

pass() { # $1 fixture tag, $2 fixture command, $3 first port, rest: extra bench.mjs args
  local tag=$1 fx=$2 p=$3 app=$here/targets/appliance.sh
  shift 3
  want ceiling && bench --name "ceiling-$tag" --tag "$tag" --stdio "$fx" "${common[@]}" "$@"
  want sg-stateless && bench --name "sg-stateless-$tag" --tag "$tag" --url "http://127.0.0.1:$p/mcp" \
    --start "$SG --stdio '$fx' --port $p" "${common[@]}" "$@"
  want sg-stateful && bench --name "sg-stateful-$tag" --tag "$tag" --url "http://127.0.0.1:$((p + 1))/mcp" \
    --start "$SG --stdio '$fx' --port $((p + 1)) --stateful" "${common[@]}" "$@"
  want nginx-sg-stateful && bench --name "nginx-sg-stateful-$tag" --tag "$tag" --url "http://127.0.0.1:$((p + 2))/mcp" \
    --token "$TOKEN" --start "$here/targets/nginx-front.sh $((p + 2)) $((p + 3)) $TOKEN -- $SG --stdio '$fx' --port $((p + 3)) --stateful" \
    "${common[@]}" "$@"
  want appliance && bench --name "appliance-$tag" --tag "$tag" --url "http://127.0.0.1:$((p + 6))/mcp" \
    --start "$here/targets/appliance.sh $((p + 6)) none $APPLIANCE_STATE -- $fx" "${common[@]}" "$@"
  want appliance-oauth && bench --name "appliance-oauth-$tag" --tag "$tag" --url "http://127.0.0.1:$((p + 7))/mcp" \
    --token "$OAUTH_TOKEN" --start "$here/targets/appliance.sh $((p + 7)) oauth $APPLIANCE_STATE -- $fx" "${common[@]}" "$@"
  # The sharing modes and 2026-07-28 stateless requests: their own phases (no payload; the
  # stateless ones have no session to open or hold).
  local modes=(--phases coldstart,sessions,live,calls)
  want appliance-client && APPLIANCE_SHARING=client bench --name "appliance-client-$tag" --tag "$tag" \
    --url "http://127.0.0.1:$((p + 10))/mcp" --start "$app $((p + 10)) none $APPLIANCE_STATE -- $fx" "${common[@]}" "$@" "${modes[@]}"
  want appliance-shared && APPLIANCE_SHARING=shared bench --name "appliance-shared-$tag" --tag "$tag" \
    --url "http://127.0.0.1:$((p + 11))/mcp" --start "$app $((p + 11)) none $APPLIANCE_STATE -- $fx" "${common[@]}" "$@" "${modes[@]}"
  want appliance-stateless && bench --name "appliance-stateless-$tag" --tag "$tag" --stateless \
    --url "http://127.0.0.1:$((p + 12))/mcp" --start "$app $((p + 12)) none $APPLIANCE_STATE -- $fx" "${common[@]}" "$@" --phases coldstart,calls
  want appliance-stateless-shared && APPLIANCE_SHARING=shared bench --name "appliance-stateless-shared-$tag" --tag "$tag" --stateless \
    --url "http://127.0.0.1:$((p + 13))/mcp" --start "$app $((p + 13)) none $APPLIANCE_STATE -- $fx" "${common[@]}" "$@" --phases coldstart,calls
  want bun-pipe-floor-detached && bench --name "bun-pipe-floor-detached-$tag" --tag "$tag" --url "http://127.0.0.1:$((p + 14))/mcp" \
    --start "$BUN $here/floors/pipe-floor.ts $((p + 14)) --detached -- $fx" "${common[@]}" "$@"
  want bun-http-floor && bench --name "bun-http-floor-$tag" --tag "$tag" --url "http://127.0.0.1:$((p + 8))/mcp" \
    --start "$BUN $here/floors/http-floor.ts $((p + 8))" "${common[@]}" "$@"
  want bun-pipe-floor && bench --name "bun-pipe-floor-$tag" --tag "$tag" --url "http://127.0.0.1:$((p + 9))/mcp" \
    --start "$BUN $here/floors/pipe-floor.ts $((p + 9)) -- $fx" "${common[@]}" "$@"
  if want target && [[ -n ${TARGET_START:-} ]]; then
    local port=$((p + 5)) start=${TARGET_START//\{SERVER\}/$fx} url=${TARGET_URL:-http://127.0.0.1:\{PORT\}/mcp}
    bench --name "${TARGET_NAME:-target}-$tag" --tag "$tag" --url "${url//\{PORT\}/$port}" \
      ${TARGET_TOKEN:+--token "$TARGET_TOKEN"} --start "${start//\{PORT\}/$port}" "${common[@]}" "$@"
  fi
  return 0
}

t0=$SECONDS
pass raw "$RAW" 18110 --conc "${CONC:-1,8,32}" --sessions "${SESSIONS:-20}"
[[ -n ${SKIP_SDK:-} ]] || pass sdk "$SDK" 18130 --conc "${SDK_CONC:-8}" --sessions "${SDK_SESSIONS:-10}" \
  --coldstarts 1 --phases coldstart,sessions,calls
if [[ -z ${SKIP_EVERYTHING:-} ]]; then
  both=""
  for t in $EVERYTHING_TARGETS; do want "$t" && both+="$t "; done
  TARGETS=$both pass everything "$EVERYTHING" 18150 --conc "${EVERYTHING_CONC:-1,8,32}" \
    --sessions "${EVERYTHING_SESSIONS:-20}" --coldstarts 1 --server-match server-everything/ \
    --echo-arg message --echo-prefix "Echo: " --phases coldstart,sessions,live,calls
fi
# The bearer check alone, in-process: what OAuth costs a request, free of run-to-run noise.
want appliance-oauth && "$BUN" "$here/guard-cost.ts" >>"$out"
echo "total $((SECONDS - t0)) s" >&2

node report.mjs "$out" >"$run/report.md"
node ratios.mjs "$out" >>"$run/report.md"
node modes.mjs "$out" >>"$run/report.md"
cat "$run/report.md"
echo "results: $here/$run" >&2
