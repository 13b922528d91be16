#!/usr/bin/env bash
# `make bench` (protocol): signed meter frames signed and verified per second on one core
# (BENCH_ROUNDS rounds of 1,000 meters, default 100). Prints; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product meter-protocol-bench >/dev/null
echo "meterline $(git rev-parse --short HEAD 2>/dev/null || echo '?'), release build, one core"
.build/release/meter-protocol-bench "${BENCH_ROUNDS:-100}"
