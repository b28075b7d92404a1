#!/usr/bin/env bash
# Builds Jaeger v2 (`jaeger`, the OpenTelemetry-collector-based binary) from
# the pins in jaeger/go.mod and jaeger/go.sum, once, into a cache folder keyed
# by a hash of those pins, and prints that bin folder as the last line of
# stdout. A second run with the same pins only checks that the binary is
# there (well under a second).
#
#   JAEGER_BIN=$(e2e/tools/ensure-jaeger.sh | tail -n1)
#
# A script of its own, not a line in ensure.sh: adding a tool there changes
# that script's hash and rebuilds every other tool.
#
# Environment (the same cache root as ensure.sh):
#   ARCHWAY_TOOLS_DIR  cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/archway/tools);
#                      the binary goes to $ARCHWAY_TOOLS_DIR/jaeger-<hash>/bin
#   ARCHWAY_TOOLS_P    parallelism passed to `go build -p` (default: go's own)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/jaeger"

pkg=github.com/jaegertracing/jaeger/cmd/jaeger
gover=$(go env GOVERSION)
hash=$({ cat go.mod go.sum; printf '%s\n' "$pkg" "$gover" "ldflags-v1"; } | sha256sum | cut -c1-16)
root=${ARCHWAY_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/archway/tools}
mkdir -p "$root"
root=$(cd "$root" && pwd)
dest="$root/jaeger-$hash"
bin="$dest/bin"

complete() { [[ -f "$dest/complete" && -x "$bin/jaeger" ]]; }

if complete; then
	echo "$bin"
	exit 0
fi

# One builder at a time; the others wait for it and then find the binary.
exec 9>"$root/.lock-jaeger-$hash"
if ! flock -n 9; then
	echo "ensure-jaeger.sh: another build of $hash is running; waiting for it" >&2
	flock 9
fi
if complete; then
	echo "$bin"
	exit 0
fi

# What upstream's release build stamps in (scripts/makefiles/BuildInfo.mk).
version=$(go list -m -f '{{.Version}}' github.com/jaegertracing/jaeger)
info=github.com/jaegertracing/jaeger/internal/version
ld="-s -w -X $info.latestVersion=$version -X $info.commitSHA=module"
ld+=" -X $info.date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"

tmp="$dest/bin.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

pflag=()
[[ -n "${ARCHWAY_TOOLS_P:-}" ]] && pflag=(-p "$ARCHWAY_TOOLS_P")
start=$SECONDS
echo "ensure-jaeger.sh: building jaeger ($pkg@$version)" >&2
CGO_ENABLED=0 go build -trimpath -buildvcs=false "${pflag[@]}" -ldflags "$ld" -o "$tmp/jaeger" "$pkg"
echo "ensure-jaeger.sh: built jaeger in $((SECONDS - start))s" >&2

rm -rf "$bin"
mv "$tmp" "$bin"
trap - EXIT
printf '%s\n' "$hash" "$gover" "$pkg" >"$dest/complete"
echo "$bin"
