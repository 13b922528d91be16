#!/usr/bin/env bash
# `make bench` (devices, issue 12): one bridge with BENCH_METERS simulated meters connected (default
# 20,000): the memory of the bridge and of the simulator, and read-all latency; then the portal's
# ingest of BENCH_READINGS readings (default 500,000) against a raw COPY of the same rows.
# Release build, everything on this machine. Prints; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

# A process may hold `ulimit -Hn` files (20,000 in this sandbox, and it cannot be raised), and each
# meter is a socket at the bridge: the bridge gets what fits, the simulators 10,000 each.
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
meters=${BENCH_METERS:-$(( hard - 1000 < 20000 ? hard - 1000 : 20000 ))}
readings=${BENCH_READINGS:-500000}
port=${BENCH_PORT:-18095}
bridge_port=${BENCH_BRIDGE_PORT:-18096}
swift build -c release --product meterline >/dev/null
swift build -c release --product meter-bridge >/dev/null
swift build -c release --product meter-sim >/dev/null
swift build -c release --product device-bench >/dev/null
bin=.build/release
data=$(mktemp -d /tmp/meterline-bench-devices-XXXXXX)
chmod 755 "$data"
export DATA_DIR="$data" LOG_LEVEL=warning BRIDGE_SECRET
BRIDGE_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
ulimit -n "$hard" 2>/dev/null || true
echo "meterline $(git rev-parse --short HEAD 2>/dev/null || echo '?'), release build, $(nproc) cores"

if [ "$readings" -gt 0 ]; then
  echo "== ingest: $readings readings through the portal's bridge ingest, and a raw COPY of the same rows"
  $bin/device-bench ingest "$readings"
fi

echo "== one bridge, $meters simulated meters"
$bin/device-bench register "$meters"
$bin/meterline serve --port "$port" >"$data/server.log" 2>&1 &
server=$!
bridge=""
sim=""
cleanup() {
  for pid in $sim $bridge $server; do kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  rm -rf "$data"
}
trap cleanup EXIT
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
$bin/meter-bridge --portal "http://127.0.0.1:$port" --port "$bridge_port" --spool "$data/spool" --log-level warning >"$data/bridge.log" 2>&1 &
bridge=$!
sleep 2
# Simulators of at most 10,000 meters each: BENCH-0000001… as `device-bench register` made them.
sims=""
first=1
while [ "$first" -le "$meters" ]; do
  last=$(( first + 9999 < meters ? first + 9999 : meters ))
  seq -f "BENCH-%07g" "$first" "$last" | awk '{ print $1 "\tresidential\t0\t" systime() }' >"$data/meters-$first.tsv"
  $bin/meter-sim run --meters "$data/meters-$first.tsv" --seed bench --bridge "ws://127.0.0.1:$bridge_port/meter" --interval 3600 \
    --catch-up-hours 0 >"$data/sim-$first.log" 2>&1 &
  sims="$sims $!"
  first=$(( last + 1 ))
done
sim=$sims
start=$(date +%s.%N)
connected=0
for _ in $(seq 1 600); do
  connected=$(curl -fs "http://127.0.0.1:$bridge_port/status" | sed -n 's/.*"connected":\([0-9]*\).*/\1/p')
  [ "${connected:-0}" -ge "$meters" ] && break
  sleep 0.5
done
echo "$connected meters connected and signed in after $(echo "$(date +%s.%N) - $start" | bc | xargs printf '%.1f') s"
sleep 5
rss() { awk '/VmRSS/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$1/status"; }
simrss() { for pid in $sims; do echo -n "$(rss "$pid") "; done; }
echo "memory: bridge $(rss "$bridge"), simulators $(simrss), portal $(rss "$server")"
for round in 1 2 3; do
  echo -n "read-all $round: "
  $bin/meterline meters read-all --deadline 10 2>/dev/null | head -1
done
echo "memory after read-alls: bridge $(rss "$bridge"), simulators $(simrss)"
