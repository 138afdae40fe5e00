#!/usr/bin/env bash
# Runs the compiled appliance in the foreground as a benchmark target, serving one stdio server.
#   [APPLIANCE_SHARING=session|client|shared] appliance.sh PORT none|oauth STATE_DIR -- SERVER COMMAND...
# With oauth, STATE_DIR must hold the state in which mint-token.mjs issued the access token, and
# the public URL is fixed so that token is valid on every port the run uses.
set -euo pipefail
port=$1 auth=$2 state=$3
shift 3
[[ ${1:-} == -- ]] && shift
here=$(cd "$(dirname "$0")/.." && pwd)
binary=${APPLIANCE_BINARY:-$here/../dist/mcp-appliance}
config=$(mktemp /tmp/bench-appliance.XXXXXX.toml)
args=""
for a in "${@:2}"; do args+="\"$a\", "; done
{
  echo "listen = \"127.0.0.1:$port\""
  [[ $auth == oauth ]] && echo 'public_url = "http://127.0.0.1:18000"'
  echo "auth = \"$auth\""
  echo "state_dir = \"$state\""
  echo '[log]'
  echo 'level = "warn"'
  echo '[oauth]'
  echo 'access_token_ttl = "24h"'
  echo '[servers.bench]'
  echo "command = \"$1\""
  echo "args = [${args%, }]"
  echo 'path = "/mcp"'
  # APPLIANCE_SHARING: who shares a child (session | client | shared); unset: the default.
  if [[ -n ${APPLIANCE_SHARING:-} ]]; then echo "sharing = \"$APPLIANCE_SHARING\""; fi
  echo 'max_sessions = 128'
  # The load generator is one address opening up to max_sessions sessions: one client, for [limits].
  echo '[limits]'
  echo 'max_sessions_per_client = 128'
} >"$config"
exec "$binary" --config "$config"
