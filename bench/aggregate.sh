#!/usr/bin/env bash
# Aggregation overhead (docs/aggregation.md): in one run, one Archway worker
# answers alternately
#   - /slow: the slower part alone, forwarded to the backend (SLOW, 10ms);
#   - /agg:  an aggregate of two parts (FAST 5ms and SLOW 10ms) from the
#            same backend, composed by the proxy;
# with CONC clients for N requests each time. It prints p50/p99 of both, the
# p99 the aggregate adds over the slower part alone (the goal: < 150 µs), and
# the proxy's CPU per request (utime+stime from /proc) for both.
# The backend is e2e's test-backend (built here with go); its sleeps come
# from the x-echo-sleep query parameter, so the parts need no headers.
#
# Usage: bench/aggregate.sh   Env: BUILD, RUNS (3), N (2000), CONC (10), FAST (5ms), SLOW (10ms)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-${ARCHWAY_BUILD_DIR:-build}}
[[ $BUILD = /* ]] || BUILD="$root/$BUILD"
RUNS=${RUNS:-3}
N=${N:-2000}
CONC=${CONC:-10}
FAST=${FAST:-5ms}
SLOW=${SLOW:-10ms}
archway_bin="$BUILD/proxy/archway-proxy"
for tool in h2load go curl taskset; do
  command -v "$tool" >/dev/null || { echo "aggregate: $tool missing" >&2; exit 1; }
done
[[ -x $archway_bin ]] || { echo "aggregate: $archway_bin missing: run make build" >&2; exit 1; }

ncpu=$(nproc)
proxy_cpu=0 load_cpu=$((ncpu >= 2 ? 1 : 0))
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
bench_workdir archway-aggregate "${BENCH_OUT:-}"

(cd "$root/e2e" && go build -o "$work/test-backend" ./cmd/test-backend)
taskset -c "$load_cpu" "$work/test-backend" -name parts >"$work/backend.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  grep -q '^listening' "$work/backend.out" 2>/dev/null && break
  sleep 0.05
done
backend_port=$(sed -n 's/^listening .*:\([0-9]*\)$/\1/p' "$work/backend.out")
[[ -n $backend_port ]] || { echo "aggregate: test-backend did not start" >&2; exit 1; }

p1=$(port) admin=$(port)
cat >"$work/snapshot.json" <<JSON
{"version":"bench","listeners":[{"name":"http","address":"127.0.0.1","port":$p1,"tls":false}],
 "virtualHosts":[{"name":"bench","domains":["*"],"routes":[
   {"name":"agg","routeName":"bench/agg","ruleName":"agg","matches":[{"path":{"type":"Exact","value":"/agg"}}],
    "policies":{"aggregate":{"parts":[
      {"name":"fast","cluster":"backend","path":"/fast?x-echo-sleep=$FAST"},
      {"name":"slow","cluster":"backend","path":"/slow?x-echo-sleep=$SLOW"}]}}},
   {"name":"slow","routeName":"bench/slow","ruleName":"slow","matches":[{"path":{"type":"PathPrefix","value":"/slow"}}],
    "backends":[{"cluster":"backend","weight":1}]}]}],
 "clusters":[{"name":"backend","protocol":"HTTP","endpoints":[{"address":"127.0.0.1","port":$backend_port}]}]}
JSON
taskset -c "$proxy_cpu" "$archway_bin" --config "$work/snapshot.json" --workers 1 \
  --admin-address 127.0.0.1 --admin-port "$admin" --admin-socket "$work/admin.sock" \
  --state-dir "$work" --log-level warn --access-log off >"$work/proxy.log" 2>&1 &
proxy_pid=$!
pids+=("$proxy_pid")
wait_port "$p1" 10 || { echo "aggregate: proxy did not start: $(tail -5 "$work/proxy.log")" >&2; exit 1; }
curl -fsS "http://127.0.0.1:$p1/agg" >/dev/null || { echo "aggregate: /agg failed" >&2; exit 1; }

ticks() { awk '{print $14 + $15}' "/proc/$proxy_pid/stat"; }
hz=$(getconf CLK_TCK)
results="$work/aggregate.tsv"
: >"$results"
read -r load_start _ </proc/loadavg
for ((r = 1; r <= RUNS; r++)); do
  for name in slow agg; do
    target="http://127.0.0.1:$p1/$name"
    [[ $name = slow ]] && target+="?x-echo-sleep=$SLOW"
    out="$work/$name.$r"
    t0=$(ticks)
    taskset -c "$load_cpu" timeout 120 h2load --h1 -n"$N" -c"$CONC" -m1 --log-file="$out.log" "$target" \
      >"$out" 2>&1 || true
    t1=$(ticks)
    ok=$(awk '/^status codes:/ {print $3}' "$out")
    read -r p50 p99 < <(cut -f3 "$out.log" | sort -n | awk '{v[NR] = $1} END {
      if (NR == 0) { print 0, 0; exit } print v[int(NR * 0.5) + 1], v[int(NR * 0.99) + 1] }')
    # CPU µs per request of the proxy process.
    cpu=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v n="${ok:-0}" 'BEGIN { print (n > 0) ? d * 1e6 / hz / n : 0 }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$r" "${ok:-0}" "$p50" "$p99" "$cpu" >>"$results"
  done
done
read -r load_end _ </proc/loadavg

echo "machine: $ncpu CPUs; load average $load_start at the start, $load_end at the end"
echo "$N requests, $CONC clients, HTTP/1.1; parts sleep $FAST and $SLOW; medians of $RUNS runs"
awk -F'\t' '
function median(s,    n, a, i, j, t) {
  n = split(s, a, " ")
  for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
  return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{ if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 }
  ok[$1] = ok[$1] " " $3; p50[$1] = p50[$1] " " $4; p99[$1] = p99[$1] " " $5; cpu[$1] = cpu[$1] " " $6 }
END {
  printf "%-22s %8s %10s %10s %14s\n", "request", "2xx", "p50 µs", "p99 µs", "CPU µs/req"
  for (i = 1; i <= k; i++) { n = order[i]
    printf "%-22s %8s %10.0f %10.0f %14.1f\n", (n == "agg" ? "aggregate of 2 parts" : "slower part alone"),
      median(ok[n]), median(p50[n]), median(p99[n]), median(cpu[n]) }
  printf "p99 added by aggregation: %.0f µs (goal < 150 µs)\n", median(p99["agg"]) - median(p99["slow"])
}' "$results"
