#!/usr/bin/env bash
# Metering figures (issue 4): seeding N accounts with a year of readings (rows/s; with
# BENCH_DATA=DIR the town is kept there, and a second run only adds what is missing), the field
# search over HTTP on N accounts (wrk, a signed-in meter reader, queries of every kind: p50 and
# p99), and a CSV import of one reading for each of 100,000 accounts (rows/s). Prints; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

accounts=${BENCH_ACCOUNTS:-1000000}
duration=${BENCH_DURATION:-10s}
port=${BENCH_PORT:-18091}
import_rows=${BENCH_IMPORT_ROWS:-100000}

swift build -c release --product meterline >/dev/null
data=${BENCH_DATA:-$(mktemp -d /tmp/meterline-bench-metering-XXXXXX)}
chmod 755 "$data"
bin=.build/release/meterline
export DATA_DIR="$data" LOG_LEVEL=warning

echo "== seed --demo --accounts $accounts"
start=$(date +%s.%N)
$bin seed --demo --accounts "$accounts" | grep -E "^Seeded"
echo "(wall clock $(echo "$(date +%s.%N) - $start" | bc | xargs printf '%.0f') s, including start and stop of the embedded PostgreSQL)"

reader="bench.reader-$$"
$bin create-staff --username "$reader" --full-name "Bench Reader" --roles meter_reader,finance >"$data/staff.txt"
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
session=$(python3 bench/staff_signin.py "$base" "$reader" "$initial")

# Queries as readers type them: account-number prefixes and whole numbers, serials, surnames,
# a name with a street, a street with a town. Every request picks the next one.
cat >"$data/search.lua" <<LUA
wrk.headers["Cookie"] = "meterline_session=$session"
local queries = {
  "4000123", "400987654", "4005", "MTR-000004321", "MTR-0009", "okafor", "mensah", "kelford",
  "amara+walsh", "willow+lane", "quarry+row+fernley", "harbour+street", "12+mill", "barwick+northby",
  "castillo+bakery", "data+centre", "priya+fenshaw", "beacon+close", "400555", "tannery+way+lowbridge",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/field?q=" .. queries[(i % #queries) + 1])
end
LUA
for conns in 1 16; do
  wrk -t1 -c"$conns" -d2s -s "$data/search.lua" "$base" >/dev/null
  out=$(wrk -t"$((conns < 2 ? 1 : 2))" -c"$conns" -d"$duration" --latency -s "$data/search.lua" "$base")
  printf "== GET /field?q=… on %s accounts, %2s connections: %8s req/s  p50 %6s ms  p99 %6s ms  non-2xx %s\n" "$accounts" "$conns" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")" \
    "$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")" "$(awk '/Non-2xx/ {print $5}' <<<"$out")"
done

# One reading for each of the first accounts, 30 units above their last, as a CSV upload.
psql -h "$data/pg/run" -U meterline -d meterline -tA -F, -c \
  "SELECT a.account_number, (now() AT TIME ZONE 'UTC')::date, r.value + 30 FROM accounts a
   JOIN LATERAL (SELECT value FROM current_readings c WHERE c.account_id = a.id ORDER BY read_on DESC, id DESC LIMIT 1) r ON true
   WHERE r.value + 30 < 1000000 ORDER BY a.id LIMIT $import_rows" >"$data/body.csv"
{ echo "account_number,date,value"; cat "$data/body.csv"; } >"$data/import.csv"
lines=$(($(wc -l <"$data/import.csv") - 1))
token=$(curl -fs -b "meterline_session=$session" "$base/ops/readings/import" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
start=$(date +%s.%N)
status=$(curl -s -o "$data/import.html" -w '%{http_code}' -b "meterline_session=$session" \
  -F "_csrf=$token" -F "file=@$data/import.csv;type=text/csv" "$base/ops/readings/import")
seconds=$(echo "$(date +%s.%N) - $start" | bc)
printf "== CSV import of %s readings: HTTP %s in %.2f s (%.0f rows/s); %s\n" "$lines" "$status" "$seconds" \
  "$(echo "$lines / $seconds" | bc -l)" "$(grep -o 'Imported [0-9]* readings[^<]*' "$data/import.html" || grep -o 'Nothing was imported[^<]*' "$data/import.html")"
