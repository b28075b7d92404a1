# Shared by bench/run.sh, bench/profile.sh and bench/instructions.sh
# (sourced, not run).

# bench_workdir PREFIX [KEEP_DIR]: sets `work` (KEEP_DIR if given, else a new
# temporary folder), `pids` (processes to stop) and an EXIT trap that stops
# them and removes a temporary folder unless KEEP is set.
bench_workdir() {
  work=${2:-$(mktemp -d -t "$1.XXXXXX")}
  keep_work=${2:+1}
  [[ -n "${KEEP:-}" ]] && keep_work=1
  mkdir -p "$work"
  chmod 755 "$work" # nginx workers run as an unprivileged user
  pids=()
  trap bench_cleanup EXIT
}
bench_cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  [[ -n "${keep_work:-}" ]] || rm -rf "$work"
}

# start_backend [CPU]: the backend nginx (write_backend_conf) in $work/backend,
# pinned to CPU when given; sets backend_port; returns 1 if it did not start.
start_backend() {
  local pin=()
  [[ -n "${1:-}" ]] && pin=(taskset -c "$1")
  backend_port=$(port)
  mkdir -p "$work/backend"
  write_backend_conf "$work/backend" "$backend_port"
  "${pin[@]}" nginx -e "$work/backend/error.log" -c "$work/backend/nginx.conf" -p "$work/backend" \
    2>"$work/backend/stderr" &
  pids+=($!)
  wait_port "$backend_port" 5 || { echo "bench: backend nginx did not start: $(cat "$work/backend/stderr")" >&2; return 1; }
}

# A free loopback port.
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
  shuf -i 20000-60000 -n 1; }

