#!/usr/bin/env bash
# Controller benchmark (not part of `make test`): against a real
# kube-apiserver, the real proxy and controller from $BUILD:
#   - apply → traffic latency: PATCH an APIRoute, poll the proxy until it
#     answers with the change; p50/p90/p99 over 100 updates (target p99 < 100 ms)
#   - scale at 100, 1k and 10k objects (ARCHWAY_BENCH_SIZES, ascending, to
#     change): N APIRoutes + N Ingresses + 5N EndpointSlices of 5 endpoints;
#     per size RSS of the controller and the proxy, the full compile (and
#     push) time, change → served p50/p99 over 200 single-route changes and
#     p99 over 100 more under EndpointSlice churn at 100 writes/s; one table
#     with each row's ratio to the smallest size (flat means <= 1.5x)
#     (ARCHWAY_BENCH_LOGS=DIR keeps each size's controller and proxy logs)
# Prints lines starting with BENCH.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export ARCHWAY_BUILD_DIR=${ARCHWAY_BUILD_DIR:-$repo/${BUILD:-build}}
export ARCHWAY_TOOLS_BIN=${ARCHWAY_TOOLS_BIN:-$("$repo/e2e/tools/ensure.sh" | tail -n1)}
export ARCHWAY_BENCH=1
cd "$repo/e2e"
go test -count=1 -timeout 90m -run '^TestBench' -v ./controller/ | grep -E '^(BENCH|--- |FAIL|ok|PASS)'
