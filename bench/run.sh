#!/usr/bin/env bash
# Archway against its peers (nginx, HAProxy, nghttpx), measured in the same
# run, on loopback, against the same fast backend (nginx answering a static
# `return 200`). Each proxy runs one worker pinned to CPU 0 (taskset); the
# load generator and the backend share CPU 1. For each proxy and protocol
# (HTTP/1.1 keep-alive with wrk, h2c with h2load) it takes RUNS runs of
# DURATION seconds and prints medians of: requests/s, p50 and p99 latency,
# proxy CPU time per request (utime+stime of the proxy's processes from
# /proc/PID/stat over the run, divided by the requests it served) and the
# proxy's RSS at the end; then Archway's ratio to each peer. A second table
# says where each proxy's time goes per request: user and system CPU,
# voluntary and involuntary context switches, and the load generator's own
# CPU per request (so a saturated client shows); a line above the tables
# says how quiet the machine was (load average, steal, and what else ran on
# the proxy's core). docs/benchmarks.md says how to read it.
#
# Usage: bench/run.sh [--quick] [--all] [--profile]   (run by `make bench`, never by `make test`)
#        --all also runs the route-table benchmark (bench/route, built as
#        route_bench) and the controller benchmark (bench/controller/run.sh).
#        --profile also runs bench/profile.sh: syscalls by kind and TCP
#        segments per request (strace, nstat), and bench/instructions.sh
#        for every proxy (callgrind).
# Env:   BUILD (build dir; else ARCHWAY_BUILD_DIR, else build), RUNS (3), DURATION (s, 8),
#        CONNS (wrk/h2load connections, 32), STREAMS (h2 streams per conn, 10),
#        PROXIES ("archway nginx haproxy nghttpx"), BENCH_OUT (keep results here),
#        BASELINE_BIN (an older archway-proxy binary: adds a "baseline" proxy, so
#        a change is measured against the build before it in the same run).
#        PROXIES may also name "archway-cors": the same build with a CORS policy
#        on the route, loaded with an allowed Origin header, so the ratio
#        archway-cors / archway is what turning CORS on costs; and
#        "archway-jwt": auth.jwt on the route, every request with one valid
#        token (JWT_ALG, default RS256), so a verified-token cache hit;
#        "archway-apikey": auth.apiKey, every request with the right key;
#        "archway-introspect": auth.oauth2Introspection, every request with
#        one opaque token, asked once of a local endpoint and then a cache
#        hit (the endpoint, bench/introspection_endpoint.py, runs on the
#        load generator's CPU; how often it was asked is printed at the end);
#        "archway-rl-local" / "archway-rl-global": a rate limit nothing
#        exceeds, counted per process / leased from a redis-server on
#        loopback (started by the bench).
#        "archway-cache" / "nginx-cache": a 10 s response cache on the route
#        (nginx: proxy_cache + proxy_cache_lock, its cache dir in the work
#        dir), every measured request a hit; their ratio is printed.
#        bench/cache_herd.sh measures coalescing (many clients, one cold key).
#        "archway-json" / "archway-bodymap": the backend's small JSON answer
#        (/json, 58 bytes) through the plain route, and through a route
#        with requestBody and responseBody mappings (a Move, a Remove, a
#        Set and a Wrap on every response; the GET has no body to map):
#        their ratio is what body mapping costs per response.
#        "archway-resilient": retries, a circuit breaker and outlier
#        detection on the route, none of them triggered (a healthy
#        backend): their ratio to "archway" is what they cost per request.
#        "archway-bare" / "archway-observed": no per-request metrics and
#        no tracing, against metrics on and tracing at 1 % exported to a
#        stand-in OTLP collector; their paired ratio is what observability
#        costs per request (issue goal: at most 1.05). OBSERVED_RATIO
#        (default 0.01) sets archway-observed's sampling ratio.
#        BUSY=1: a busy machine on purpose: a CPU-bound loop (plain shell,
#        same priority) shares the proxy's core during every measured run,
#        so the ratios can be compared with a quiet run's.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-${ARCHWAY_BUILD_DIR:-build}}
[[ $BUILD = /* ]] || BUILD="$root/$BUILD"
RUNS=${RUNS:-3}
DURATION=${DURATION:-8}
CONNS=${CONNS:-32}
STREAMS=${STREAMS:-10}
PROXIES=${PROXIES:-"archway nginx haproxy nghttpx"}
BASELINE_BIN=${BASELINE_BIN:-}
if [[ -n $BASELINE_BIN ]]; then
  [[ -x $BASELINE_BIN ]] || { echo "bench: BASELINE_BIN $BASELINE_BIN is not executable" >&2; exit 1; }
  PROXIES="$PROXIES baseline"
fi
BUSY=${BUSY:-0}
all=false profile=false
for arg in "$@"; do
  case $arg in
  --quick) RUNS=1 DURATION=3 ;;
  --all) all=true ;;
  --profile) profile=true ;;
  *) echo "usage: bench/run.sh [--quick] [--all] [--profile]" >&2; exit 2 ;;
  esac
done

die() { echo "bench: $*" >&2; exit 1; }
for tool in wrk h2load nginx haproxy nghttpx taskset /usr/bin/time; do
  command -v "$tool" >/dev/null || die "$tool missing: run scripts/install-deps.sh --bench"
done
archway_bin="$BUILD/proxy/archway-proxy"
[[ " $PROXIES " != *" archway "* || -x "$archway_bin" ]] || die "$archway_bin missing: run make build"

ncpu=$(nproc)
if ((ncpu >= 2)); then
  proxy_cpu=0 load_cpu=1
else
  proxy_cpu=0 load_cpu=0
  echo "bench: one CPU only: proxy and load share it; figures are not comparable" >&2
fi
clk_tck=$(getconf CLK_TCK)

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
bench_workdir archway-bench "${BENCH_OUT:-}"
# --- backend: nginx, `return 200`, on the load generator's CPU ------------
start_backend "$load_cpu" || exit 1

# --- the proxies -----------------------------------------------------------
# The proxies' start_<name> functions and load_header: bench/lib.sh.

# The proxy's processes: the one started and its children (nginx and
# nghttpx fork workers).
tree_pids() { echo "$1"; pgrep -P "$1" 2>/dev/null || true; }
proc_counters() { # "utime stime voluntary involuntary" summed over the tree and its threads
  local u=0 s=0 v=0 n=0 p f t
  for p in $(tree_pids "$1"); do
    f=$(cut -d')' -f2 "/proc/$p/stat" 2>/dev/null) || continue
    set -- $f
    u=$((u + ${12})) s=$((s + ${13})) # fields 14 and 15 of stat: utime, stime
    for t in /proc/"$p"/task/*/status; do
      read -r a b < <(awk '/^voluntary_ctxt_switches/ {v = $2} /^nonvoluntary_ctxt_switches/ {n = $2} END {print v + 0, n + 0}' "$t" 2>/dev/null) || continue
      v=$((v + a)) n=$((n + b))
    done
  done
  echo "$u $s $v $n"
}
# core_ticks CPU: "busy steal" ticks of one CPU from /proc/stat (busy counts
# everything but idle and iowait); core_ticks all: the same for the machine.
core_ticks() {
  local line=cpu$1
  [[ $1 == all ]] && line=cpu
  awk -v l="$line" '$1 == l {print $2 + $3 + $4 + $7 + $8 + $9, $9}' /proc/stat
}
rss_kib() {
  local t=0 p v
  for p in $(tree_pids "$1"); do
    v=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null) || continue
    t=$((t + ${v:-0}))
  done
  echo "$t"
}

