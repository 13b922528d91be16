#!/usr/bin/env bash
# `make bench` (payments): a release build on the demo town; BENCH_EVENTS pending online payments
# (default 5,000), then their gateway callbacks, signed, posted to /payments/webhook by
# BENCH_CONCURRENCY clients (default 8), one in ten delivered twice. Prints events/s (verified,
# stored, credited and settled) and latency, then verifies the ledger. It asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
events=${BENCH_EVENTS:-5000}
concurrency=${BENCH_CONCURRENCY:-8}
port=${BENCH_PORT:-18091}
secret="bench-webhook-secret-of-at-least-thirty-two-characters"

swift build -c release --product meterline >/dev/null
data=$(mktemp -d /tmp/meterline-bench-payments-XXXXXX)
chmod 755 "$data"
export DATA_DIR="$data" LOG_LEVEL=warning PAYMENT_WEBHOOK_SECRET="$secret"
bin=.build/release/meterline
$bin seed --demo >/dev/null
$bin serve --port "$port" >"$data/server.log" 2>&1 &
server=$!
cleanup() {
  kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
wait_until_serving "http://127.0.0.1:$port" "$server" "$data/server.log"

# The embedded cluster runs as postgres when we are root.
sql() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- psql -h "$data/pg/run" -U meterline -d meterline -qtAc "$1"
  else psql -h "$data/pg/run" -U meterline -d meterline -qtAc "$1"; fi
}
# Pending payments as consumers leave them when they go to the gateway's page.
sql "INSERT INTO payments (account_id, amount, method, status, gateway, checkout_id, created_by, created_at)
     SELECT a.id, 1000, 'online', 'pending', 'sandbox', 'chk_bench_' || g, (SELECT id FROM users WHERE username = 'demo.finance'), now()
     FROM generate_series(1, $events) g JOIN LATERAL (SELECT id FROM accounts ORDER BY id OFFSET (g % 800) LIMIT 1) a ON true"

echo "meterline $(git rev-parse --short HEAD 2>/dev/null || echo '?'), release build, $(nproc) cores, $events payments, $concurrency clients"
python3 bench/webhooks.py "http://127.0.0.1:$port/payments/webhook" "$secret" "$events" "$concurrency"
echo "credited: $(sql "SELECT count(*) FROM payments WHERE checkout_id LIKE 'chk_bench_%' AND status = 'succeeded'") of $events"
$bin verify-ledger | tail -1