wait_port() { # port, seconds
  local i
  for ((i = 0; i < $2 * 20; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# nginx_conf_head DIR: what every nginx here starts with (one worker, no
# access log, endless keep-alive, its files in DIR), up to inside `http {`.
nginx_conf_head() {
  local dir=$1
  cat <<CONF
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
CONF
}

# write_backend_conf DIR PORT: the backend every proxy is measured against,
# nginx with one worker answering `return 200` (23 bytes).
write_backend_conf() {
  local dir=$1 p=$2
  cat >"$dir/nginx.conf" <<CONF
$(nginx_conf_head "$dir")
  server {
    listen 127.0.0.1:$p;
    location / { return 200 "hello from the backend\n"; }
    location = /json { default_type application/json; return 200 '{"id":7,"user_name":"ada","internal":true,"items":[1,2,3]}'; }
  }
}
CONF
}

# --- the proxies, one start function each, shared by run.sh and profile.sh.
# They read: proxy_cpu, backend_port, archway_bin, BASELINE_BIN, and
# proxy_wrap (an array, may be unset: a command the proxy runs under, such
# as valgrind, for bench/instructions.sh), and single_process (1: nginx and
# nghttpx in their one-process debugging modes, which do the same work per
# request in one process that callgrind_control can reach).
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
declare -A load_header=([archway-cors]="Origin: https://app.example.com"
  [archway-apikey]="X-Api-Key: bench-key-0123456789abcdef"
  [archway-introspect]="Authorization: Bearer bench-opaque-token-0123456789abcdef")

# archway-jwt: the same build with auth.jwt on the route (the key set inline,
# as the controller puts a jwksSecretRef), every request carrying one valid
# token signed with JWT_ALG (RS256 by default; ES256, EdDSA, PS256, ES384):
# after the first request, each one is a verified-token cache hit. Keys and
# token come from bench/identity's jwt_bench (`ninja -C build jwt_bench`).
start_archway-jwt() {
  local bench out jwks
  bench=$(dirname "$archway_bin")/../bench/identity/jwt_bench
  [[ -x $bench ]] || { echo "bench: $bench missing: ninja -C $(dirname "$(dirname "$archway_bin")") jwt_bench" >&2; return 1; }
  out=$("$bench" --emit "${JWT_ALG:-RS256}") || return 1
  jwks=$(sed -n 1p <<<"$out" | python3 -c 'import json, sys; print(json.dumps(sys.stdin.read().strip()))')
  load_header[archway-jwt]="Authorization: Bearer $(sed -n 2p <<<"$out")"
  policies=',"policies":{"auth":{"jwt":{"issuer":"https://id.example.com","audiences":["orders"],"jwks":'"$jwks"',"requiredScopes":["orders:read"]}}}' \
    start_archway_binary "$archway_bin" "$@"
}

# archway-apikey: auth.apiKey on the route (one key id, the digest of the key
# every request sends in X-Api-Key): a digest and a constant-time compare.
start_archway-apikey() {
  local digest
  digest=$(printf %s bench-key-0123456789abcdef | sha256sum | cut -d' ' -f1)
  policies=',"policies":{"auth":{"apiKey":{"header":"x-api-key","keys":[{"id":"bench","sha256":"'"$digest"'"}]}}}' \
    start_archway_binary "$archway_bin" "$@"
}

# archway-introspect: auth.oauth2Introspection on the route, every request
# with one opaque token; the endpoint (bench/introspection_endpoint.py on
# loopback, pinned beside the backend) is asked once, then every request is
# a cache hit. What it costs is archway-introspect over archway (run.sh) or
# over archway-opaque (instructions.sh: the plain route, the same field).
introspect_policy() { # endpoint port
  printf '%s' '"policies":{"auth":{"oauth2Introspection":{"endpoint":"http://127.0.0.1:'"$1"'/introspect","clientId":"bench","clientSecret":"bench-secret","requiredScopes":["orders:read"],"cacheTtl":"1h"}}}'
}
# start_introspection_endpoint DIR: sets introspect_port; calls in DIR/calls.
start_introspection_endpoint() {
  introspect_port=$(port)
  : >"$1/calls"
  taskset -c "${load_cpu:-0}" python3 "$root/bench/introspection_endpoint.py" "$introspect_port" \
    "$1/calls" >"$1/endpoint.log" 2>&1 &
  pids+=($!)
  wait_port "$introspect_port" 5 || { echo "bench: introspection endpoint did not start" >&2; return 1; }
}
start_archway-introspect() {
  local dir=$1
  start_introspection_endpoint "$dir" || return 1
  policies=",$(introspect_policy "$introspect_port")" start_archway_binary "$archway_bin" "$@"
  introspect_calls_file=$dir/calls # run.sh prints how often it was asked
}

# archway-rl-local / archway-rl-global: rateLimit on the route, so large
# that nothing is refused (what counting costs, not refusing): 10^9 per
# minute per client. Global runs its own redis-server on loopback, pinned
# beside the backend, and the proxy leases from it.
start_archway-rl-local() {
  policies=',"policies":{"rateLimit":{"requests":1000000000,"period":"1m"}}' \
    start_archway_binary "$archway_bin" "$@"
}
start_archway-rl-global() {
  local dir=$1 rport i
  rport=$(port)
  taskset -c "${load_cpu:-0}" redis-server --port "$rport" --bind 127.0.0.1 --save "" \
    --appendonly no >"$dir/redis.log" 2>&1 &
  pids+=($!)
  for i in $(seq 50); do
    redis-cli -p "$rport" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  policies=',"policies":{"rateLimit":{"requests":1000000000,"period":"1m","scope":"Global"}}' \
    archway_flags="--redis-address 127.0.0.1:$rport" start_archway_binary "$archway_bin" "$@"
  rl_global_admin=$archway_admin_port # run.sh prints its decisions at the end
}

# archway-json / archway-bodymap: the backend's JSON answer (/json) through
# the plain route, and through one that maps both bodies (docs/transform.md):
# every response is buffered, parsed, mapped by four operations and
# written again; the GETs have no request body. Their ratio is what body
# mapping costs.
declare -A load_path=([archway-json]=/json [archway-bodymap]=/json)
start_archway-json() {
  start_archway_binary "$archway_bin" "$@"
}
start_archway-bodymap() {
  local ops='[{"op":"Move","from":"/user_name","path":"/userName"},{"op":"Remove","path":"/internal"},{"op":"Set","path":"/meta/via","value":"archway"},{"op":"Wrap","key":"data"}]'
  policies=',"policies":{"requestBody":{"operations":'"$ops"'},"responseBody":{"operations":'"$ops"'}}' \
    start_archway_binary "$archway_bin" "$@"
}

# archway-resilient: the plain route with retries (2 attempts on
# connect-failure, reset and gateway-error, the default 20 % budget) and a
# circuit breaker with outlier detection whose limits are never reached,
# on a healthy backend: what their bookkeeping costs on every request
# (budget and breaker counts, the replay check, the outlier record).
start_archway-resilient() {
  policies=',"policies":{"retries":{"attempts":2,"retryOn":["connect-failure","reset","gateway-error"],"backoff":{"base":"25ms","max":"250ms"}},"circuitBreaker":{"maxConnections":100000,"maxPendingRequests":100000,"maxRequests":100000,"consecutive5xx":5,"baseEjectionTime":"30s"}}' \
    start_archway_binary "$archway_bin" "$@"
}

# archway-bare / archway-observed: what observability costs. archway-bare
# counts nothing per request (--no-request-metrics) and traces nothing;
# archway-observed keeps metrics on and traces 1 % of the requests (the
# load carries no traceparent, so the ratio decides), exporting OTLP/HTTP
# to a stand-in collector pinned beside the backend (bench/otlp_sink.py).
# The plain "archway" has metrics on and tracing off.
start_archway-bare() {
  archway_flags="--no-request-metrics" start_archway_binary "$archway_bin" "$@"
}
start_archway-observed() {
  local dir=$1 sport
  sport=$(port)
  : >"$dir/spans"
  taskset -c "${load_cpu:-0}" python3 "$root/bench/otlp_sink.py" "$sport" "$dir/spans" \
    >"$dir/sink.log" 2>&1 &
  pids+=($!)
  wait_port "$sport" 5 || { echo "bench: OTLP sink did not start" >&2; return 1; }
  archway_flags="--otlp-endpoint http://127.0.0.1:$sport/v1/traces --trace-sampling-ratio ${OBSERVED_RATIO:-0.01} --trace-batch-interval 1s" \
    start_archway_binary "$archway_bin" "$@"
  otlp_spans_file=$dir/spans # run.sh prints how many spans reached the sink
}

# archway-cache / nginx-cache: the same route with a 10 s response cache, so
# after the first request every one is a hit (docs/cache.md). nginx keeps
# its cache in a folder of the bench's temporary dir, with proxy_cache_lock
# on (its coalescing of misses) and proxy_cache_valid 200 10s; Archway keeps
# its in memory (--cache-max-bytes, 64 MiB by default). The backend says
# nothing about caching, so both use their 10 s.
start_archway-cache() {
  policies=',"policies":{"cache":{"ttl":"10s"}}' start_archway_binary "$archway_bin" "$@"
}
start_nginx-cache() {
  local dir=$1
  mkdir -p "$dir/cache"
  nginx_http_extra="proxy_cache_path $dir/cache levels=1:2 keys_zone=bench:10m max_size=64m inactive=60s use_temp_path=off;" \
    nginx_location_extra="proxy_cache bench; proxy_cache_lock on; proxy_cache_valid 200 10s;" \
    start_nginx "$@"
}

# start_archway_binary BIN DIR H1PORT: the same snapshot and flags for both builds.
start_archway_binary() {
  local bin=$1 dir=$2 p1=$3 admin
  admin=$(port)
  archway_admin_port=$admin
  cat >"$dir/snapshot.json" <<EOF
{"version":"bench","listeners":[{"name":"http","address":"127.0.0.1","port":$p1,"tls":false}],
 "virtualHosts":[{"name":"bench","domains":["*"],"routes":[{"name":"all","routeName":"bench/all","ruleName":"all",
   "matches":[{"path":{"type":"PathPrefix","value":"/"}}],"backends":[{"cluster":"backend","weight":1}]${policies:-}}]}],
 "clusters":[{"name":"backend","protocol":"HTTP","endpoints":[{"address":"127.0.0.1","port":$backend_port}]}]}
EOF
  taskset -c "$proxy_cpu" ${proxy_wrap[@]+"${proxy_wrap[@]}"} "$bin" --config "$dir/snapshot.json" --workers 1 \
    --admin-address 127.0.0.1 --admin-port "$admin" --admin-socket "$dir/admin.sock" \
    --state-dir "$dir" --log-level warn --access-log off ${archway_flags:-} >"$dir/log" 2>&1 &
  proxy_pid=$!
}

start_nginx() {
  local dir=$1 p1=$2 p2=$3
  cat >"$dir/nginx.conf" <<EOF
$([[ ${single_process:-0} == 1 ]] && echo "master_process off;")
$(nginx_conf_head "$dir")
  upstream backend { server 127.0.0.1:$backend_port; keepalive 64; keepalive_requests 1000000; }
  ${nginx_http_extra:-}
  server {
    listen 127.0.0.1:$p1;
    listen 127.0.0.1:$p2 http2;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      ${nginx_location_extra:-}
    }
  }
}
EOF
  taskset -c "$proxy_cpu" ${proxy_wrap[@]+"${proxy_wrap[@]}"} nginx -e "$dir/error.log" -c "$dir/nginx.conf" -p "$dir" >"$dir/log" 2>&1 &
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
  taskset -c "$proxy_cpu" ${proxy_wrap[@]+"${proxy_wrap[@]}"} haproxy -db -f "$dir/haproxy.cfg" >"$dir/log" 2>&1 &
  proxy_pid=$!
}

start_nghttpx() {
  local dir=$1 p1=$2
  taskset -c "$proxy_cpu" ${proxy_wrap[@]+"${proxy_wrap[@]}"} nghttpx --workers=1 --frontend="127.0.0.1,$p1;no-tls" \
    --backend="127.0.0.1,$backend_port" --accesslog-file=/dev/null --errorlog-file="$dir/error.log" \
    --pid-file="$dir/nghttpx.pid" --conf=/dev/null --no-server-rewrite --add-x-forwarded-for $([[ ${single_process:-0} == 1 ]] && echo --single-process) \
    >"$dir/log" 2>&1 &
  proxy_pid=$!
}

# Whether NAME serves h2c (prior knowledge) on its HTTP/1.1 port; nginx and
# HAProxy take it on a second port.
same_port_h2c() { [[ $1 == archway || $1 == archway-* || $1 == baseline || $1 == nghttpx ]]; }
