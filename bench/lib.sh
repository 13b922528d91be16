# Shared by the bench scripts (sourced): waiting for a server, and wrk's latencies in ms.

# wait_until_serving URL PID LOG: returns once URL/healthz answers; if the server dies first,
# prints its log and exits.
wait_until_serving() {
  local url=$1 pid=$2 log=$3
  for _ in $(seq 1 300); do
    curl -fs "$url/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.2
  done
  echo "the server at $url did not answer within 60 s" >&2
  exit 1
}

# to_ms LATENCY: wrk prints latencies with their own units (us, ms, s); this gives ms.
to_ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v/=1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v*=1000 } printf "%.2f", v }' <<<"$1"; }
