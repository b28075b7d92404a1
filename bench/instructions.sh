#!/usr/bin/env bash
# Instructions per request of archway-proxy, counted by callgrind: a figure
# that does not move with the machine's load, for judging small changes
# (the chain's cost, a policy's cost) where CPU time per request on a shared
# machine drifts by ±10 % between runs (docs/benchmarks.md).
#
# Each variant runs under `valgrind --tool=callgrind --instr-atstart=no`
# with one worker; after a warm-up, instrumentation is switched on for exactly N
# requests (h2load, HTTP/1.1 and h2c) and off again, so start-up and
# shutdown are not counted. Variants: "archway" (this build, a plain route),
# "archway-origin" (the plain route, every request with an Origin field),
# "archway-cors" (the route with a CORS policy, every request from an allowed
# Origin), and "baseline" when BASELINE_BIN names an older binary (the plain
# route). What the CORS policy costs is archway-cors over archway-origin:
# the same bytes in, the policy's work and its three response fields extra.
# Likewise "archway-jwt" (auth.jwt on the route, every request with one
# valid token signed with JWT_ALG, default RS256: a verified-token cache
# hit) over "archway-bearer" (the plain route, the same Authorization field).
# "archway-rl-local" (a Local rate limit nothing exceeds) over "archway";
# "archway-apikey" (auth.apiKey, the right key) over "archway-keyheader"
# (the plain route, the same X-Api-Key field). "archway-cache" (a 10 s
# response cache: every counted request a hit) over "archway" and over
# "nginx-cache" (nginx's proxy_cache, as bench/run.sh sets it up).
# "archway-introspect" (auth.oauth2Introspection, one opaque token asked
# once of bench/introspection_endpoint.py, then cache hits) over
# "archway-opaque" (the plain route, the same Authorization field).
# "archway-bare" (no per-request metrics, no tracing), "archway-traced0"
# (metrics, and tracing on with sampling ratio 0: the unsampled path every
# request takes) and "archway-observed" (metrics and tracing at
# OBSERVED_RATIO, default 0.01, exported to bench/otlp_sink.py): what
# observability costs is each over "archway-bare"; the exporter thread is
# counted too.
# The peers can be counted the same way: variants "nginx", "haproxy" and
# "nghttpx", set up as bench/run.sh sets them up (every process of the
# proxy is counted; nginx and nghttpx run in their one-process modes).
#
# Usage: bench/instructions.sh            (not part of `make test`)
# Env:   BUILD (build dir; default build), N (requests per count, 20000),
#        BASELINE_BIN, VARIANTS (default "archway archway-origin archway-cors
#        [baseline]"; may add nginx haproxy nghttpx)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-${ARCHWAY_BUILD_DIR:-build}}
[[ $BUILD = /* ]] || BUILD="$root/$BUILD"
N=${N:-20000}
BASELINE_BIN=${BASELINE_BIN:-}
VARIANTS=${VARIANTS:-"archway archway-origin archway-cors${BASELINE_BIN:+ baseline}"}
for tool in valgrind callgrind_control h2load nginx haproxy nghttpx; do
  command -v "$tool" >/dev/null || { echo "instructions: $tool missing: run scripts/install-deps.sh --bench" >&2; exit 1; }
done

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
bench_workdir archway-instr
start_backend || exit 1

cors='"policies":{"cors":{"allowOrigins":["https://app.example.com","https://*.example.org"],"allowMethods":["GET","POST"],"allowHeaders":["x-token"],"exposeHeaders":["x-request-id"],"maxAge":"10m"}},'

# count VARIANT PROTO: prints instructions per request.
count() {
  local variant=$1 proto=$2 bin policies="" hdr=() p admin dir out pid ir flags=()
  bin="$BUILD/proxy/archway-proxy"
  [[ $variant == baseline ]] && bin=$BASELINE_BIN
  [[ $variant == archway-cors ]] && policies=$cors
  [[ $variant == archway-cors || $variant == archway-origin ]] && hdr=(-H "Origin: https://app.example.com")
  if [[ $variant == archway-introspect || $variant == archway-opaque ]]; then
    # An opaque token: the plain route gets the same field as the policy's.
    hdr=(-H "Authorization: Bearer bench-opaque-token-0123456789abcdef")
    if [[ $variant == archway-introspect ]]; then
      start_introspection_endpoint "$work" || return 1
      policies="$(introspect_policy "$introspect_port"),"
    fi
  elif [[ $variant == archway-jwt || $variant == archway-bearer ]]; then
    local token_out jwks
    token_out=$("$BUILD/bench/identity/jwt_bench" --emit "${JWT_ALG:-RS256}") || {
      echo "instructions: ninja -C $BUILD jwt_bench" >&2
      return 1
    }
    hdr=(-H "Authorization: Bearer $(sed -n 2p <<<"$token_out")")
    jwks=$(sed -n 1p <<<"$token_out" | python3 -c 'import json, sys; print(json.dumps(sys.stdin.read().strip()))')
    [[ $variant == archway-jwt ]] &&
      policies='"policies":{"auth":{"jwt":{"issuer":"https://id.example.com","audiences":["orders"],"jwks":'"$jwks"',"requiredScopes":["orders:read"]}}},'
  fi
  [[ $variant == archway-rl-local ]] &&
    policies='"policies":{"rateLimit":{"requests":1000000000,"period":"1m"}},'
  [[ $variant == archway-cache ]] &&
    policies='"policies":{"cache":{"ttl":"10s"}},'
  [[ $variant == archway-apikey || $variant == archway-keyheader ]] &&
    hdr=(-H "X-Api-Key: bench-key-0123456789abcdef")
  [[ $variant == archway-apikey ]] &&
    policies='"policies":{"auth":{"apiKey":{"header":"x-api-key","keys":[{"id":"bench","sha256":"'"$(printf %s bench-key-0123456789abcdef | sha256sum | cut -d' ' -f1)"'"}]}}},'
  dir="$work/$variant.$proto"
  mkdir -p "$dir"
  [[ $variant == archway-bare ]] && flags=(--no-request-metrics)
  [[ $variant == archway-traced0 ]] &&
    flags=(--otlp-endpoint "http://127.0.0.1:$(port)/v1/traces" --trace-sampling-ratio 0)
  if [[ $variant == archway-observed ]]; then
    local sport
    sport=$(port)
    python3 "$root/bench/otlp_sink.py" "$sport" "$dir/spans" >"$dir/sink.log" 2>&1 &
    pids+=($!)
    flags=(--otlp-endpoint "http://127.0.0.1:$sport/v1/traces"
      --trace-sampling-ratio "${OBSERVED_RATIO:-0.01}" --trace-batch-interval 1s)
  fi
  p=$(port) admin=$(port)
  cat >"$dir/snapshot.json" <<EOF
{"version":"instr","listeners":[{"name":"http","address":"127.0.0.1","port":$p,"tls":false}],
 "virtualHosts":[{"name":"bench","domains":["*"],"routes":[{"name":"all","routeName":"bench/all","ruleName":"all",$policies
   "matches":[{"path":{"type":"PathPrefix","value":"/"}}],"backends":[{"cluster":"backend","weight":1}]}]}],
 "clusters":[{"name":"backend","protocol":"HTTP","endpoints":[{"address":"127.0.0.1","port":$backend_port}]}]}
EOF
  out="$dir/callgrind.out"
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" \
    "$bin" --config "$dir/snapshot.json" --workers 1 --admin-address 127.0.0.1 --admin-port "$admin" \
    --admin-socket "$dir/admin.sock" --state-dir "$dir" --log-level warn --access-log off \
    "${flags[@]}" >"$dir/log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_port "$p" 60 || { echo "instructions: $variant did not start: $(tail -3 "$dir/log")" >&2; return 1; }
  local load=(h2load -c 8 -m 10)
  [[ $proto == http1 ]] && load=(h2load --h1 -c 8)
  "${load[@]}" -n 2000 "${hdr[@]}" "http://127.0.0.1:$p/warm" >/dev/null 2>&1 # pools, page faults
  callgrind_control -i on "$pid" >/dev/null 2>&1
  "${load[@]}" -n "$N" "${hdr[@]}" "http://127.0.0.1:$p/bench" >"$dir/load.out" 2>&1
  callgrind_control -i off "$pid" >/dev/null 2>&1
  grep -q "$N succeeded" "$dir/load.out" || { echo "instructions: $variant $proto: $(grep -E '^requests:' "$dir/load.out")" >&2; }
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  ir=$(awk '/^totals:/ {t = $2} END {print t + 0}' "$out")
  awk -v ir="$ir" -v n="$N" 'BEGIN {printf "%.0f", ir / n}'
}

# count_peer NAME PROTO: a peer under callgrind, its processes summed.
proxy_cpu=0 single_process=1
count_peer() {
  local name=$1 proto=$2 dir="$work/$1.$2" p1 p2 p pid ir q
  mkdir -p "$dir"
  p1=$(port) p2=$(port)
  proxy_wrap=(valgrind --tool=callgrind --instr-atstart=no "--callgrind-out-file=$dir/callgrind.out.%p")
  "start_$name" "$dir" "$p1" "$p2"
  unset proxy_wrap
  pid=$proxy_pid
  pids+=("$pid")
  p=$p2
  same_port_h2c "$name" && p=$p1
  wait_port "$p" 60 || { echo "instructions: $name did not start: $(tail -3 "$dir/log")" >&2; return 1; }
  local load=(h2load -c 8 -m 10)
  [[ $proto == http1 ]] && { load=(h2load --h1 -c 8); p=$p1; }
  "${load[@]}" -n 2000 "http://127.0.0.1:$p/warm" >/dev/null 2>&1
  for q in $pid $(pgrep -P "$pid"); do callgrind_control -i on "$q" >/dev/null 2>&1 || true; done
  "${load[@]}" -n "$N" "http://127.0.0.1:$p/bench" >"$dir/load.out" 2>&1
  for q in $pid $(pgrep -P "$pid"); do callgrind_control -i off "$q" >/dev/null 2>&1 || true; done
  grep -q "$N succeeded" "$dir/load.out" || { echo "instructions: $name $proto: $(grep -E '^requests:' "$dir/load.out")" >&2; }
  for q in $(pgrep -P "$pid"); do kill -TERM "$q" 2>/dev/null || true; done
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  sleep 1 # forked workers write their counts as they exit
  ir=$(cat "$dir"/callgrind.out.* | awk '/^totals:/ {t += $2} END {print t + 0}')
  awk -v ir="$ir" -v n="$N" 'BEGIN {printf "%.0f", ir / n}'
}

declare -A ipr
printf '%-13s %-6s %14s\n' variant proto "instr/request"
for v in $VARIANTS; do
  for proto in http1 h2c; do
    case $v in
    nginx | nginx-cache | haproxy | nghttpx) ipr[$v.$proto]=$(count_peer "$v" "$proto") ;;
    *) ipr[$v.$proto]=$(count "$v" "$proto") ;;
    esac
    printf '%-13s %-6s %14s\n' "$v" "$proto" "${ipr[$v.$proto]}"
  done
done
echo
for proto in http1 h2c; do
  [[ -n "${ipr[archway-jwt.$proto]:-}" && -n "${ipr[archway-bearer.$proto]:-}" ]] &&
    awk -v a="${ipr[archway-bearer.$proto]}" -v c="${ipr[archway-jwt.$proto]}" -v p=$proto \
      'BEGIN {printf "JWT (cache hit) on / off, same requests (%s): %.3f\n", p, c / a}'
  [[ -n "${ipr[archway-introspect.$proto]:-}" && -n "${ipr[archway-opaque.$proto]:-}" ]] &&
    awk -v a="${ipr[archway-opaque.$proto]}" -v c="${ipr[archway-introspect.$proto]}" -v p=$proto \
      'BEGIN {printf "introspection (cache hit) on / off, same requests (%s): %.3f\n", p, c / a}'
  [[ -n "${ipr[archway-cors.$proto]:-}" && -n "${ipr[archway-origin.$proto]:-}" ]] &&
    awk -v a="${ipr[archway-origin.$proto]}" -v c="${ipr[archway-cors.$proto]}" -v p=$proto \
      'BEGIN {printf "CORS on / off, same requests (%s): %.3f\n", p, c / a}'
  [[ -n "${ipr[archway-rl-local.$proto]:-}" && -n "${ipr[archway.$proto]:-}" ]] &&
    awk -v a="${ipr[archway.$proto]}" -v c="${ipr[archway-rl-local.$proto]}" -v p=$proto \
      'BEGIN {printf "Local rate limit on / off (%s): %.3f\n", p, c / a}'
  [[ -n "${ipr[archway-apikey.$proto]:-}" && -n "${ipr[archway-keyheader.$proto]:-}" ]] &&
    awk -v a="${ipr[archway-keyheader.$proto]}" -v c="${ipr[archway-apikey.$proto]}" -v p=$proto \
      'BEGIN {printf "API key on / off, same requests (%s): %.3f\n", p, c / a}'
  [[ -n "${ipr[archway-cache.$proto]:-}" && -n "${ipr[archway.$proto]:-}" ]] &&
    awk -v a="${ipr[archway.$proto]}" -v c="${ipr[archway-cache.$proto]}" -v p=$proto \
      'BEGIN {printf "cache hit / forwarded (%s): %.3f\n", p, c / a}'
  [[ -n "${ipr[archway-cache.$proto]:-}" && -n "${ipr[nginx-cache.$proto]:-}" ]] &&
    awk -v a="${ipr[nginx-cache.$proto]}" -v c="${ipr[archway-cache.$proto]}" -v p=$proto \
      'BEGIN {printf "archway-cache / nginx-cache hits (%s): %.3f\n", p, c / a}'
  for v in archway archway-traced0 archway-observed; do
    [[ -n "${ipr[$v.$proto]:-}" && -n "${ipr[archway-bare.$proto]:-}" ]] &&
      awk -v a="${ipr[archway-bare.$proto]}" -v c="${ipr[$v.$proto]}" -v p=$proto -v v=$v \
        'BEGIN {printf "%s / archway-bare (%s): %.3f\n", v, p, c / a}'
  done
  [[ -n "${ipr[baseline.$proto]:-}" ]] &&
    awk -v a="${ipr[archway.$proto]}" -v b="${ipr[baseline.$proto]}" -v p=$proto \
      'BEGIN {printf "this build / baseline (%s): %.3f\n", p, a / b}'
done
true  # the last check may not apply; the counts above are the result
