#!/usr/bin/env bash
# `make bench` (billing): a release build seeds BENCH_ACCOUNTS accounts (default 100,000) with a
# year of readings and tariffs, then drafts, approves and issues one month's bills through the
# CLI, as finance would; prints wall time, bills/s and peak RSS of each step, then verifies the
# ledger. It asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
accounts=${BENCH_ACCOUNTS:-100000}
swift build -c release --product meterline >/dev/null
data=$(mktemp -d /tmp/meterline-bench-billing-XXXXXX)
chmod 755 "$data"
trap 'rm -rf "$data"' EXIT
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
