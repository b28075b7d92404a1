#pragma once
// How the parts' answers become the aggregate's one response
// (docs/aggregation.md "Failures" and "The response"). Pure: the filter
// hands in what each part's fetch gave and how long it took.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "proxy/config/policies/aggregate.h"
#include "proxy/filters/filter.h"
#include "proxy/outbound/request.h"

namespace archway::filters::aggregate {

// What became of one part. Everything but kOk is a part failure. The
// order is metrics::kAggregateOutcomeNames'.
enum class PartOutcome {
  kOk,
  kTimeout,      // no complete answer within the part's timeout (504)
  kUnreachable,  // connect or TLS failure, reset, malformed answer (502)
  kNoEndpoint,   // the cluster has no endpoint the outbound client can reach (503)
  kBadStatus,    // an answer outside 2xx (502)
  kNotJson,      // a 2xx body that is not one JSON value (502)
  kTooLarge,     // a body over the part's maxBodyBytes (502)
};

// The outcome's label in metrics and the access log ("ok", "timeout", ...).
[[nodiscard]] std::string_view outcome_name(PartOutcome outcome);

struct PartResult {
  PartOutcome outcome = PartOutcome::kUnreachable;
  int backend_status = 0;  // the part's status when it answered, else 0
  std::chrono::milliseconds elapsed{0};
  std::string detail;    // why it failed, for the problem details and the 502
  nlohmann::json value;  // the parsed body when kOk
};

// Classifies a fetch's result. A failed fetch that used up its timeout is
// kTimeout; the outbound client's "response body ..." errors are kTooLarge
// (outbound/fetch.cc: a declared or counted size over max_response_bytes).
[[nodiscard]] PartResult classify(Result<outbound::OutboundResponse> response,
                                  std::chrono::milliseconds elapsed,
                                  std::chrono::milliseconds timeout);

// The part with no reachable endpoint, before any fetch.
[[nodiscard]] PartResult no_endpoint(std::string_view cluster);

// The reserved key of the composed object that holds the missing parts'
// problem details; validation refuses it as a part name.
inline constexpr std::string_view kErrorsKey = "_errors";
// The response field naming the omitted parts, comma-separated.
inline constexpr std::string_view kMissingHeader = "archway-aggregate-missing";

// The aggregate's answer: 502 naming the first failed required part (in
// the rule's order); otherwise 200 with each successful part's value under
// its name, and for omitted parts RFC 9457 problem details under
// "_errors" and their names in Archway-Aggregate-Missing.
// `results` is in the order of aggregate.parts.
[[nodiscard]] LocalReply compose(const config::Aggregate& aggregate,
                                 const std::vector<PartResult>& results);

// The access log's "parts" object: per part, in the rule's order, its
// outcome, the part's status (null when it did not answer) and its time in
// whole milliseconds. Part names need no escaping (validation).
[[nodiscard]] std::string parts_log(const config::Aggregate& aggregate,
                                    const std::vector<PartResult>& results);

}  // namespace archway::filters::aggregate
