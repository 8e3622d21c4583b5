#!/usr/bin/env bash
# Load on the public read path (issue 3): GET of a live bundle against the ceiling, an endpoint on the same
# server that writes the same bytes with the same headers from a byte array (Hosting/LoadProbe.cs).
# Starts the server in Release on a free loopback port with the embedded default (SQLite, tenants/ imported),
# checks once that both URLs answer 200 with identical bytes, runs wrk on each, and prints requests/s of both
# and their ratio. A run counts only when every response was a 200 of the expected length; otherwise it fails.
#   infra/load/live-bundle.sh                       (THREADS=2 CONNECTIONS=32 DURATION=15s WARMUP=5s ROUNDS=2 READY_WAIT=300)
# The routes are measured in turn, ROUNDS times, so that a change in the machine's load falls on both.
#   TENANT=350205 BUNDLE=enrolment infra/load/live-bundle.sh
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
tenant=${TENANT:-350205}
bundle=${BUNDLE:-enrolment}
threads=${THREADS:-2}
connections=${CONNECTIONS:-32}
duration=${DURATION:-15s}
warmup=${WARMUP:-5s}
rounds=${ROUNDS:-2}
aim=0.8

if ! command -v wrk >/dev/null; then
  echo "wrk not found: installing it from Debian's packages…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq wrk >&2
fi

