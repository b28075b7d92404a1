#!/usr/bin/env bash
# Where each proxy's kernel time goes, per request: system calls by kind
# (`perf trace -s`, else `strace -c -f`) and TCP segments on loopback
# (`nstat`), over a fixed number of requests (h2load -n, HTTP/1.1 and h2c)
# against the bench's backend, every proxy set up as bench/run.sh sets it
# up. The counts do not depend on the machine's load the way CPU time does,
# though a tracer slows the proxy, so a busier loop may batch a little more
# per epoll_wait than without it. docs/benchmarks.md says how to read it.
#
# Usage: bench/profile.sh           (from `bench/run.sh --profile`; not part of `make test`)
# Env:   BUILD, N (requests per count, 20000), PROXIES ("archway nginx haproxy nghttpx"),
#        CONNS (32), STREAMS (10), BASELINE_BIN.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-${ARCHWAY_BUILD_DIR:-build}}
[[ $BUILD = /* ]] || BUILD="$root/$BUILD"
N=${N:-20000}
CONNS=${CONNS:-32}
STREAMS=${STREAMS:-10}
PROXIES=${PROXIES:-"archway nginx haproxy nghttpx"}
BASELINE_BIN=${BASELINE_BIN:-}
[[ -n $BASELINE_BIN && " $PROXIES " != *" baseline "* ]] && PROXIES="$PROXIES baseline"
archway_bin="$BUILD/proxy/archway-proxy"

tracer=perf
if ! perf trace -s -- true >/dev/null 2>&1; then
  command -v strace >/dev/null || { echo "profile: neither perf trace nor strace works: scripts/install-deps.sh --bench" >&2; exit 1; }
  tracer=strace
fi
for tool in h2load nginx nstat taskset; do
  command -v "$tool" >/dev/null || { echo "profile: $tool missing: run scripts/install-deps.sh --bench" >&2; exit 1; }
done

proxy_cpu=0 load_cpu=$(($(nproc) > 1 ? 1 : 0))
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
bench_workdir archway-profile
start_backend "$load_cpu" || exit 1

# All of a proxy's processes (nginx and nghttpx fork workers), comma-separated.
proc_list() { { echo "$1"; pgrep -P "$1" 2>/dev/null || true; } | paste -sd, -; }

# trace NAME PROTO PORT PID: prints "syscalls/req segments/req  name=calls/req ..."
trace() {
  local name=$1 proto=$2 p=$3 pid=$4 dir="$work/$1.$2" tpid load hdr=()
  mkdir -p "$dir"
  [[ -n "${load_header[$name]:-}" ]] && hdr=(-H "${load_header[$name]}")
  load=(h2load -c "$CONNS" -m "$STREAMS")
  [[ $proto == http1 ]] && load=(h2load --h1 -c "$CONNS")
  if [[ $tracer == perf ]]; then
    perf trace -s -p "$(proc_list "$pid")" -o "$dir/trace" 2>/dev/null &
  else
    local args=() q
    for q in $(proc_list "$pid" | tr , ' '); do
      for t in /proc/"$q"/task/*; do args+=(-p "${t##*/}"); done
    done
    strace -c -f -o "$dir/trace" "${args[@]}" 2>/dev/null &
  fi
  tpid=$!
  sleep 1 # the tracer attaches
  nstat -n >/dev/null
  taskset -c "$load_cpu" "${load[@]}" -n "$N" "${hdr[@]}" "http://127.0.0.1:$p/bench" >"$dir/load.out" 2>&1 || true
  nstat -z >"$dir/nstat" 2>/dev/null || true
  kill -INT "$tpid" 2>/dev/null || true
  wait "$tpid" 2>/dev/null || true
  grep -q "$N succeeded" "$dir/load.out" || echo "profile: $name $proto: $(grep -E '^requests:' "$dir/load.out")" >&2
  awk -v n="$N" -v tracer="$tracer" -v segs="$(awk '$1 == "TcpOutSegs" {print $2}' "$dir/nstat")" '
    tracer == "perf" && $2 ~ /^[0-9]+$/ && NF >= 8 { calls[$1] += $2; total += $2 }
    tracer == "strace" && $4 ~ /^[0-9]+$/ && $NF != "total" && $1 ~ /^[0-9.]+$/ { c = $4; calls[$NF] += c; total += c }
    END {
      printf "%8.2f %8.2f  ", total / n, segs / n
      for (s in calls) if (calls[s] / n >= 0.01) printf " %s=%.2f", s, calls[s] / n
      printf "\n"
    }' "$dir/trace"
}

echo "profile: $N requests per count, tracer: $tracer; segments: all TCP segments sent on loopback (client, proxy, backend)"
printf '%-12s %-6s %8s %8s   %s\n' proxy proto "sys/req" "segs/req" "by kind (calls per request)"
for name in $PROXIES; do
  dir="$work/$name"
  mkdir -p "$dir"
  p1=$(port) p2=$(port)
  "start_$name" "$dir" "$p1" "$p2"
  pids+=("$proxy_pid")
  wait_port "$p1" 10 || { echo "profile: $name did not start: $(tail -5 "$dir/log")" >&2; continue; }
  h2=$p2
  same_port_h2c "$name" && h2=$p1
  h2load --h1 -c "$CONNS" -n 2000 "http://127.0.0.1:$p1/warm" >/dev/null 2>&1 || true
  printf '%-12s %-6s %s\n' "$name" http1 "$(trace "$name" http1 "$p1" "$proxy_pid")"
  printf '%-12s %-6s %s\n' "$name" h2c "$(trace "$name" h2c "$h2" "$proxy_pid")"
  kill "$proxy_pid" 2>/dev/null || true
  wait "$proxy_pid" 2>/dev/null || true
done