# to_us "1.23ms" → microseconds
to_us() { awk -v v="$1" 'BEGIN {
  if (v ~ /us$/) { sub(/us$/, "", v); print v + 0 }
  else if (v ~ /ms$/) { sub(/ms$/, "", v); print v * 1000 }
  else if (v ~ /s$/) { sub(/s$/, "", v); print v * 1000000 }
  else print v }'; }

# proxy proto run rps p50_us p99_us cpu_us_per_req rss_kib user_us sys_us
# vcs_per_req ivcs_per_req loadgen_cpu_us_per_req other_pct_on_proxy_core
results="$work/results.tsv"
: >"$results"

# measure PROXY PROTO PORT RUN PID
measure() {
  local name=$1 proto=$2 p=$3 run=$4 pid=$5 out reqs rps p50 p99 cpu rss user sys vcs ivcs gcpu other
  local hdr=()
  [[ -n "${load_header[$name]:-}" ]] && hdr=(-H "${load_header[$name]}")
  local path=${load_path[$name]:-/bench}
  out="$work/$name.$proto.$run.out"
  local c0 c1 k0 k1 gen=(/usr/bin/time -f "%U %S" -o "$out.time")
  read -r -a c0 < <(proc_counters "$pid")
  read -r -a k0 < <(core_ticks "$proxy_cpu")
  if [[ $proto == http1 ]]; then
    "${gen[@]}" taskset -c "$load_cpu" wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "${hdr[@]}" "http://127.0.0.1:$p$path" >"$out" 2>&1
    read -r -a c1 < <(proc_counters "$pid")
    read -r -a k1 < <(core_ticks "$proxy_cpu")
    reqs=$(awk '/requests in/ {print $1}' "$out")
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
    p50=$(to_us "$(awk '$1 == "50%" {print $2}' "$out")")
    p99=$(to_us "$(awk '$1 == "99%" {print $2}' "$out")")
    if grep -q "Non-2xx" "$out"; then echo "bench: $name $proto: non-2xx answers" >&2; reqs=0; fi
  else
    "${gen[@]}" taskset -c "$load_cpu" h2load -c"$CONNS" -m"$STREAMS" -D"$DURATION" "${hdr[@]}" \
      --log-file="$out.log" "http://127.0.0.1:$p$path" >"$out" 2>&1 || true
    read -r -a c1 < <(proc_counters "$pid")
    read -r -a k1 < <(core_ticks "$proxy_cpu")
    reqs=$(awk '/^requests:/ {print $8}' "$out") # succeeded
    rps=$(awk '/^finished in/ {gsub(",", "", $4); print $4}' "$out")
    # h2load's log: one line per request, the third field its time in us.
    read -r p50 p99 < <(cut -f3 "$out.log" | sort -n | awk '{v[NR] = $1} END {
      if (NR == 0) { print 0, 0; exit } print v[int(NR * 0.50) + 1], v[int(NR * 0.99) + 1] }')
    if ! grep -q " 0 failed, 0 errored" "$out"; then echo "bench: $name $proto: failed requests" >&2; reqs=0; fi
  fi
  rss=$(rss_kib "$pid")
  if [[ -z "$reqs" || "$reqs" == 0 ]]; then
    echo "bench: $name $proto run $run produced no successful requests:" >&2
    tail -5 "$out" >&2
    return 0
  fi
  local du=$((c1[0] - c0[0])) ds=$((c1[1] - c0[1])) gen_s
  gen_s=$(awk '{print $1 + $2}' "$out.time" 2>/dev/null | tail -1)
  # The proxy's core: busy ticks that were not the proxy's (other processes,
  # interrupts, steal), as a share of the run.
  read -r cpu user sys vcs ivcs gcpu other < <(awk -v du="$du" -v ds="$ds" -v n="$reqs" -v hz="$clk_tck" \
    -v dv=$((c1[2] - c0[2])) -v di=$((c1[3] - c0[3])) -v g="${gen_s:-0}" \
    -v busy=$((k1[0] - k0[0])) -v secs="$DURATION" 'BEGIN {
      other = (busy - du - ds) / hz / secs * 100; if (other < 0) other = 0
      printf "%.2f %.2f %.2f %.3f %.3f %.2f %.0f\n", (du + ds) * 1e6 / hz / n, du * 1e6 / hz / n, ds * 1e6 / hz / n,
        dv / n, di / n, g * 1e6 / n, other }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$proto" "$run" "$rps" "$p50" "$p99" \
    "$cpu" "$rss" "$user" "$sys" "$vcs" "$ivcs" "$gcpu" "$other" >>"$results"
}

