#!/usr/bin/env bash
# `make bench` (tickets): a release build on a demo town of BENCH_ACCOUNTS accounts (default
# 100,000) with one complaint ticket each, then support's queue page loaded with wrk by a signed-in
# support member: the default view (open and in progress, soonest due first), every ticket not
# closed, one category in one area, and only those past their standard. Prints; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
accounts=${BENCH_ACCOUNTS:-100000}
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-16}
port=${BENCH_PORT:-18092}

swift build -c release --product meterline >/dev/null
# BENCH_DATA=DIR keeps the town there; a second run only adds what is missing.
data=${BENCH_DATA:-$(mktemp -d /tmp/meterline-bench-tickets-XXXXXX)}
chmod 755 "$data"
bin=.build/release/meterline
export DATA_DIR="$data" LOG_LEVEL=warning
$bin seed --demo --accounts "$accounts" --no-bills --tickets-one-in 1 | { grep -E "tickets" || echo "(the town and its tickets from an earlier run)"; }
supporter="bench.support-$$"
$bin create-staff --username "$supporter" --full-name "Bench Support" --roles support >"$data/staff.txt"
initial=$(sed -n 's/^Initial password, shown only now: //p' "$data/staff.txt")
$bin serve --port "$port" >"$data/server.log" 2>&1 &
server=$!
cleanup() {
  kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  [ -n "${BENCH_DATA:-}" ] || rm -rf "$data"
}
trap cleanup EXIT
base="http://127.0.0.1:$port"
wait_until_serving "$base" "$server" "$data/server.log"
session=$(python3 bench/staff_signin.py "$base" "$supporter" "$initial")

threads=$((connections < 2 ? 1 : 2))
echo "meterline $(git rev-parse --short HEAD 2>/dev/null || echo '?'), release build, $(nproc) cores, wrk -t$threads -c$connections -d$duration"
printf "%-58s %9s %9s %9s %8s\n" "queue view" "req/s" "p50 ms" "p99 ms" non-2xx
for query in "" "?status=" "?status=&category=billing&area=Portview" "?status=&breached=yes"; do
  url="$base/support/tickets$query"
  wrk -t"$threads" -c"$connections" -d2s -H "Cookie: meterline_session=$session" "$url" >/dev/null
  out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency -H "Cookie: meterline_session=$session" "$url")
  printf "%-58s %9s %9s %9s %8s\n" "GET /support/tickets$query" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")" "$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")" \
    "$(awk '/Non-2xx/ {print $5}' <<<"$out")"
done
