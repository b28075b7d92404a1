#!/usr/bin/env bash
# The thundering herd: CLIENTS clients (each on its own connection) ask at
# once for one cold key of a slow backend (SLOW, default 200 ms) through
# Archway's cache and through nginx's proxy_cache with proxy_cache_lock on
# (bench/lib.sh archway-cache / nginx-cache). For each proxy and run it
# counts the requests that reached the backend (1 is perfect coalescing) and
# the clients' latency (median and slowest), then prints medians over RUNS.
# The backend is e2e's test-backend (built here with go), which sleeps when a
# request carries X-Echo-Sleep and counts what it answered.
#
# Usage: bench/cache_herd.sh     Env: BUILD, RUNS (3), CLIENTS (200), SLOW (200ms)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-${ARCHWAY_BUILD_DIR:-build}}
[[ $BUILD = /* ]] || BUILD="$root/$BUILD"
RUNS=${RUNS:-3}
CLIENTS=${CLIENTS:-200}
SLOW=${SLOW:-200ms}
archway_bin="$BUILD/proxy/archway-proxy"
for tool in h2load nginx go curl taskset; do
  command -v "$tool" >/dev/null || { echo "cache_herd: $tool missing" >&2; exit 1; }
done
[[ -x $archway_bin ]] || { echo "cache_herd: $archway_bin missing: run make build" >&2; exit 1; }

ncpu=$(nproc)
proxy_cpu=0 load_cpu=$((ncpu >= 2 ? 1 : 0))
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
bench_workdir archway-herd "${BENCH_OUT:-}"

(cd "$root/e2e" && go build -o "$work/test-backend" ./cmd/test-backend)
taskset -c "$load_cpu" "$work/test-backend" -name herd >"$work/backend.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  grep -q '^listening' "$work/backend.out" 2>/dev/null && break
  sleep 0.05
done
backend_port=$(sed -n 's/^listening .*:\([0-9]*\)$/\1/p' "$work/backend.out")
[[ -n $backend_port ]] || { echo "cache_herd: test-backend did not start" >&2; exit 1; }
backend_requests() { curl -s "http://127.0.0.1:$backend_port/__backend/stats" | sed 's/.*"requests":\([0-9]*\).*/\1/'; }

declare -A port_of pid_of
for name in archway-cache nginx-cache; do
  mkdir -p "$work/$name"
  p1=$(port) p2=$(port)
  "start_$name" "$work/$name" "$p1" "$p2"
  pids+=("$proxy_pid")
  wait_port "$p1" 10 || { echo "cache_herd: $name did not start: $(tail -5 "$work/$name/log")" >&2; exit 1; }
  port_of[$name]=$p1 pid_of[$name]=$proxy_pid
done

results="$work/herd.tsv"
: >"$results"
read -r load_start _ </proc/loadavg
for ((r = 1; r <= RUNS; r++)); do
  for name in archway-cache nginx-cache; do
    before=$(backend_requests)
    out="$work/$name.$r"
    # One request per client, all at once, on a key no run used before.
    taskset -c "$load_cpu" h2load --h1 -n"$CLIENTS" -c"$CLIENTS" -m1 -H "X-Echo-Sleep: $SLOW" \
      --log-file="$out.log" "http://127.0.0.1:${port_of[$name]}/herd/$r" >"$out" 2>&1 || true
    sleep 0.3 # a late backend request would still be counted
    after=$(backend_requests)
    ok=$(awk '/^status codes:/ {print $3}' "$out")
    read -r p50 pmax < <(cut -f3 "$out.log" | sort -n | awk '{v[NR] = $1} END {
      if (NR == 0) { print 0, 0; exit } print v[int(NR * 0.5) + 1] / 1000, v[NR] / 1000 }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$r" "$((after - before))" "${ok:-0}" "$p50" "$pmax" >>"$results"
  done
done
read -r load_end _ </proc/loadavg

echo "machine: $ncpu CPUs; load average $load_start at the start, $load_end at the end"
echo "$CLIENTS clients at once on one cold key, backend answers after $SLOW; medians of $RUNS runs"
awk -F'\t' '
function median(s,    n, a, i, j, t) {
  n = split(s, a, " ")
  for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
  return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{ if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 }
  be[$1] = be[$1] " " $3; ok[$1] = ok[$1] " " $4; p50[$1] = p50[$1] " " $5; mx[$1] = mx[$1] " " $6 }
END {
  printf "%-14s %18s %10s %12s %12s\n", "proxy", "backend requests", "2xx", "p50 ms", "slowest ms"
  for (i = 1; i <= k; i++) { n = order[i]
    printf "%-14s %18s %10s %12.1f %12.1f\n", n, median(be[n]), median(ok[n]), median(p50[n]), median(mx[n]) }
}' "$results"
