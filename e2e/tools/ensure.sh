#!/usr/bin/env bash
# Builds the e2e test tools (etcd, kube-apiserver, kube-controller-manager,
# kubectl, helm, h2spec from the pins in this folder's go.mod/go.sum; Ory
# Hydra from hydra/go.mod/go.sum), once, into a cache folder keyed by a hash
# of those pins, and prints that bin folder as the last line of stdout. A
# second run with the same pins only checks that the binaries are there (well
# under a second).
#
#   BIN=$(e2e/tools/ensure.sh | tail -n1)
#
# Environment:
#   ARCHWAY_TOOLS_DIR  cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/archway/tools);
#                      the binaries go to $ARCHWAY_TOOLS_DIR/<hash>/bin
#   ARCHWAY_TOOLS_P    parallelism passed to `go build -p` (default: go's own)
#
# Progress goes to stderr; the Go build and module caches are the usual ones,
# so a rebuild after a pin change only compiles what changed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

# name=package, in build order of usefulness; the hash covers this list too.
tools=(
	"etcd=go.etcd.io/etcd/server/v3"
	"kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver"
	"kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager"
	"kubectl=k8s.io/kubernetes/cmd/kubectl"
	"helm=helm.sh/helm/v3/cmd/helm"
	"h2spec=github.com/summerwind/h2spec/cmd/h2spec"
	"hydra=github.com/ory/hydra/v2"
)
# Hydra's module and build: the SQLite driver (cgo) behind its in-memory
# store `DSN=memory` is compiled only with these tags, as upstream's
# Makefile does.
hydra_tags="sqlite,sqlite_omit_load_extension"

gover=$(go env GOVERSION)
hash=$({ cat go.mod go.sum hydra/go.mod hydra/go.sum; printf '%s\n' "${tools[@]}" "$gover" "ldflags-v1" "$hydra_tags"; } | sha256sum | cut -c1-16)
root=${ARCHWAY_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/archway/tools}
dest="$root/$hash"
bin="$dest/bin"

complete() {
	[[ -f "$dest/complete" ]] || return 1
	local t
	for t in "${tools[@]}"; do
		[[ -x "$bin/${t%%=*}" ]] || return 1
	done
}

if complete; then
	echo "$bin"
	exit 0
fi

mkdir -p "$root"
root=$(cd "$root" && pwd) # absolute: hydra is built from its own folder
dest="$root/$hash"
bin="$dest/bin"
# One builder at a time (test packages may call this in parallel); the
# others wait for it and then find the binaries in place.
exec 9>"$root/.lock-$hash"
if ! flock -n 9; then
	echo "ensure.sh: another build of $hash is running; waiting for it" >&2
	flock 9
fi
if complete; then
	echo "$bin"
	exit 0
fi

modver() { go list -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' "$1"; }

k8s=$(modver k8s.io/kubernetes)          # v1.34.4
k8s_major=${k8s#v}; k8s_major=${k8s_major%%.*}
k8s_minor=${k8s#v*.}; k8s_minor=${k8s_minor%%.*}
helmv=$(modver helm.sh/helm/v3)
h2specv=$(modver github.com/summerwind/h2spec); h2specv=${h2specv#v}; h2specv=${h2specv%+incompatible}
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# What the upstream release builds stamp in (hack/lib/version.sh, helm's
# Makefile): without it the API server reports v0.0.0-master and helm
# rejects charts with a kubeVersion constraint.
k8s_ld=""
for p in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
	k8s_ld+=" -X $p.gitVersion=$k8s -X $p.gitMajor=$k8s_major -X $p.gitMinor=$k8s_minor"
	k8s_ld+=" -X $p.gitTreeState=clean -X $p.buildDate=$date"
done
helm_ld="-X helm.sh/helm/v3/internal/version.version=$helmv"
helm_ld+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=$k8s_major"
helm_ld+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$k8s_minor"
h2spec_ld="-X main.VERSION=$h2specv -X main.COMMIT=module"
hydrav=$(cd hydra && modver github.com/ory/hydra/v2)
hydra_ld="-X github.com/ory/hydra/v2/driver/config.Version=$hydrav"
hydra_ld+=" -X github.com/ory/hydra/v2/driver/config.Date=$date"

tmp="$dest/bin.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

export CGO_ENABLED=0
pflag=()
[[ -n "${ARCHWAY_TOOLS_P:-}" ]] && pflag=(-p "$ARCHWAY_TOOLS_P")

for t in "${tools[@]}"; do
	name=${t%%=*} pkg=${t#*=}
	moddir=. cgo=0 tags=""
	case $name in
	kube-* | kubectl) ld="-s -w $k8s_ld" ;;
	helm) ld="-s -w $helm_ld" ;;
	h2spec) ld="-s -w $h2spec_ld" ;;
	hydra) ld="-s -w $hydra_ld" moddir=hydra cgo=1 tags=$hydra_tags ;;
	*) ld="-s -w" ;;
	esac
	start=$SECONDS
	echo "ensure.sh: building $name ($pkg)" >&2
	(cd "$moddir" && CGO_ENABLED=$cgo go build -trimpath -buildvcs=false "${pflag[@]}" \
		-tags "$tags" -ldflags "$ld" -o "$tmp/$name" "$pkg")
	echo "ensure.sh: built $name in $((SECONDS - start))s" >&2
done

rm -rf "$bin"
mv "$tmp" "$bin"
trap - EXIT
printf '%s\n' "$hash" "$gover" "${tools[@]}" >"$dest/complete"
echo "$bin"
