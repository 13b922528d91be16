#!/usr/bin/env bash
# `make bench`: a release build of meterline on the embedded database, loaded with wrk
# (10 s, 64 connections, 2 threads, on the same 2 cores) on each endpoint below.
# Prints requests/s and latency percentiles; it asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}
port=${BENCH_PORT:-18090}
endpoints=("/" "/login" "/healthz" "/css/site.css")

swift build -c release --product meterline >/dev/null
data=$(mktemp -d /tmp/meterline-bench-XXXXXX)
chmod 755 "$data"
# Trusting X-Forwarded-For lets the sign-in load come from many addresses, so the per-address
# limit does not turn it into a benchmark of 429 pages.
DATA_DIR="$data" LOG_LEVEL=warning HTTP_TRUST_PROXY=true .build/release/meterline seed --demo >/dev/null
DATA_DIR="$data" LOG_LEVEL=warning HTTP_TRUST_PROXY=true .build/release/meterline serve --port "$port" >"$data/server.log" 2>&1 &
server=$!
cleanup() {
  kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

wait_until_serving "http://127.0.0.1:$port" "$server" "$data/server.log"

# A registered consumer, signed in, for the authenticated page: register with the demo account,
# read the texted code from the outbox, enter it.
base="http://127.0.0.1:$port"
session=$(python3 bench/consumer_signin.py "$base" 100200300 +447700900101 "$data/pg/run" bench.user)
login_token=$(curl -fs -H "Cookie: meterline_session=$session" "$base/login" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
cat >"$data/login.lua" <<LUA
-- Failed sign-ins for logins that do not exist: each costs one Argon2id hash, as a real check
-- does, without locking anyone; every request comes from another address.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "meterline_session=$session"
counter = 0
request = function()
  counter = counter + 1
  wrk.headers["X-Forwarded-For"] = "10." .. (counter % 250) .. "." .. math.random(0, 250) .. "." .. math.random(1, 250)
  return wrk.format(nil, "/login", nil, "_csrf=$login_token&login=nobody" .. counter .. "&password=wrong+password+here")
end
LUA


echo "meterline $(git rev-parse --short HEAD 2>/dev/null || echo '?'), release build, $(nproc) cores, wrk -t2 -c$connections -d$duration"
printf "%-34s %10s %9s %9s %9s %8s\n" endpoint "req/s" "p50 ms" "p90 ms" "p99 ms" non-2xx
# run LABEL CONNECTIONS WRK-ARGS... : one warm-up, one measured run, one line of figures.
run() {
  local label=$1 conns=$2; shift 2
  wrk -t2 -c"$conns" -d2s "$@" >/dev/null
  out=$(wrk -t2 -c"$conns" -d"$duration" --latency "$@")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p90=$(awk '$1=="90%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx responses/ {print $5}' <<<"$out")
  printf "%-34s %10s %9s %9s %9s %8s\n" "$label" "$rps" "$(to_ms "$p50")" "$(to_ms "$p90")" "$(to_ms "$p99")" "${non2xx:-0}"
}
for path in "${endpoints[@]}"; do
  run "GET $path" "$connections" "$base$path"
done
run "GET /account (signed in)" "$connections" -H "Cookie: meterline_session=$session" "$base/account"
run "GET /account/premises/100200300" "$connections" -H "Cookie: meterline_session=$session" "$base/account/premises/100200300"
# Argon2id is the bound here; 8 connections are enough to keep both cores busy.
run "POST /login (one Argon2id each)" 8 -s "$data/login.lua" "$base/login"
echo "(POST /login answers 422, a refused sign-in, by design: its non-2xx count is every request.)"
statuses=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: meterline_session=$session" -H "X-Forwarded-For: 10.9.9.9" \
  --data "_csrf=$login_token&login=nobody&password=wrong+password+here" "$base/login")
echo "a sample POST /login answered HTTP $statuses"
