#!/usr/bin/env bash
# `make bench` (billing): a release build seeds BENCH_ACCOUNTS accounts (default 100,000) with a
# year of readings and tariffs, then drafts, approves and issues one month's bills through the
# CLI, as finance would; prints wall time, bills/s and peak RSS of each step, then verifies the
# ledger. Then, with the month issued, the pages over that many accounts: finance's reports and
# defaulters (each request timed alone, median of 3 after one warm-up) and the consumer's
# dashboard and bill page (wrk, 64 connections). Then 60 days on (faketime), when every bill is
# overdue: the late-fee pass with the arrears it changes, and the finance pages again, over as
# many defaulters as there are accounts billed. It asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
accounts=${BENCH_ACCOUNTS:-100000}
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}
port=${BENCH_PORT:-18093}
swift build -c release --product meterline >/dev/null
data=$(mktemp -d /tmp/meterline-bench-billing-XXXXXX)
chmod 755 "$data"
server=
cleanup() {
  [ -z "$server" ] || { kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; }
  rm -rf "$data"
}
trap cleanup EXIT
export DATA_DIR="$data" LOG_LEVEL=warning
bin=.build/release/meterline
# The tariffs and staff come with the demo; --no-bills leaves every month unbilled.
$bin seed --demo --accounts "$accounts" --no-bills >/dev/null
period=$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m)
step() {
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$data/time" "$@" >"$data/out" 2>&1 || { cat "$data/out"; exit 1; }
  read -r seconds rss <"$data/time"
  bills=$(grep -o '[0-9]* bills for\|[0-9]*/[0-9]*$' "$data/out" | tail -1 | grep -o '^[0-9]*' || true)
  printf "%-36s %8.1f s %12s KiB peak RSS\n" "$label" "$seconds" "$rss"
}
echo "meterline $(git rev-parse --short HEAD 2>/dev/null || echo '?'), release build, $(nproc) cores, $accounts accounts, month $period"
# The first run reads freshly loaded tables (cold pages, hint bits still to set); a utility's
# monthly run reads tables that have been vacuumed and read all month. Both are printed: the cold
# draft is discarded and drafted again.
step "bill-run draft, first (cold tables)" $bin bill-run draft --period "$period" --by demo.admin
run=$(grep -o 'Run [0-9]*' "$data/out" | head -1 | grep -o '[0-9]*')
$bin bill-run discard --run "$run" --by demo.admin >/dev/null
step "bill-run draft (work out every bill)" $bin bill-run draft --period "$period" --by demo.admin
run=$(grep -o 'Run [0-9]*' "$data/out" | head -1 | grep -o '[0-9]*')
drafted=$(grep -o '[0-9]* bills' "$data/out" | tail -1 | grep -o '[0-9]*' || echo "?")
step "bill-run approve (and issue)" $bin bill-run approve --run "$run" --by demo.finance
grep "issued" "$data/out" || true
step "verify-ledger" $bin verify-ledger
grep -E "ledger entries|sound" "$data/out" || true

# The pages, with the month issued.
$bin create-staff --username bench.reports --full-name "Bench Reports" --roles finance >"$data/staff.txt"
initial=$(sed -n 's/^Initial password, shown only now: //p' "$data/staff.txt")
$bin serve --port "$port" >"$data/server.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
wait_until_serving "$base" "$server" "$data/server.log"
staff=$(python3 bench/staff_signin.py "$base" bench.reports "$initial")
consumer=$(python3 bench/consumer_signin.py "$base" 100200300 +447700900101 "$data/pg/run" bench.user)
bill=$(psql -h "$data/pg/run" -U meterline -d meterline -tAc \
  "SELECT b.number FROM bills b JOIN accounts a ON a.id = b.account_id WHERE a.account_number = '100200300' ORDER BY b.id DESC LIMIT 1")

# One request at a time: the median of three, after one to warm up.
printf "%-52s %10s %8s\n" "finance page (one request at a time)" "median s" "status"
timed() {
  local label=$1 path=$2 times=() status
  curl -s -o /dev/null -H "Cookie: meterline_session=$staff" "$base$path"
  for _ in 1 2 3; do
    read -r status seconds < <(curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Cookie: meterline_session=$staff" "$base$path")
    times+=("$seconds")
  done
  printf "%-52s %10s %8s\n" "$label" "$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)" "$status"
}
finance_pages() {
  timed "GET /finance/reports (every report of $period)" "/finance/reports?period=$period"
  for report in billed ageing usage; do
    timed "GET /finance/reports.csv?report=$report" "/finance/reports.csv?report=$report&period=$period"
  done
  timed "GET /finance/defaulters" "/finance/defaulters"
  timed "GET /finance/defaulters?area=Eastholm" "/finance/defaulters?area=Eastholm"
  timed "GET /finance/defaulters.csv" "/finance/defaulters.csv"
}
finance_pages

printf "%-52s %10s %9s %9s %8s\n" "consumer page (wrk -t2 -c$connections -d$duration)" "req/s" "p50 ms" "p99 ms" non-2xx
for path in /account "/account/bills/$bill"; do
  wrk -t2 -c"$connections" -d2s -H "Cookie: meterline_session=$consumer" "$base$path" >/dev/null
  out=$(wrk -t2 -c"$connections" -d"$duration" --latency -H "Cookie: meterline_session=$consumer" "$base$path")
  printf "%-52s %10s %9s %9s %8s\n" "GET $path" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")" "$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")" \
    "$(awk '/Non-2xx/ {print $5}' <<<"$out")"
done

# 60 days on, every bill of the month is overdue: the server's clock, the CLI's and the sign-in's
# (its authenticator code) are moved with faketime.
kill -TERM "$server" && wait "$server" || true
server=
later="faketime -f +60d"
step "late-fees, 60 days on (and arrears)" $later $bin late-fees
grep "late fees charged" "$data/out" || true
$later $bin create-staff --username bench.later --full-name "Bench Later" --roles finance >"$data/staff.txt"
initial=$(sed -n 's/^Initial password, shown only now: //p' "$data/staff.txt")
$later $bin serve --port "$port" >"$data/server.log" 2>&1 &
wrapper=$!
wait_until_serving "$base" "$wrapper" "$data/server.log"
# The server is the wrapper's child, and outlives the wrapper when that is stopped.
server=$(pgrep -n -P "$wrapper" || echo "$wrapper")
staff=$($later python3 bench/staff_signin.py "$base" bench.later "$initial")
printf "%-52s %10s %8s\n" "finance page, 60 days on, every account overdue" "median s" "status"
finance_pages
