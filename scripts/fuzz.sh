#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each briefly (FUZZ_SECONDS,
# default 20) over its seed corpus. A crash fails `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
if [[ ! -d tests/fuzz ]] || ! ls tests/fuzz/*_fuzz.cc >/dev/null 2>&1; then
  echo "fuzz: no targets yet"; exit 0
fi
if [[ ! -f build-fuzz/build.ninja ]]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DARCHWAY_FUZZ=ON -DARCHWAY_TESTS=OFF >/dev/null
fi
ninja -C build-fuzz -j "$(nproc)" fuzzers
for src in tests/fuzz/*_fuzz.cc; do
  name=$(basename "$src" .cc)
  corpus=tests/fuzz/corpus/$name
  work=$(mktemp -d)
  [[ -d "$corpus" ]] && cp -r "$corpus"/. "$work"/
  echo "fuzz: $name for ${seconds}s"
  ./build-fuzz/tests/fuzz/"$name" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
    -print_final_stats=1 "$work" 2>&1 | tail -4
  rm -rf "$work"
done
