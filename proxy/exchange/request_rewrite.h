#pragma once
// Pure helpers for the request pipeline: header operations, the
// forwarding headers and error bodies (path normalisation and rewrites
// live in routing/). No I/O; unit-tested.

#include <random>
#include <string>
#include <string_view>

#include "proxy/config/snapshot.h"
#include "proxy/filters/header_ops.h"
#include "proxy/http/error_body.h"
#include "proxy/http/message.h"
#include "proxy/routing/route_table.h"

namespace archway::exchange {

using http::Headers;
using http::Request;

// Header operations moved to the filters that apply them; the name stays
// here for the exchange's callers and tests.
using filters::apply_header_ops;

// X-Forwarded-For (append), X-Forwarded-Proto (set), X-Request-Id (keep or
// generate), traceparent (keep a valid one, else generate one whose flags
// are `new_trace_flags`: the tracer's "not sampled" when tracing is on and
// did not sample the request, RequestTrace::new_trace_flags()).
void add_forwarding_headers(Headers& headers, std::string_view client_ip, std::string_view scheme,
                            std::mt19937_64& rng, uint8_t new_trace_flags = 1);

[[nodiscard]] bool valid_traceparent(std::string_view value);

// The trace id of the request's traceparent when its sampled flag is set
// (an exemplar names only traces a tracing backend may hold), else "".
[[nodiscard]] std::string_view sampled_trace_id(const Headers& headers);

// The small JSON error body: {"error":"...","status":N} (http/error_body.h).
using http::error_body;

}  // namespace archway::exchange
