#!/usr/bin/env bash
# Chart checks that need only the helm binary (no cluster):
#   1. the chart's CRD is a byte-identical copy of crds/apiroutes.archway.dev.yaml
#      (and, when PyYAML is there, both match crds/generate.py's output);
#   2. `helm lint --strict` passes with the default values and every case;
#   3. `helm template` of each tests/helm/cases/NAME.yaml equals golden/NAME.yaml
#      (UPDATE_GOLDEN=1 rewrites the golden files instead);
#   4. each tests/helm/invalid/NAME.yaml is refused by `helm template`, with an
#      error containing the text of its first line "# expect: TEXT".
#
#   HELM=/path/to/helm tests/helm/run.sh     (default: helm from e2e/tools/ensure.sh)
#
# e2e/helm (go test) runs the same cases; this script is for a quick loop.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
chart="$root/helm/archway"
if [[ -z "${HELM:-}" ]]; then
	HELM="$("$root/e2e/tools/ensure.sh" | tail -n1)/helm"
fi
# Keep helm's config and cache out of $HOME.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HELM_CACHE_HOME="$tmp/cache" HELM_CONFIG_HOME="$tmp/config" HELM_DATA_HOME="$tmp/data"

# Release and namespace used for every golden file.
release=archway
namespace=archway-system
failures=0
checks=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# 1. CRD copy
checks=$((checks + 1))
for crd in apiroutes.archway.dev.yaml referencegrants.archway.dev.yaml; do
	if ! cmp -s "$root/crds/$crd" "$chart/crds/$crd"; then
		fail "helm/archway/crds/$crd differs from crds/$crd (run python3 crds/generate.py)"
	fi
done
if python3 -c 'import yaml' 2>/dev/null; then
	checks=$((checks + 1))
	python3 "$root/crds/generate.py" --check || fail "CRD files are not what crds/generate.py writes"
else
	echo "skip: python3 with PyYAML not found; generator check not run" >&2
fi

# 2 + 3. lint and golden
for values in "$here"/cases/*.yaml; do
	name=$(basename "$values" .yaml)
	golden="$here/golden/$name.yaml"
	checks=$((checks + 1))
	if ! out=$("$HELM" lint --strict "$chart" --namespace "$namespace" -f "$values" 2>&1); then
		fail "helm lint --strict ($name):"$'\n'"$out"
	fi
	checks=$((checks + 1))
	if ! rendered=$("$HELM" template "$release" "$chart" --namespace "$namespace" -f "$values" 2>"$tmp/err"); then
		fail "helm template ($name): $(cat "$tmp/err")"
		continue
	fi
	if [[ "${UPDATE_GOLDEN:-}" == 1 ]]; then
		printf '%s\n' "$rendered" >"$golden"
		echo "updated ${golden#"$root"/}"
	elif ! diff -u "$golden" <(printf '%s\n' "$rendered") >"$tmp/diff"; then
		fail "helm template ($name) differs from ${golden#"$root"/} (UPDATE_GOLDEN=1 to accept):"$'\n'"$(cat "$tmp/diff")"
	fi
done

# 4. invalid values
for values in "$here"/invalid/*.yaml; do
	name=$(basename "$values" .yaml)
	expect=$(sed -n '1s/^# expect: //p' "$values")
	checks=$((checks + 1))
	if [[ -z "$expect" ]]; then
		fail "invalid/$name.yaml: first line must be '# expect: TEXT'"
		continue
	fi
	if out=$("$HELM" template "$release" "$chart" --namespace "$namespace" -f "$values" 2>&1 >/dev/null); then
		fail "invalid/$name.yaml: helm template accepted it"
	elif [[ "$out" != *"$expect"* ]]; then
		fail "invalid/$name.yaml: error lacks '$expect':"$'\n'"$out"
	fi
done

if ((failures > 0)); then
	echo "$failures of $checks chart checks failed" >&2
	exit 1
fi
echo "ok: $checks chart checks passed"
