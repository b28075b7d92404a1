#pragma once
// The OTLP/HTTP transport: POST of one JSON batch to the collector's
// `/v1/traces`, plain HTTP/1.1 with a deadline (Boost.Beast). Blocking:
// called only by the exporter thread (exporter.h), never on a worker.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace archway::tracing {

struct OtlpEndpoint {
  std::string host;
  uint16_t port = 80;
  std::string target = "/v1/traces";
  // "host:port": the Host field.
  [[nodiscard]] std::string authority() const;
};

// "http://host[:port][/path]" (an IPv6 host in brackets); the path defaults
// to /v1/traces. https is refused: put a collector (or a sidecar) on the
// pod's network instead.
[[nodiscard]] Result<OtlpEndpoint> parse_otlp_endpoint(std::string_view url);

// Sends `body` (application/json) and reads the answer: ok for a 2xx,
// else an error naming the status or the failure. Every step is bounded by
// `timeout` in all.
[[nodiscard]] Result<void> post_otlp_json(const OtlpEndpoint& endpoint, const std::string& body,
                                          std::chrono::milliseconds timeout);

}  // namespace archway::tracing
