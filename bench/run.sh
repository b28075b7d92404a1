#!/usr/bin/env bash
# Archway against its peers (nginx, HAProxy, nghttpx), measured in the same
# run, on loopback, against the same fast backend (nginx answering a static
# `return 200`). Each proxy runs one worker pinned to CPU 0 (taskset); the
# load generator and the backend share CPU 1. For each proxy and protocol
# (HTTP/1.1 keep-alive with wrk, h2c with h2load) it takes RUNS runs of
# DURATION seconds and prints medians of: requests/s, p50 and p99 latency,
# proxy CPU time per request (utime+stime of the proxy's processes from
# /proc/PID/stat over the run, divided by the requests it served) and the
# proxy's RSS at the end; then Archway's ratio to each peer.
# docs/benchmarks.md says how to read it.
#
# Usage: bench/run.sh [--quick] [--all]   (run by `make bench`, never by `make test`)
#        --all also runs the route-table benchmark (bench/route, built as
#        route_bench) and the controller benchmark (bench/controller/run.sh).
# Env:   BUILD (build dir; else ARCHWAY_BUILD_DIR, else build), RUNS (3), DURATION (s, 8),
#        CONNS (wrk/h2load connections, 32), STREAMS (h2 streams per conn, 10),
#        PROXIES ("archway nginx haproxy nghttpx"), BENCH_OUT (keep results here),
#        BASELINE_BIN (an older archway-proxy binary: adds a "baseline" proxy, so
#        a change is measured against the build before it in the same run).
#        PROXIES may also name "archway-cors": the same build with a CORS policy
#        on the route, loaded with an allowed Origin header, so the ratio
#        archway-cors / archway is what turning CORS on costs.
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
all=false
for arg in "$@"; do
  case $arg in
  --quick) RUNS=1 DURATION=3 ;;
  --all) all=true ;;
  *) echo "usage: bench/run.sh [--quick] [--all]" >&2; exit 2 ;;
  esac
done

die() { echo "bench: $*" >&2; exit 1; }
for tool in wrk h2load nginx haproxy nghttpx taskset; do
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

