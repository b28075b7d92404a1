#!/usr/bin/env bash
# Starts a Kubernetes control plane on loopback for development (`make run`):
# etcd, kube-apiserver (RBAC, service-account tokens) and, unless
# ARCHWAY_CLUSTER_CONTROLLER_MANAGER=0, kube-controller-manager. There are no
# nodes: nothing schedules or runs Pods.
#
#   scripts/cluster-up.sh DIR      # DIR must not hold a running control plane
#   export KUBECONFIG=DIR/kubeconfig
#   scripts/cluster-down.sh DIR    # kills the daemons by PID, removes DIR
#
# DIR receives the CA and certs (openssl), the etcd data, one log and one PID
# file per daemon, and an admin kubeconfig (client cert in system:masters).
# The last line of stdout is the kubeconfig's path.
#
# Environment:
#   ARCHWAY_TOOLS_BIN                   tool binaries (default: e2e/tools/ensure.sh's output)
#   ARCHWAY_CLUSTER_CONTROLLER_MANAGER  1 (default) or 0
#   ARCHWAY_CLUSTER_TIMEOUT             seconds to wait for each daemon (default 90)
set -euo pipefail

if [[ $# -ne 1 || -z $1 ]]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$1"
dir=$(cd "$1" && pwd)
timeout=${ARCHWAY_CLUSTER_TIMEOUT:-90}
with_kcm=${ARCHWAY_CLUSTER_CONTROLLER_MANAGER:-1}

for f in "$dir"/*.pid; do
	[[ -e $f ]] || continue
	if kill -0 "$(cat "$f")" 2>/dev/null; then
		echo "cluster-up: $dir already runs $(basename "$f" .pid) (pid $(cat "$f")); run scripts/cluster-down.sh $dir first" >&2
		exit 1
	fi
done

bin=${ARCHWAY_TOOLS_BIN:-}
if [[ -z $bin ]]; then
	bin=$("$repo/e2e/tools/ensure.sh" | tail -n1)
fi
for t in etcd kube-apiserver kube-controller-manager kubectl; do
	[[ -x $bin/$t ]] || { echo "cluster-up: $bin/$t missing (run e2e/tools/ensure.sh)" >&2; exit 1; }
done

# cluster-down.sh removes only folders that carry this mark.
touch "$dir/.archway-cluster"
log() { echo "cluster-up: $*" >&2; }

# --- PKI -----------------------------------------------------------------
pki() {
	local d=$dir/pki
	mkdir -p "$d"
	local ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
	openssl req -x509 "${ec[@]}" -keyout "$d/ca.key" -out "$d/ca.crt" -days 30 \
		-subj /CN=archway-dev-ca \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign,digitalSignature 2>/dev/null
	leaf() { # name subject extensions
		openssl req -new "${ec[@]}" -keyout "$d/$1.key" -out "$d/$1.csr" -subj "$2" 2>/dev/null
		openssl x509 -req -in "$d/$1.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
			-set_serial "0x$(openssl rand -hex 8)" -days 30 -out "$d/$1.crt" \
			-extfile <(printf '%b' "$3") 2>/dev/null
		rm -f "$d/$1.csr"
	}
	leaf apiserver /CN=kube-apiserver \
		'subjectAltName=IP:127.0.0.1,IP:::1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n'
	leaf admin "/O=system:masters/CN=archway-dev-admin" \
		'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n'
	openssl ecparam -name prime256v1 -genkey -noout -out "$d/sa.key"
	openssl ec -in "$d/sa.key" -pubout -out "$d/sa.pub" 2>/dev/null
	chmod 600 "$d"/*.key
}

kubeconfig() {
	local b64='base64 -w0'
	umask 077
	cat >"$dir/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: archway-dev
  cluster:
    server: https://127.0.0.1:$api_port
    certificate-authority-data: $($b64 <"$dir/pki/ca.crt")
users:
- name: archway-dev-admin
  user:
    client-certificate-data: $($b64 <"$dir/pki/admin.crt")
    client-key-data: $($b64 <"$dir/pki/admin.key")
contexts:
- name: archway-dev
  context: {cluster: archway-dev, user: archway-dev-admin, namespace: default}
current-context: archway-dev
EOF
}

# --- ports and daemons ----------------------------------------------------
# A port is taken when something accepts a connection on it. Ports come from
# below the usual ephemeral range (32768+), so outgoing connections of other
# programs do not pick them in the meantime; a lost race is retried.
free_port() {
	local p i
	for ((i = 0; i < 100; i++)); do
		p=$((20000 + RANDOM % 12000))
		[[ " ${taken[*]} " == *" $p "* ]] && continue
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			taken+=("$p")
			echo "$p"
			return
		fi
	done
	log "no free loopback port found"
	return 1
}

start() { # name args...
	local name=$1
	shift
	# Own session: a Ctrl-C at the terminal does not reach the daemons.
	setsid "$bin/$name" "$@" >"$dir/$name.log" 2>&1 </dev/null &
	echo $! >"$dir/$name.pid"
}

alive() { kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }

etcd_healthy() {
	local reply
	reply=$( (exec 3<>"/dev/tcp/127.0.0.1/$etcd_port" &&
		printf 'GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 &&
		timeout 2 cat <&3) 2>/dev/null) || return 1
	[[ $reply == *'"health":"true"'* ]]
}
apiserver_ready() { "$bin/kubectl" --kubeconfig "$dir/kubeconfig" --request-timeout=2s get --raw /readyz >/dev/null 2>&1; }
controllers_running() { "$bin/kubectl" --kubeconfig "$dir/kubeconfig" --request-timeout=2s get serviceaccount default -n default >/dev/null 2>&1; }

# wait_for NAME CHECK: 0 ready, 1 failed, 2 lost a port race
wait_for() {
	local name=$1 check=$2 deadline=$((SECONDS + timeout))
	until $check; do
		if ! alive "$name"; then
			if grep -q 'address already in use' "$dir/$name.log"; then
				return 2
			fi
			log "$name exited; last lines of $dir/$name.log:"
			tail -n 30 "$dir/$name.log" >&2
			return 1
		fi
		if ((SECONDS >= deadline)); then
			log "$name not ready after ${timeout}s; last lines of $dir/$name.log:"
			tail -n 30 "$dir/$name.log" >&2
			return 1
		fi
		sleep 0.2
	done
}

stop_all() { "$repo/scripts/cluster-down.sh" --keep "$dir" >/dev/null 2>&1 || true; }

began=$SECONDS
# Interrupted half-way: stop what started, keep the logs.
trap 'stop_all; exit 130' INT TERM HUP
pki
for attempt in 1 2 3; do
	taken=()
	etcd_port=$(free_port) peer_port=$(free_port) api_port=$(free_port)
	rm -rf "$dir/etcd"
	start etcd --name=archway-dev --data-dir="$dir/etcd" \
		--listen-client-urls="http://127.0.0.1:$etcd_port" --advertise-client-urls="http://127.0.0.1:$etcd_port" \
		--listen-peer-urls="http://127.0.0.1:$peer_port" --initial-advertise-peer-urls="http://127.0.0.1:$peer_port" \
		--initial-cluster="archway-dev=http://127.0.0.1:$peer_port" \
		--unsafe-no-fsync --log-level=warn
	rc=0
	wait_for etcd etcd_healthy || rc=$?
	if ((rc == 0)); then
		start kube-apiserver --etcd-servers="http://127.0.0.1:$etcd_port" \
			--bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" \
			--tls-cert-file="$dir/pki/apiserver.crt" --tls-private-key-file="$dir/pki/apiserver.key" \
			--client-ca-file="$dir/pki/ca.crt" \
			--service-account-issuer=https://kubernetes.default.svc.cluster.local \
			--service-account-key-file="$dir/pki/sa.pub" --service-account-signing-key-file="$dir/pki/sa.key" \
			--authorization-mode=Node,RBAC --service-cluster-ip-range=10.0.0.0/24 \
			--endpoint-reconciler-type=none --allow-privileged=true --profiling=false --v=1
		kubeconfig
		wait_for kube-apiserver apiserver_ready || rc=$?
	fi
	((rc == 2)) && { log "lost a race for a port; retrying"; stop_all; continue; }
	((rc == 0)) && break
	stop_all
	exit 1
done
((rc == 0)) || { log "no free ports after 3 attempts"; exit 1; }
log "kube-apiserver ready at https://127.0.0.1:$api_port after $((SECONDS - began))s"

if [[ $with_kcm == 1 ]]; then
	start kube-controller-manager --kubeconfig="$dir/kubeconfig" --leader-elect=false \
		--bind-address=127.0.0.1 --secure-port=0 \
		--root-ca-file="$dir/pki/ca.crt" --service-account-private-key-file="$dir/pki/sa.key" \
		--cluster-signing-cert-file="$dir/pki/ca.crt" --cluster-signing-key-file="$dir/pki/ca.key" \
		--use-service-account-credentials=false --v=1
	wait_for kube-controller-manager controllers_running || { stop_all; exit 1; }
	log "kube-controller-manager running after $((SECONDS - began))s"
fi

trap - INT TERM HUP
echo "export KUBECONFIG=$dir/kubeconfig  # stop with: scripts/cluster-down.sh $dir" >&2
echo "$dir/kubeconfig"
