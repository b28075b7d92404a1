# syntax=docker/dockerfile:1
# Archway image: archway-controller and archway-proxy in one image; the Helm
# chart runs each in its own container of the same pod.
#
#   docker build -t archway/archway:dev .
#
# Build stage: Debian bookworm with the -dev packages of DESIGN.md section 5.
FROM debian:bookworm AS build
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      cmake ninja-build g++ pkg-config ca-certificates \
      libcpprest-dev libnghttp2-dev libssl-dev libyaml-cpp-dev libspdlog-dev \
      libboost-dev libboost-system-dev libboost-program-options-dev \
      nlohmann-json3-dev libhiredis-dev libre2-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DARCHWAY_TESTS=OFF \
 && ninja -C /build archway-controller archway-proxy \
 && install -D -m 0755 /build/controller/archway-controller /out/usr/local/bin/archway-controller \
 && install -D -m 0755 /build/proxy/archway-proxy /out/usr/local/bin/archway-proxy \
 && strip --strip-debug /out/usr/local/bin/*
# The runtime packages are derived from what the binaries link, so this file
# does not go stale when a dependency is added: each shared library -> its
# Debian package (trying both sides of the /usr merge).
RUN set -e; \
    for f in $(ldd /out/usr/local/bin/* | awk '$3 ~ /^\// {print $3}' | sort -u); do \
      dpkg -S "$f" 2>/dev/null || dpkg -S "/usr$f" 2>/dev/null || dpkg -S "${f#/usr}"; \
    done | cut -d: -f1 | sort -u > /out/runtime-packages; \
    cat /out/runtime-packages

# Runtime stage: the shared libraries only, no compiler, no shell tools beyond
# what debian:bookworm-slim has (the chart's preStop uses `sleep`).
FROM debian:bookworm-slim
ARG DEBIAN_FRONTEND=noninteractive
COPY --from=build /out/runtime-packages /tmp/runtime-packages
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates $(cat /tmp/runtime-packages) \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages \
 && groupadd --system --gid 65532 archway \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin archway \
 && install -d -o 65532 -g 65532 /var/run/archway /var/lib/archway
COPY --from=build /out/usr/local/bin/ /usr/local/bin/
USER 65532:65532
# http, https, admin (/healthz, /readyz, /metrics)
EXPOSE 8080 8443 9901
ENTRYPOINT ["/usr/local/bin/archway-proxy"]