free_port() {
  python3 - <<'PY' 2>/dev/null || shuf -i 20000-40000 -n 1
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

work=$(mktemp -d /tmp/onego-load.XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "Building the server (Release)…" >&2
dotnet build "$repo/src/OneGo.Server" -c Release -nologo -v quiet >&2

port=$(free_port)
base="http://127.0.0.1:$port"
echo "Starting it on $base (embedded default on $work/load.db)…" >&2
(
  cd "$repo"
  # A throwaway key for the audit checkpoints, given as a deployment gives it: from the environment, not the database.
  Audit__CheckpointKey=$(head -c 32 /dev/urandom | base64 -w0)
  export Audit__CheckpointKey
  # Staging: Production's pipeline and its refusals, with plain HTTP allowed on this loopback address (Production
  # serves HTTPS only). What else such a node refuses to start without: its public issuer, a mail server (named,
  # never called here) and a certificate that protects its keys at rest, a throwaway one made for this run.
  openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=OneGo load run" -days 1 \
    -keyout "$work/keys.key" -out "$work/keys.crt" >/dev/null 2>&1
  openssl pkcs12 -export -inkey "$work/keys.key" -in "$work/keys.crt" -out "$work/keys.pfx" -passout pass:load-run >/dev/null 2>&1
  ASPNETCORE_ENVIRONMENT=Staging DOTNET_ENVIRONMENT=Staging exec dotnet "$repo/src/OneGo.Server/bin/Release/net10.0/OneGo.Server.dll" \
    --urls="$base" \
    --Database:ConnectionString="Data Source=$work/load.db" \
    --TenantFiles:Folder="$repo/tenants" \
    --Diagnostics:LoadProbe=true \
    --Identity:Issuer="$base" --Identity:AllowHttp=true \
    --Mail:Host=127.0.0.1 \
    --Identity:KeyProtection:Certificate="$work/keys.pfx" --Identity:KeyProtection:Password=load-run \
    --RateLimiting:TokensPerSecond=100000000 --RateLimiting:Burst=100000000 \
    --RateLimiting:ClientPerSecond=100000000 --RateLimiting:ClientBurst=100000000 \
    --Logging:LogLevel:Default=Warning \
    --Logging:LogLevel:Microsoft.AspNetCore=Warning
) >"$work/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 "${READY_WAIT:-300}"); do
  if curl -fsS "$base/health/ready" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "The server exited:" >&2; cat "$work/server.log" >&2; exit 1
  fi
  sleep 1
done
curl -fsS "$base/health/ready" >/dev/null || { echo "The server did not become ready in ${READY_WAIT:-300} s:" >&2; cat "$work/server.log" >&2; exit 1; }

real="/api/t/$tenant/bundles/$bundle"
raw="/_probe/raw/$tenant/$bundle"

# One check with curl: both 200, the same bytes, the same headers that matter.
for name in live raw; do
  if [ "$name" = live ]; then path=$real; else path=$raw; fi
  status=$(curl -sS -o "$work/$name.body" -D "$work/$name.headers" -w '%{http_code}' "$base$path")
  [ "$status" = 200 ] || { echo "GET $path answered $status, not 200." >&2; cat "$work/$name.body" >&2; exit 1; }
  grep -iE '^(content-type|content-length|etag|cache-control):' "$work/$name.headers" | tr -d '\r' | awk -F': ' '{ print tolower($1) ": " $2 }' | sort >"$work/$name.h"
done
real_sum=$(sha256sum <"$work/live.body" | cut -d' ' -f1)
raw_sum=$(sha256sum <"$work/raw.body" | cut -d' ' -f1)
if [ "$real_sum" != "$raw_sum" ]; then
  echo "The two routes send different bytes ($real_sum vs $raw_sum)." >&2; exit 1
fi
if ! diff -u "$work/live.h" "$work/raw.h" >&2; then
  echo "The two routes send different headers." >&2; exit 1
fi
length=$(wc -c <"$work/live.body")
echo "Both routes: 200, $length bytes, sha256 $real_sum, headers:" >&2
sed 's/^/  /' "$work/live.h" >&2

# Every response is checked: status 200 and the expected body length; done() prints one RESULT line.
cat >"$work/check.lua" <<'LUA'
local expected = tonumber(os.getenv("EXPECTED_LENGTH"))
local threads = {}
bad_status, bad_length = 0, 0
function setup(thread) table.insert(threads, thread) end
function response(status, headers, body)
  if status ~= 200 then bad_status = bad_status + 1
  elseif #body ~= expected then bad_length = bad_length + 1 end
end
function done(summary, latency, requests)
  local status, length = 0, 0
  for _, t in ipairs(threads) do
    status = status + t:get("bad_status")
    length = length + t:get("bad_length")
  end
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f requests=%d not200=%d wronglength=%d socketerrors=%d p50ms=%.2f p99ms=%.2f\n",
    summary.requests / (summary.duration / 1e6), summary.requests, status + e.status, length,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA

run() { # path duration -> RESULT line
  EXPECTED_LENGTH=$length wrk -t"$threads" -c"$connections" -d"$2" --latency -s "$work/check.lua" "$base$1" | grep '^RESULT'
}

failed=0
measure() { # label path -> rps
  local line
  line=$(run "$2" "$duration")
  echo "$1: $line" >&2
  if ! echo "$line" | grep -q 'not200=0 wronglength=0 socketerrors=0'; then
    echo "$1: some responses were not a 200 of $length bytes: this run does not count." >&2
    failed=1
  fi
  echo "$line" | sed -E 's/.*rps=([0-9.]+).*/\1/'
}

echo "Warming up both routes ($warmup each)…" >&2
run "$real" "$warmup" >/dev/null
run "$raw" "$warmup" >/dev/null

echo "Measuring: wrk -t$threads -c$connections -d$duration on each, $rounds round(s)…" >&2
raw_total=0
real_total=0
for round in $(seq 1 "$rounds"); do
  raw_rps=$(measure "round $round raw  $raw" "$raw")
  real_rps=$(measure "round $round live $real" "$real")
  raw_total=$(awk -v a="$raw_total" -v b="$raw_rps" 'BEGIN { print a + b }')
  real_total=$(awk -v a="$real_total" -v b="$real_rps" 'BEGIN { print a + b }')
done
raw_rps=$(awk -v t="$raw_total" -v n="$rounds" 'BEGIN { printf "%.1f", t / n }')
real_rps=$(awk -v t="$real_total" -v n="$rounds" 'BEGIN { printf "%.1f", t / n }')
ratio=$(awk -v a="$real_rps" -v b="$raw_rps" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')

echo "raw bytes   $raw: $raw_rps requests/s (mean of $rounds)"
echo "live bundle $real: $real_rps requests/s (mean of $rounds)"
echo "ratio live/raw: $ratio (aim ≥ $aim)"
[ "$failed" = 0 ] || { echo "FAILED: not every response was a 200 with the expected bytes." >&2; exit 1; }
awk -v r="$ratio" -v a="$aim" 'BEGIN { exit !(r >= a) }' || echo "Below the aim of $aim." >&2