echo "bench: ${RUNS} run(s) x ${DURATION}s per proxy and protocol; proxy on CPU $proxy_cpu, load + backend on CPU $load_cpu" >&2
# All proxies start first and the runs take turns (run 1 of each proxy, then
# run 2 of each...): the machine's speed drifts over minutes, and measuring
# one proxy's runs all before the next one's put that drift into the ratios.
declare -A ppid h1port h2port
started=()
for name in $PROXIES; do
  dir="$work/$name"
  mkdir -p "$dir"
  p1=$(port) p2=$(port)
  "start_$name" "$dir" "$p1" "$p2"
  pids+=("$proxy_pid")
  wait_port "$p1" 10 || { echo "bench: $name did not start: $(tail -5 "$dir/log")" >&2; continue; }
  ppid[$name]=$proxy_pid h1port[$name]=$p1 h2port[$name]=$p2
  same_port_h2c "$name" && h2port[$name]=$p1 # h2c by prior knowledge on the same port
  started+=("$name")
done
for name in "${started[@]}"; do
  # Warm-up: connections, pools, page faults.
  taskset -c "$load_cpu" wrk -t1 -c"$CONNS" -d1s "http://127.0.0.1:${h1port[$name]}/warm" >/dev/null 2>&1 || true
done
# How quiet the machine is: load average now and at the end, steal over
# the measured runs.
read -r load_start _ < /proc/loadavg
read -r -a m0 < <(core_ticks all)
t_start=$(date +%s)
if [[ $BUSY == 1 ]]; then
  # The documented busy machine: one CPU-bound loop, same priority, on the
  # proxy's core for the whole measurement.
  taskset -c "$proxy_cpu" bash -c 'while :; do :; done' &
  pids+=($!)
  echo "bench: BUSY=1: a CPU-bound loop shares the proxy's core (CPU $proxy_cpu)" >&2
