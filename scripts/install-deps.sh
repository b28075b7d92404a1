#!/usr/bin/env bash
# Installs the Debian packages the build, tests, `make run` and benchmarks
# need, only when some are missing (a warm machine pays one dpkg query).
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config ccache clang-format git curl openssl
  libcpprest-dev libnghttp2-dev libssl-dev libyaml-cpp-dev libspdlog-dev
  libgtest-dev libgmock-dev libboost-dev libboost-system-dev
  libboost-program-options-dev nlohmann-json3-dev libhiredis-dev libre2-dev liburiparser-dev
  clang libfuzzer-14-dev libclang-rt-14-dev
  nghttp2-client nghttp2-server wrk redis-server etcd-server procps iproute2
  chromium prometheus
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(nginx-light haproxy nghttp2-proxy valgrind strace time)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

echo "installing Debian packages: ${missing[*]}" >&2
sudo=()
((EUID != 0)) && sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts services on install; tests start their own on loopback.
for svc in redis-server etcd nginx haproxy nghttpx prometheus; do
  "${sudo[@]}" systemctl disable --now "$svc" >/dev/null 2>&1 || true
  "${sudo[@]}" service "$svc" stop >/dev/null 2>&1 || true
done
