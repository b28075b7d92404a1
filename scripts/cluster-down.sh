#!/usr/bin/env bash
# Stops a control plane started by scripts/cluster-up.sh DIR: kills each
# daemon by the PID in DIR/NAME.pid (SIGTERM, then SIGKILL after 10s) and
# removes DIR. With --keep, leaves DIR (logs, certs) in place.
#
#   scripts/cluster-down.sh [--keep] DIR
#
# Only processes whose command line names DIR are signalled, so a stale PID
# file never kills a stranger that reused the PID; only folders that
# cluster-up.sh marked are removed. Stopping a stopped cluster succeeds.
set -euo pipefail

keep=0
if [[ ${1:-} == --keep ]]; then
	keep=1
	shift
fi
if [[ $# -ne 1 || -z $1 ]]; then
	echo "usage: $0 [--keep] DIR" >&2
	exit 2
fi
[[ -d $1 ]] || exit 0
dir=$(cd "$1" && pwd)
if [[ ! -e $dir/.archway-cluster ]]; then
	echo "cluster-down: $dir was not made by cluster-up.sh; leaving it alone" >&2
	exit 1
fi

ours() { # pid: alive and started for this DIR
	[[ -r /proc/$1/cmdline ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$dir/"
}

pids=()
# Reverse start order: controller-manager, API server, etcd.
for name in kube-controller-manager kube-apiserver etcd; do
	f=$dir/$name.pid
	[[ -e $f ]] || continue
	pid=$(cat "$f")
	if [[ $pid =~ ^[0-9]+$ ]] && ours "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		pids+=("$pid")
	fi
	rm -f "$f"
done

deadline=$((SECONDS + 10))
for pid in "${pids[@]}"; do
	while ours "$pid"; do
		if ((SECONDS >= deadline)); then
			kill -KILL "$pid" 2>/dev/null || true
			sleep 0.1
			ours "$pid" && { echo "cluster-down: pid $pid survived SIGKILL" >&2; exit 1; }
			break
		fi
		sleep 0.1
	done
done

if ((keep == 0)); then
	rm -rf "$dir"
fi
