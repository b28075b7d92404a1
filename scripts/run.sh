#!/usr/bin/env bash
# `make run`: a whole Archway on this machine, on loopback. Starts a local
# control plane (scripts/cluster-up.sh .run/cluster), applies the CRD and the
# IngressClass, starts archway-proxy (listeners 8080/8443 from the
# controller's snapshot, admin on 9901) and archway-controller, two echo
# backends registered as Services + EndpointSlices (no kubelet runs), applies
# examples/, waits until the example routes answer, shows curl lines and runs
# them once. For examples/gateway.yaml it also starts Ory Hydra (built by
# e2e/tools/ensure.sh) with one OAuth2 client, orders-app, and an "orders"
# echo backend; its curl lines mint a token and spend a consumer's minute.
#
#   scripts/run.sh          # start; Ctrl-C stops everything
#   scripts/run.sh stop     # stop what a previous run left (by PID)
#
# Environment:
#   BUILD                CMake build folder, relative to the repository or absolute (default build)
#   ARCHWAY_TOOLS_BIN    tool binaries (default: e2e/tools/ensure.sh's output)
#   ARCHWAY_RUN_DIR      state, logs and PID files (default .run in the repository)
#   ARCHWAY_HTTP_PORT    proxy HTTP listener (default 8080)
#   ARCHWAY_HTTPS_PORT   proxy HTTPS listener (default 8443)
#   ARCHWAY_ADMIN_PORT   proxy admin port: /metrics, /readyz (default 9901)
#   ARCHWAY_HYDRA_PORT   Hydra's public port: tokens, JWKS (default 4444, as in examples/gateway.yaml)
#   ARCHWAY_HYDRA_ADMIN_PORT  Hydra's admin port (default 4445)
#   ARCHWAY_RUN_TIMEOUT  seconds to wait for each step (default 90)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
run=${ARCHWAY_RUN_DIR:-$repo/.run}
[[ $run == /* ]] || run=$PWD/$run
run=${run%/}
build=${BUILD:-build}
[[ $build == /* ]] || build=$repo/$build
pids="$run/pids"
http_port=${ARCHWAY_HTTP_PORT:-8080}
https_port=${ARCHWAY_HTTPS_PORT:-8443}
admin_port=${ARCHWAY_ADMIN_PORT:-9901}
hydra_port=${ARCHWAY_HYDRA_PORT:-4444}
hydra_admin_port=${ARCHWAY_HYDRA_ADMIN_PORT:-4445}
timeout=${ARCHWAY_RUN_TIMEOUT:-90}

say() { echo "archway: $*"; }
fail() {
	echo "run.sh: $*" >&2
	exit 1
}

# ours PID: alive and started for this run folder (a stale PID may belong
# to someone else now).
ours() {
	[[ $1 =~ ^[0-9]+$ && -r /proc/$1/cmdline ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$run/"
}

# Stops the processes named by PID files: SIGTERM, then SIGKILL after 10s,
# and returns once they are gone; then the control plane.
stop() {
	local f pid signalled=()
	if [[ -d $pids ]]; then
		for f in "$pids"/*.pid; do
			[[ -e $f ]] || continue
			pid=$(cat "$f")
			if ours "$pid"; then
				kill -TERM "$pid" 2>/dev/null || true
				signalled+=("$pid")
			fi
			rm -f "$f"
		done
	fi
	local deadline=$((SECONDS + 10))
	for pid in "${signalled[@]}"; do
		while ours "$pid"; do
			if ((SECONDS >= deadline)); then
				kill -KILL "$pid" 2>/dev/null || true
				sleep 0.1
				break
			fi
			sleep 0.1
		done
	done
	if [[ -e $run/cluster/.archway-cluster ]]; then
		"$repo/scripts/cluster-down.sh" "$run/cluster" >/dev/null 2>&1 || true
	fi
}

if [[ ${1:-} == stop ]]; then
	# The foreground run.sh first, if one is still waiting for Ctrl-C: it
	# stops its own processes. Two stops at once would race on the same
	# PID files, so this one waits for it and then clears what is left.
	if [[ -e $run/run.pid ]]; then
		pid=$(cat "$run/run.pid")
		if [[ $pid =~ ^[0-9]+$ && $pid != "$$" && -r /proc/$pid/cmdline ]] &&
			tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "run.sh"; then
			kill -TERM "$pid" 2>/dev/null || true
			deadline=$((SECONDS + 30))
			while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
		fi
		rm -f "$run/run.pid"
	fi
	stop
	say "stopped"
	exit 0
fi

for bin in "$build/proxy/archway-proxy" "$build/controller/archway-controller"; do
	[[ -x $bin ]] || fail "$bin missing; run 'make build' first"
done
tools=${ARCHWAY_TOOLS_BIN:-$("$repo/e2e/tools/ensure.sh" | tail -n1)}
export PATH="$tools:$PATH"
[[ -x $tools/hydra ]] || fail "$tools/hydra missing; run 'make tools' first"

stop # a previous run killed with SIGKILL leaves PID files behind
for port in "$http_port" "$https_port" "$admin_port" "$hydra_port" "$hydra_admin_port"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		fail "port $port on 127.0.0.1 is in use (set ARCHWAY_HTTP_PORT, ARCHWAY_HTTPS_PORT, ARCHWAY_ADMIN_PORT, ARCHWAY_HYDRA_PORT, ARCHWAY_HYDRA_ADMIN_PORT)"
	fi
done
mkdir -p "$run" "$pids"
echo $$ >"$run/run.pid"
sleeper=
trap 'echo; say "stopping"; [[ -n $sleeper ]] && kill "$sleeper" 2>/dev/null; stop; rm -f "$run/run.pid"; exit 0' INT TERM
trap 'stop' EXIT

say "starting the control plane ($run/cluster)"
KUBECONFIG=$("$repo/scripts/cluster-up.sh" "$run/cluster" | tail -n1)
export KUBECONFIG

start() { # name, command...: background, logs in $run/NAME.log, PID file
	local name=$1
	shift
	"$@" >"$run/$name.log" 2>&1 &
	echo $! >"$pids/$name.pid"
}

# alive NAME...: each process started here still runs; else shows its log.
alive() {
	local name
	for name; do
		if ! kill -0 "$(cat "$pids/$name.pid")" 2>/dev/null; then
			echo "run.sh: $name exited; last lines of $run/$name.log:" >&2
			tail -n 20 "$run/$name.log" >&2
			return 1
		fi
	done
}

# until_true WHAT CHECK...: runs CHECK every 0.2s until it succeeds, for at
# most $timeout seconds; fails naming WHAT, and the processes that died.
until_true() {
	local what=$1 deadline=$((SECONDS + timeout))
	shift
	until "$@"; do
		[[ -e $pids/proxy.pid ]] && { alive proxy controller || fail "$what: a process exited"; }
		((SECONDS < deadline)) || return 1
		sleep 0.2
	done
}

# condition_true OBJECT TYPE: the object's condition TYPE is "True".
# Not `kubectl wait --for=condition`: it fails instead of waiting when it
# reads an object whose .status.conditions is still null (a CRD just
# created), so its outcome depends on timing.
condition_true() {
	[[ $(kubectl get "$1" -o "jsonpath={.status.conditions[?(@.type==\"$2\")].status}" 2>/dev/null) == True ]]
}
wait_condition() { # OBJECT TYPE
	until_true "$1 $2" condition_true "$1" "$2" && return
	fail "$1 not $2=True after ${timeout}s; its status: $(kubectl get "$1" -o 'jsonpath={.status}' 2>&1)"
}

# answers HOST PATH: the proxy answers with a success or a redirect (not a
# 404 before the route is in the table, nor a 503 before its endpoints are).
answers() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -H "Host: $1" "http://127.0.0.1:$http_port$2") || return 1
	((code >= 200 && code < 400))
}

# Hydra first: its signing key takes seconds of CPU to make, which the
# steps below overlap. Linked into the run folder so that its command line
# names the folder, as stop() requires of what it ends.
say "starting Ory Hydra on 127.0.0.1:$hydra_port (tokens for examples/gateway.yaml)"
ln -sfn "$tools/hydra" "$run/hydra"
start hydra env DSN=memory URLS_SELF_ISSUER="http://127.0.0.1:$hydra_port" \
	SERVE_PUBLIC_HOST=127.0.0.1 SERVE_PUBLIC_PORT="$hydra_port" \
	SERVE_ADMIN_HOST=127.0.0.1 SERVE_ADMIN_PORT="$hydra_admin_port" \
	SECRETS_SYSTEM="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" STRATEGIES_ACCESS_TOKEN=jwt \
	SQA_OPT_OUT=true LOG_LEVEL=warn "$run/hydra" serve all --dev --sqa-opt-out

say "building the echo backend"
(cd "$repo/e2e" && go build -o "$run/echo-backend" ./cmd/echo-backend)
for name in blue green orders; do
	rm -f "$run/$name.addr"
	start "$name" "$run/echo-backend" -name "$name" -listen 127.0.0.1:0 -ready-file "$run/$name.addr"
done

say "installing the APIRoute and ReferenceGrant CRDs"
kubectl apply -f "$repo/crds/apiroutes.archway.dev.yaml" >/dev/null
kubectl apply -f "$repo/crds/referencegrants.archway.dev.yaml" >/dev/null
wait_condition crd/apiroutes.archway.dev Established
wait_condition crd/referencegrants.archway.dev Established
# Established is the API server's word; kubectl needs discovery to show the kind too.
until_true "APIRoute discovery" kubectl get apiroutes.archway.dev -A -o name >/dev/null 2>&1 ||
	fail "kubectl does not find apiroutes.archway.dev after ${timeout}s"
kubectl apply -f "$repo/examples/ingressclass.yaml" >/dev/null

say "starting archway-proxy and archway-controller"
start proxy "$build/proxy/archway-proxy" --admin-socket "$run/admin.sock" --admin-port "$admin_port" \
	--state-dir "$run/proxy-state"
start controller "$build/controller/archway-controller" --kubeconfig "$KUBECONFIG" \
	--admin-socket "$run/admin.sock" --http-port "$http_port" --https-port "$https_port" \
	--publish-address 127.0.0.1 --identity "make-run" --debounce 50ms \
	--dev-endpoint-address 198.51.100.1=127.0.0.1

for name in blue green orders; do
	until_true "$name backend" test -s "$run/$name.addr" || { alive "$name" || true; fail "$name backend not listening after ${timeout}s"; }
	port=$(sed 's/.*://' "$run/$name.addr")
	kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Service
metadata: {name: $name, namespace: default}
spec:
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: $name-1
  namespace: default
  labels: {kubernetes.io/service-name: $name}
addressType: IPv4
ports: [{name: http, port: $port, protocol: TCP}]
endpoints:
- addresses: ["198.51.100.1"] # mapped to 127.0.0.1 by --dev-endpoint-address
  conditions: {ready: true}
YAML
done

say "applying examples/ and waiting until they answer"
kubectl apply -f "$repo/examples/apiroute.yaml" -f "$repo/examples/ingress.yaml" >/dev/null
wait_condition apiroute/demo Ready
# Ready covers the APIRoute; the Ingress has no conditions, and a snapshot
# may hold the route before its endpoints: ask the proxy itself.
for probe in "api.localtest.me /api/hello" "api.localtest.me /v1/orders/42" "api.localtest.me /old" \
	"www.localtest.me /" "anything.else /"; do
	read -r host path <<<"$probe"
	until_true "$host$path" answers "$host" "$path" || fail "http://$host$path not answered after ${timeout}s; see $run/*.log"
done

say "registering an OAuth2 client with Hydra and applying examples/gateway.yaml"
hydra_ready() { curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$hydra_admin_port/health/ready"; }
# Hydra makes its signing key on the first JWKS request, and on a busy
# machine that can outlast the 10 s its handlers have to answer; the key is
# stored all the same (docs/e2e-identity.md), so ask until the set has one.
hydra_keys() { curl -s --max-time 30 "http://127.0.0.1:$hydra_port/.well-known/jwks.json" | grep -q '"kid"'; }
for check in hydra_ready hydra_keys; do
	until_true "Hydra" "$check" || { alive hydra || true; fail "Hydra not ready after ${timeout}s; see $run/hydra.log"; }
done
client_secret=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
register_client() { # ID: may ask for orders:read and orders:write, audience orders
	curl -sf --max-time 10 -o /dev/null -H 'Content-Type: application/json' \
		-d "{\"client_id\":\"$1\",\"client_secret\":\"$client_secret\",\"grant_types\":[\"client_credentials\"],
		     \"token_endpoint_auth_method\":\"client_secret_basic\",\"scope\":\"orders:read orders:write\",
		     \"audience\":[\"orders\"]}" "http://127.0.0.1:$hydra_admin_port/admin/clients"
}
# orders-app is the demo's consumer; the probe below has its own client so
# that orders-app starts with a whole minute of requests and a cold cache.
for client in orders-app archway-run-probe; do
	register_client "$client" || fail "Hydra refused to register the client $client; see $run/hydra.log"
done
kubectl apply -f "$repo/examples/gateway.yaml" >/dev/null
if [[ $hydra_port != 4444 ]]; then
	# The example names a default run's Hydra; point it at this one.
	kubectl patch apiroute gateway --type=json -p "[
		{\"op\":\"replace\",\"path\":\"/spec/rules/0/auth/jwt/issuer\",\"value\":\"http://127.0.0.1:$hydra_port\"},
		{\"op\":\"replace\",\"path\":\"/spec/rules/0/auth/jwt/jwksUri\",\"value\":\"http://127.0.0.1:$hydra_port/.well-known/jwks.json\"}]" >/dev/null
fi
wait_condition apiroute/gateway Ready
probe_token=$(curl -s --max-time 10 -u "archway-run-probe:$client_secret" -d grant_type=client_credentials \
	-d scope=orders:read -d audience=orders "http://127.0.0.1:$hydra_port/oauth2/token" |
	sed -nE 's/.*"access_token":"([^"]+)".*/\1/p')
[[ -n $probe_token ]] || fail "Hydra gave no token to archway-run-probe; see $run/hydra.log"
# 200 once the proxy has the route, the orders endpoints and Hydra's keys
# (the first request may wait for the key fetch: up to 6 s).
gateway_answers() {
	[[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 8 -H 'Host: gateway.localtest.me' \
		-H "Authorization: Bearer $probe_token" "http://127.0.0.1:$http_port/v1/orders/0") == 200 ]]
}
until_true "gateway.localtest.me/v1/orders/0" gateway_answers ||
	fail "http://gateway.localtest.me/v1/orders/0 not answered 200 with a token after ${timeout}s; see $run/*.log"

cat <<TEXT

archway is running (logs in $run/*.log):
  control plane  KUBECONFIG=$KUBECONFIG
  proxy          http://127.0.0.1:$http_port  https://127.0.0.1:$https_port  admin http://127.0.0.1:$admin_port/metrics
  controller     pushing to $run/admin.sock
  backends       blue $(cat "$run/blue.addr")  green $(cat "$run/green.addr")  orders $(cat "$run/orders.addr")
  Ory Hydra      http://127.0.0.1:$hydra_port (admin http://127.0.0.1:$hydra_admin_port), client orders-app, secret $client_secret

$(kubectl get apiroutes,ingresses -A)

Try:
TEXT
tries=(
	"curl -s -H 'Host: api.localtest.me' http://127.0.0.1:$http_port/api/hello"
	"curl -s -H 'Host: api.localtest.me' http://127.0.0.1:$http_port/v1/orders/42"
	"curl -si -H 'Host: api.localtest.me' 'http://127.0.0.1:$http_port/old?page=2'"
	"curl -s -H 'Host: www.localtest.me' http://127.0.0.1:$http_port/"
	"curl -s -H 'Host: anything.else' http://127.0.0.1:$http_port/"
)
for cmd in "${tries[@]}"; do
	echo "  \$ $cmd"
	eval "$cmd" | head -c 300 | sed 's/^/    /'
	echo
done

# The gateway: each line as a user would paste it, in this order (the
# calls with $TOKEN spend orders-app's minute, the last ones run out of it).
gw="-H 'Host: gateway.localtest.me'"
url="http://127.0.0.1:$http_port/v1/orders"
mint="curl -s -u orders-app:$client_secret -d grant_type=client_credentials -d audience=orders"
token_of="sed -nE 's/.*\"access_token\":\"([^\"]+)\".*/\\1/p'"
gateway_tries=(
	"$mint -d scope=orders:read http://127.0.0.1:$hydra_port/oauth2/token"
	"TOKEN=\$($mint -d scope=orders:read http://127.0.0.1:$hydra_port/oauth2/token | $token_of)"
	"curl -s -D - -o /dev/null $gw -H \"Authorization: Bearer \$TOKEN\" $url/123"
	"curl -s -D - -o /dev/null $gw -H \"Authorization: Bearer \$TOKEN\" $url/123"
	"curl -s $gw -H \"Authorization: Bearer \$TOKEN\" -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' $url/456 | grep -o '\"Traceparent\":[^]]*]'"
	"curl -s -D - $gw $url/123"
	"NOSCOPE=\$($mint -d scope=orders:write http://127.0.0.1:$hydra_port/oauth2/token | $token_of)"
	"curl -s -D - $gw -H \"Authorization: Bearer \$NOSCOPE\" $url/123"
	"curl -s -o /dev/null -w '%{http_code}\\n' $gw -H \"Authorization: Bearer \$TOKEN\" '$url/123?n=[1-61]' | sort | uniq -c"
	"curl -s -D - $gw -H \"Authorization: Bearer \$TOKEN\" $url/123"
)
echo "The gateway (examples/gateway.yaml, docs/gateway-example.md): a token from Hydra with"
echo "orders:read, 60 requests a minute per client, answers cached 10 s, traceparent forwarded:"
for cmd in "${gateway_tries[@]}"; do
	echo "  \$ $cmd"
	if [[ $cmd =~ ^[A-Z]+=\$\( ]]; then
		eval "$cmd" || true # an assignment for the lines after it: in this shell
	else
		{ eval "$cmd" || true; } | tr -d '\r' | head -c 400 | sed 's/^/    /'
	fi
	echo
done
echo
echo "Edit examples/*.yaml and 'kubectl apply -f examples/' (with KUBECONFIG above) to see changes live."
echo "Ctrl-C stops everything (or: scripts/run.sh stop)."
while true; do
	sleep 3600 &
	sleeper=$!
	wait "$sleeper" || true
done
