#!/usr/bin/env bash
# `make bench`: a release build of meterline on the embedded database, loaded with wrk
# (10 s, 64 connections, 2 threads, on the same 2 cores) on each endpoint below.
# Prints requests/s and latency percentiles; it asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}
port=${BENCH_PORT:-18090}
endpoints=("/" "/healthz" "/css/site.css")

swift build -c release --product meterline >/dev/null
data=$(mktemp -d /tmp/meterline-bench-XXXXXX)
chmod 755 "$data"
DATA_DIR="$data" LOG_LEVEL=warning .build/release/meterline serve --port "$port" >"$data/server.log" 2>&1 &
server=$!
cleanup() {
  kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$data/server.log"; exit 1; }
  sleep 0.2
done

# wrk prints latencies with their own units (us, ms, s); show them all in ms.
to_ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v/=1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v*=1000 } printf "%.2f", v }' <<<"$1"; }

echo "meterline $(git rev-parse --short HEAD 2>/dev/null || echo '?'), release build, $(nproc) cores, wrk -t2 -c$connections -d$duration"
printf "%-16s %12s %10s %10s %10s %8s\n" endpoint "req/s" "p50 ms" "p90 ms" "p99 ms" errors
for path in "${endpoints[@]}"; do
  wrk -t2 -c"$connections" -d2s "http://127.0.0.1:$port$path" >/dev/null   # warm-up
  out=$(wrk -t2 -c"$connections" -d"$duration" --latency "http://127.0.0.1:$port$path")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p90=$(awk '$1=="90%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/ {n++} END {print n+0}' <<<"$out")
  printf "%-16s %12s %10s %10s %10s %8s\n" "$path" "$rps" "$(to_ms "$p50")" "$(to_ms "$p90")" "$(to_ms "$p99")" "$errors"
done