work=${BENCH_OUT:-$(mktemp -d -t archway-bench.XXXXXX)}
mkdir -p "$work"
chmod 755 "$work" # nginx workers run as an unprivileged user
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  [[ -n "${BENCH_OUT:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
backend_port=$(port)

# --- backend: nginx, `return 200`, on the load generator's CPU ------------
mkdir -p "$work/backend"
write_backend_conf "$work/backend" "$backend_port"
taskset -c "$load_cpu" nginx -e "$work/backend/error.log" -c "$work/backend/nginx.conf" -p "$work/backend" 2>"$work/backend/stderr" &
pids+=($!)
wait_port "$backend_port" 5 || die "backend nginx did not start: $(cat "$work/backend/stderr")"

# --- the proxies -----------------------------------------------------------
# start_<proxy> DIR H1PORT H2PORT: starts it pinned, sets proxy_pid.
start_archway() {
  start_archway_binary "$archway_bin" "$@"
}

start_baseline() {
  start_archway_binary "$BASELINE_BIN" "$@"
}

start_archway-cors() {
  policies=',"policies":{"cors":{"allowOrigins":["https://app.example.com","https://*.example.org"],"allowMethods":["GET","POST"],"allowHeaders":["x-token"],"exposeHeaders":["x-request-id"],"maxAge":"10m"}}' \
    start_archway_binary "$archway_bin" "$@"
}
# The load for archway-cors carries an allowed Origin, so every response
# takes the policy's actual-request path.
declare -A load_header=([archway-cors]="Origin: https://app.example.com")

# start_archway_binary BIN DIR H1PORT: the same snapshot and flags for both builds.
start_archway_binary() {
  local bin=$1 dir=$2 p1=$3 admin
  admin=$(port)
  cat >"$dir/snapshot.json" <<EOF
{"version":"bench","listeners":[{"name":"http","address":"127.0.0.1","port":$p1,"tls":false}],
 "virtualHosts":[{"name":"bench","domains":["*"],"routes":[{"name":"all","routeName":"bench/all","ruleName":"all",
   "matches":[{"path":{"type":"PathPrefix","value":"/"}}],"backends":[{"cluster":"backend","weight":1}]${policies:-}}]}],
 "clusters":[{"name":"backend","protocol":"HTTP","endpoints":[{"address":"127.0.0.1","port":$backend_port}]}]}
EOF
  taskset -c "$proxy_cpu" "$bin" --config "$dir/snapshot.json" --workers 1 \
    --admin-address 127.0.0.1 --admin-port "$admin" --admin-socket "$dir/admin.sock" \
    --state-dir "$dir" --log-level warn --access-log off >"$dir/log" 2>&1 &
  proxy_pid=$!
}

start_nginx() {
  local dir=$1 p1=$2 p2=$3
  cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $dir; proxy_temp_path $dir; fastcgi_temp_path $dir;
  uwsgi_temp_path $dir; scgi_temp_path $dir;
  upstream backend { server 127.0.0.1:$backend_port; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$p1;
    listen 127.0.0.1:$p2 http2;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
EOF
  taskset -c "$proxy_cpu" nginx -e "$dir/error.log" -c "$dir/nginx.conf" -p "$dir" >"$dir/log" 2>&1 &
  proxy_pid=$!
}

start_haproxy() {
  local dir=$1 p1=$2 p2=$3
  cat >"$dir/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 8192
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option forwardfor
  http-reuse always
frontend h1
  bind 127.0.0.1:$p1
  default_backend be
frontend h2
  bind 127.0.0.1:$p2 proto h2
  default_backend be
backend be
  server s1 127.0.0.1:$backend_port
EOF
  taskset -c "$proxy_cpu" haproxy -db -f "$dir/haproxy.cfg" >"$dir/log" 2>&1 &
  proxy_pid=$!
}

start_nghttpx() {
  local dir=$1 p1=$2
  taskset -c "$proxy_cpu" nghttpx --workers=1 --frontend="127.0.0.1,$p1;no-tls" \
    --backend="127.0.0.1,$backend_port" --accesslog-file=/dev/null --errorlog-file="$dir/error.log" \
    --pid-file="$dir/nghttpx.pid" --conf=/dev/null --no-server-rewrite --add-x-forwarded-for \
    >"$dir/log" 2>&1 &
  proxy_pid=$!
}

# The proxy's processes: the one started and its children (nginx and
# nghttpx fork workers).
tree_pids() { echo "$1"; pgrep -P "$1" 2>/dev/null || true; }
cpu_ticks() { # sum of utime+stime over the tree
  local t=0 p f
  for p in $(tree_pids "$1"); do
    f=$(cut -d')' -f2 "/proc/$p/stat" 2>/dev/null) || continue
    set -- $f
    t=$((t + ${12} + ${13})) # fields 14 and 15 of stat: utime, stime
  done
  echo "$t"
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

results="$work/results.tsv" # proxy proto run rps p50_us p99_us cpu_us_per_req rss_kib
: >"$results"

# measure PROXY PROTO PORT RUN PID
measure() {
  local name=$1 proto=$2 p=$3 run=$4 pid=$5 out t0 t1 reqs rps p50 p99 cpu rss
  local hdr=()
  [[ -n "${load_header[$name]:-}" ]] && hdr=(-H "${load_header[$name]}")
  out="$work/$name.$proto.$run.out"
  t0=$(cpu_ticks "$pid")
  if [[ $proto == http1 ]]; then
    taskset -c "$load_cpu" wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "${hdr[@]}" "http://127.0.0.1:$p/bench" >"$out" 2>&1
    t1=$(cpu_ticks "$pid")
    reqs=$(awk '/requests in/ {print $1}' "$out")
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
    p50=$(to_us "$(awk '$1 == "50%" {print $2}' "$out")")
    p99=$(to_us "$(awk '$1 == "99%" {print $2}' "$out")")
    if grep -q "Non-2xx" "$out"; then echo "bench: $name $proto: non-2xx answers" >&2; reqs=0; fi
  else
    taskset -c "$load_cpu" h2load -c"$CONNS" -m"$STREAMS" -D"$DURATION" "${hdr[@]}" \
      --log-file="$out.log" "http://127.0.0.1:$p/bench" >"$out" 2>&1 || true
    t1=$(cpu_ticks "$pid")
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
  cpu=$(awk -v d=$((t1 - t0)) -v n="$reqs" -v hz="$clk_tck" 'BEGIN {printf "%.2f", d * 1e6 / hz / n}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$proto" "$run" "$rps" "$p50" "$p99" "$cpu" "$rss" >>"$results"
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
  [[ $name == archway || $name == archway-cors || $name == baseline || $name == nghttpx ]] && h2port[$name]=$p1 # h2c by prior knowledge on the same port
  started+=("$name")
done
for name in "${started[@]}"; do
  # Warm-up: connections, pools, page faults.
  taskset -c "$load_cpu" wrk -t1 -c"$CONNS" -d1s "http://127.0.0.1:${h1port[$name]}/warm" >/dev/null 2>&1 || true
done
for ((r = 1; r <= RUNS; r++)); do
  for name in "${started[@]}"; do
    measure "$name" http1 "${h1port[$name]}" "$r" "${ppid[$name]}"
    measure "$name" h2c "${h2port[$name]}" "$r" "${ppid[$name]}"
  done
done
for name in "${started[@]}"; do
  kill "${ppid[$name]}" 2>/dev/null || true
  wait "${ppid[$name]}" 2>/dev/null || true
done

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
  for (c = 4; c <= 8; c++) vals[key, c] = vals[key, c] (vals[key, c] == "" ? "" : " ") $c
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
    if (kp[1] != "archway-cors" || !(("archway" SUBSEP kp[2]) in rps)) continue
    pr = ""
    for (r = 1; r <= runs; r++) {
      if ((("archway", kp[2], r) in cpurun) && (("archway-cors", kp[2], r) in cpurun) && cpurun["archway", kp[2], r] > 0)
        pr = pr (pr == "" ? "" : " ") cpurun["archway-cors", kp[2], r] / cpurun["archway", kp[2], r]
    }
    vals["cors", kp[2]] = pr
    printf "CORS on / off (%s): CPU/req paired %.3f\n", kp[2], median("cors", kp[2])
  }
}' "$results"
echo "bench: raw results in $results (kept only with BENCH_OUT set)" >&2

if $all; then
  route_bench=$(find "$BUILD" -name route_bench -type f -perm -u+x | head -1)
  if [[ -n "$route_bench" ]]; then
    echo; echo "== route table (bench/route)"; "$route_bench"
  else
    echo "bench: route_bench not built (ninja -C $BUILD route_bench)" >&2
  fi
  echo; echo "== controller (bench/controller)"; ARCHWAY_BUILD_DIR="$BUILD" "$root/bench/controller/run.sh"
fi
