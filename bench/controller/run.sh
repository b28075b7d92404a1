#!/usr/bin/env bash
# Controller benchmark (not part of `make test`): against a real
# kube-apiserver, the real proxy and controller from $BUILD:
#   - apply → traffic latency: PATCH an APIRoute, poll the proxy until it
#     answers with the change; p50/p90/p99 over 100 updates (target p99 < 100 ms)
#   - scale: 5,000 APIRoutes + 5,000 Ingresses (ARCHWAY_BENCH_OBJECTS to
#     change); controller RSS, compile and push time
# Prints lines starting with BENCH.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export ARCHWAY_BUILD_DIR=${ARCHWAY_BUILD_DIR:-$repo/${BUILD:-build}}
export ARCHWAY_TOOLS_BIN=${ARCHWAY_TOOLS_BIN:-$("$repo/e2e/tools/ensure.sh" | tail -n1)}
export ARCHWAY_BENCH=1
cd "$repo/e2e"
go test -count=1 -timeout 30m -run '^TestBench' -v ./controller/ | grep -E '^(BENCH|--- |FAIL|ok|PASS)'
