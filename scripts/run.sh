#!/usr/bin/env bash
# `make run`: a whole Archway on this machine, on loopback. Starts a local
# control plane (scripts/cluster-up.sh .run/cluster), applies the CRD and the
# IngressClass, starts archway-proxy (listeners 8080/8443 from the
# controller's snapshot, admin on 9901) and archway-controller, two echo
# backends registered as Services + EndpointSlices (no kubelet runs), applies
# examples/, waits for Ready, shows curl lines and runs them once.
#
#   scripts/run.sh          # start; Ctrl-C stops everything
#   scripts/run.sh stop     # stop what a previous run left (by PID)
#
# Environment: BUILD (CMake build folder, default build), ARCHWAY_TOOLS_BIN.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
run="$repo/.run"
build="$repo/${BUILD:-build}"
pids="$run/pids"

stop() {
	# Our processes only: by PID file, and only if the command line still
	# names this .run folder (a stale PID may belong to someone else now).
	if [[ -d $pids ]]; then
		for f in "$pids"/*.pid; do
			[[ -e $f ]] || continue
			pid=$(cat "$f")
			if [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$run/"; then
				kill -TERM "$pid" 2>/dev/null || true
			fi
			rm -f "$f"
		done
		sleep 0.5
	fi
	if [[ -e $run/cluster/.archway-cluster ]]; then
		"$repo/scripts/cluster-down.sh" "$run/cluster" >/dev/null 2>&1 || true
	fi
}

if [[ ${1:-} == stop ]]; then
	# The foreground run.sh too, if one is still waiting for Ctrl-C.
	if [[ -e $run/run.pid ]]; then
		pid=$(cat "$run/run.pid")
		if [[ $pid != "$$" && -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "run.sh"; then
			kill -TERM "$pid" 2>/dev/null || true
		fi
		rm -f "$run/run.pid"
	fi
	stop
	echo "archway: stopped"
	exit 0
fi

for bin in "$build/proxy/archway-proxy" "$build/controller/archway-controller"; do
	[[ -x $bin ]] || { echo "run.sh: $bin missing; run 'make build' first" >&2; exit 1; }
done
tools=${ARCHWAY_TOOLS_BIN:-$("$repo/e2e/tools/ensure.sh" | tail -n1)}
export PATH="$tools:$PATH"
kubectl=(kubectl)

stop # a previous run killed with SIGKILL leaves PID files behind
mkdir -p "$run" "$pids"
echo $$ >"$run/run.pid"
sleeper=
trap 'echo; echo "archway: stopping"; [[ -n $sleeper ]] && kill "$sleeper" 2>/dev/null; stop; exit 0' INT TERM
trap 'stop' EXIT

echo "archway: starting the control plane (.run/cluster)"
export KUBECONFIG=$("$repo/scripts/cluster-up.sh" "$run/cluster" | tail -n1)

start() { # name, command...: background, logs in .run/NAME.log, PID file
	local name=$1
	shift
	"$@" >"$run/$name.log" 2>&1 &
	echo $! >"$pids/$name.pid"
}

echo "archway: building the echo backend"
(cd "$repo/e2e" && go build -o "$run/echo-backend" ./cmd/echo-backend)
for name in blue green; do
	rm -f "$run/$name.addr"
	start "$name" "$run/echo-backend" -name "$name" -listen 127.0.0.1:0 -ready-file "$run/$name.addr"
done

"${kubectl[@]}" apply -f "$repo/crds/apiroutes.archway.dev.yaml" >/dev/null
"${kubectl[@]}" wait --for=condition=Established --timeout=60s crd/apiroutes.archway.dev >/dev/null
"${kubectl[@]}" apply -f "$repo/examples/ingressclass.yaml" >/dev/null

start proxy "$build/proxy/archway-proxy" --admin-socket "$run/admin.sock" --admin-port 9901 \
	--state-dir "$run/proxy-state"
start controller "$build/controller/archway-controller" --kubeconfig "$KUBECONFIG" \
	--admin-socket "$run/admin.sock" --http-port 8080 --https-port 8443 \
	--publish-address 127.0.0.1 --identity "make-run" --debounce 50ms \
	--dev-endpoint-address 198.51.100.1=127.0.0.1

for name in blue green; do
	for _ in $(seq 100); do [[ -s $run/$name.addr ]] && break; sleep 0.1; done
	port=$(sed 's/.*://' "$run/$name.addr")
	"${kubectl[@]}" apply -f - >/dev/null <<YAML
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

"${kubectl[@]}" apply -f "$repo/examples/apiroute.yaml" -f "$repo/examples/ingress.yaml" >/dev/null
"${kubectl[@]}" wait --for=condition=Ready --timeout=60s apiroute/demo >/dev/null

cat <<TEXT

archway is running (logs in .run/*.log):
  control plane  KUBECONFIG=$KUBECONFIG
  proxy          http://127.0.0.1:8080  https://127.0.0.1:8443  admin http://127.0.0.1:9901/metrics
  controller     pushing to .run/admin.sock
  backends       blue $(cat "$run/blue.addr")  green $(cat "$run/green.addr")

$("${kubectl[@]}" get apiroutes,ingresses -A)

Try:
TEXT
tries=(
	"curl -s -H 'Host: api.localtest.me' http://127.0.0.1:8080/api/hello"
	"curl -s -H 'Host: api.localtest.me' http://127.0.0.1:8080/v1/orders/42"
	"curl -si -H 'Host: api.localtest.me' http://127.0.0.1:8080/old"
	"curl -s -H 'Host: www.localtest.me' http://127.0.0.1:8080/"
	"curl -s -H 'Host: anything.else' http://127.0.0.1:8080/"
)
for cmd in "${tries[@]}"; do
	echo "  \$ $cmd"
	eval "$cmd" | head -c 300 | sed 's/^/    /'
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
