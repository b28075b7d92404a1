# The two commands: `make run` and `make test`. Each does its own set-up.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
CMAKE_FLAGS ?=

.PHONY: all deps build build-asan install tools test test-unit test-asan test-e2e fuzz run bench format clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD) -j $(JOBS)

# Installs what has install rules (today kubectl-archway, the kubectl
# plugin: docs/kubectl-archway.md) into $(DESTDIR)$(PREFIX)/bin.
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD) --prefix $(DESTDIR)$(PREFIX) --strip

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DARCHWAY_SANITIZE=ON $(CMAKE_FLAGS)

build-asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD) -j $(JOBS)

# Builds (once per pin change) kube-apiserver, etcd, kubectl, helm, h2spec,
# hydra; and Jaeger (its own script and cache: the tracing e2e).
tools: deps
	@e2e/tools/ensure.sh >/dev/null
	@e2e/tools/ensure-jaeger.sh >/dev/null

test: build build-asan tools
	$(MAKE) --no-print-directory test-unit test-asan fuzz test-e2e

test-unit:
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-asan:
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

fuzz: deps
	@scripts/fuzz.sh

# Every package under e2e/, e2e/makerun included: it runs scripts/run.sh
# (what `make run` runs) end to end on free ports and its own state folder.
test-e2e:
	bin="$$(e2e/tools/ensure.sh | tail -1)"; export ARCHWAY_TOOLS_BIN="$$bin"; \
	jaeger="$$(e2e/tools/ensure-jaeger.sh | tail -1)"; export ARCHWAY_JAEGER_BIN="$$jaeger"; \
	export ARCHWAY_BUILD_DIR="$(CURDIR)/$(BUILD)"; \
	cd e2e && go test -count=1 -timeout 40m ./...

run: build tools
	@scripts/run.sh

bench: build
	@scripts/install-deps.sh --bench
	@bench/run.sh

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