fi
for ((r = 1; r <= RUNS; r++)); do
  for name in "${started[@]}"; do
    measure "$name" http1 "${h1port[$name]}" "$r" "${ppid[$name]}"
    measure "$name" h2c "${h2port[$name]}" "$r" "${ppid[$name]}"
  done
done
# Global limits decide from leases: how many decisions needed Redis (read
# before the proxies stop).
rl_global_line=""
if [[ -n "${rl_global_admin:-}" ]]; then
  rl_global_line=$(curl -s "http://127.0.0.1:$rl_global_admin/metrics" | awk '
    /^archway_ratelimit_decisions_total\{where="local"\}/ { local_n = $2 }
    /^archway_ratelimit_decisions_total\{where="redis"\}/ { redis_n = $2 }
    END { if (local_n + redis_n > 0)
            printf "archway-rl-global: %d decisions from leases, %d through Redis (%.3f %% local)",
              local_n, redis_n, 100 * local_n / (local_n + redis_n) }')
fi
introspect_line=""
otlp_line=""
[[ -n "${otlp_spans_file:-}" ]] &&
  otlp_line="archway-observed: the OTLP sink got $(awk '{n += $1} END {print n + 0}' "$otlp_spans_file") span(s) in $(wc -l <"$otlp_spans_file") request(s) over the whole bench"
[[ -n "${introspect_calls_file:-}" ]] &&
  introspect_line="archway-introspect: the endpoint was asked $(wc -l <"$introspect_calls_file") time(s) in the whole run"
for name in "${started[@]}"; do
  kill "${ppid[$name]}" 2>/dev/null || true
  wait "${ppid[$name]}" 2>/dev/null || true
done

read -r load_end _ < /proc/loadavg
read -r -a m1 < <(core_ticks all)
steal=$(awk -v s=$((m1[1] - m0[1])) -v secs=$(($(date +%s) - t_start)) -v hz="$clk_tck" -v n="$ncpu" \
  'BEGIN {printf "%.1f", (secs > 0 ? s / hz / secs / n * 100 : 0)}')
echo
echo "machine: $ncpu CPUs; load average $load_start at the start, $load_end at the end; steal $steal %;" \
  "$([[ $BUSY == 1 ]] && echo "BUSY=1 (a CPU-bound loop on the proxy's core)" || echo "no added load")"

# --- report: medians, then ratios against Archway ---------------------------
awk -F'\t' -v runs="$RUNS" '
function median(key, col,    n, i, j, a, t) {
  n = split(vals[key, col], a, " ")
  for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
  return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
  key = $1 SUBSEP $2
  if (!(key in seen)) { seen[key] = 1; order[++k] = key }
  for (c = 4; c <= 14; c++) vals[key, c] = vals[key, c] (vals[key, c] == "" ? "" : " ") $c
  cpurun[$1, $2, $3] = $7
}
END {
  printf "\n%-9s %-6s %12s %10s %10s %14s %10s\n", "proxy", "proto", "req/s", "p50 ms", "p99 ms", "CPU us/req", "RSS MiB"
  for (i = 1; i <= k; i++) {
    split(order[i], kp, SUBSEP)
    rps[order[i]] = median(order[i], 4); p50 = median(order[i], 5); p99[order[i]] = median(order[i], 6)
    cpu[order[i]] = median(order[i], 7); rss[order[i]] = median(order[i], 8)
    printf "%-9s %-6s %12.0f %10.3f %10.3f %14.2f %10.1f\n", kp[1], kp[2], rps[order[i]], p50 / 1000, p99[order[i]] / 1000, cpu[order[i]], rss[order[i]] / 1024
  }
  printf "\nper request (medians): the proxy in user and system mode, its context switches\n"
  printf "(voluntary, involuntary), the load generator CPU per request (when it nears\n"
  printf "1e6 / req/s the client was the bottleneck), and the share of the proxy core\n"
  printf "that other work took during the runs\n"
  printf "%-12s %-6s %9s %9s %9s %9s %11s %11s\n", "proxy", "proto", "user us", "sys us", "vcs", "ivcs", "client us", "other %"
  for (i = 1; i <= k; i++) {
    split(order[i], kp, SUBSEP)
    printf "%-12s %-6s %9.2f %9.2f %9.3f %9.3f %11.2f %11.0f\n", kp[1], kp[2], median(order[i], 9), median(order[i], 10),
      median(order[i], 11), median(order[i], 12), median(order[i], 13), median(order[i], 14)
  }
  printf "\nArchway / peer (req/s: higher is better; CPU/req, p99, RSS: lower is better;\n"
  printf "paired: the median of the CPU/req ratios of runs taken back to back)\n"
  printf "%-9s %-6s %10s %10s %10s %10s %10s\n", "peer", "proto", "req/s", "CPU/req", "paired", "p99", "RSS"
  for (i = 1; i <= k; i++) {
    split(order[i], kp, SUBSEP)
    if (kp[1] == "archway") continue
    a = "archway" SUBSEP kp[2]
    if (!(a in rps)) continue
    pr = ""
    for (r = 1; r <= runs; r++) {
      if ((("archway", kp[2], r) in cpurun) && ((kp[1], kp[2], r) in cpurun) && cpurun[kp[1], kp[2], r] > 0)
        pr = pr (pr == "" ? "" : " ") cpurun["archway", kp[2], r] / cpurun[kp[1], kp[2], r]
    }
    vals["paired", kp[1] SUBSEP kp[2]] = pr
    printf "%-9s %-6s %10.2f %10.2f %10.2f %10.2f %10.2f\n", kp[1], kp[2],
      rps[a] / rps[order[i]], cpu[a] / cpu[order[i]], median("paired", kp[1] SUBSEP kp[2]),
      p99[a] / p99[order[i]], rss[a] / rss[order[i]]
  }
  # What a policy costs: the same build with the policy on, over without it.
  for (i = 1; i <= k; i++) {
    split(order[i], kp, SUBSEP)
    p = kp[1]
    if (p !~ /^archway-/ || !(("archway" SUBSEP kp[2]) in rps)) continue
    pr = ""
    for (r = 1; r <= runs; r++) {
      if ((("archway", kp[2], r) in cpurun) && ((p, kp[2], r) in cpurun) && cpurun["archway", kp[2], r] > 0)
        pr = pr (pr == "" ? "" : " ") cpurun[p, kp[2], r] / cpurun["archway", kp[2], r]
    }
    vals[p, kp[2]] = pr
    printf "%s / archway (%s): CPU/req paired %.3f\n", p, kp[2], median(p, kp[2])
  }
  # Observability on over off (bench/lib.sh archway-bare / archway-observed).
  for (i = 1; i <= k; i++) {
    split(order[i], kp, SUBSEP)
    o = "archway-observed" SUBSEP kp[2]; b = "archway-bare" SUBSEP kp[2]
    if (kp[1] != "archway-observed" || !(b in rps)) continue
    pr = ""
    for (r = 1; r <= runs; r++) {
      if ((("archway-observed", kp[2], r) in cpurun) && (("archway-bare", kp[2], r) in cpurun) && cpurun["archway-bare", kp[2], r] > 0)
        pr = pr (pr == "" ? "" : " ") cpurun["archway-observed", kp[2], r] / cpurun["archway-bare", kp[2], r]
    }
    vals["observed", kp[2]] = pr
    printf "archway-observed / archway-bare (%s): CPU/req paired %.3f (metrics + 1 %% tracing over neither)\n", kp[2], median("observed", kp[2])
  }
  # The two caches against each other, both answering hits (bench/lib.sh).
  for (i = 1; i <= k; i++) {
    split(order[i], kp, SUBSEP)
    a = "archway-cache" SUBSEP kp[2]; n = "nginx-cache" SUBSEP kp[2]
    if (kp[1] != "archway-cache" || !(n in rps)) continue
    pr = ""
    for (r = 1; r <= runs; r++) {
      if ((("archway-cache", kp[2], r) in cpurun) && (("nginx-cache", kp[2], r) in cpurun) && cpurun["nginx-cache", kp[2], r] > 0)
        pr = pr (pr == "" ? "" : " ") cpurun["archway-cache", kp[2], r] / cpurun["nginx-cache", kp[2], r]
    }
    vals["cache", kp[2]] = pr
    printf "archway-cache / nginx-cache (%s): req/s %.2f, CPU/req %.2f, paired %.3f\n", kp[2],
      rps[a] / rps[n], cpu[a] / cpu[n], median("cache", kp[2])
  }
}' "$results"
echo "bench: raw results in $results (kept only with BENCH_OUT set)" >&2
[[ -z "$rl_global_line" ]] || echo "$rl_global_line"
[[ -z "$introspect_line" ]] || echo "$introspect_line"
[[ -z "$otlp_line" ]] || echo "$otlp_line"


if $profile; then
  echo; echo "== syscalls and TCP segments per request (bench/profile.sh)"
  BUILD="$BUILD" PROXIES="$PROXIES" "$root/bench/profile.sh"
  echo; echo "== instructions per request (bench/instructions.sh)"
  BUILD="$BUILD" VARIANTS="archway nginx haproxy nghttpx" "$root/bench/instructions.sh"
fi

if $all; then
  route_bench=$(find "$BUILD" -name route_bench -type f -perm -u+x | head -1)
  if [[ -n "$route_bench" ]]; then
    echo; echo "== route table (bench/route)"; "$route_bench"
  else
    echo "bench: route_bench not built (ninja -C $BUILD route_bench)" >&2
  fi
  echo; echo "== controller (bench/controller)"; ARCHWAY_BUILD_DIR="$BUILD" "$root/bench/controller/run.sh"
fi
