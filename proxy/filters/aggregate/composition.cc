#include "proxy/filters/aggregate/composition.h"

#include "proxy/metrics/worker_stats.h"

namespace archway::filters::aggregate {
namespace {

// The HTTP status a failure stands for, in the problem details and the
// problem type's last word (RFC 9457 §3.1: a URI that identifies the kind).
struct FailureKind {
  int status;
  const char* type;
  const char* title;
};

FailureKind failure_kind(PartOutcome outcome) {
  switch (outcome) {
    case PartOutcome::kTimeout:
      return {504, "urn:archway:aggregate:part-timeout", "Part timed out"};
    case PartOutcome::kNoEndpoint:
      return {503, "urn:archway:aggregate:part-no-endpoint", "Part has no endpoint"};
    case PartOutcome::kBadStatus:
      return {502, "urn:archway:aggregate:part-status", "Part answered an error"};
    case PartOutcome::kNotJson:
      return {502, "urn:archway:aggregate:part-not-json", "Part did not answer JSON"};
    case PartOutcome::kTooLarge:
      return {502, "urn:archway:aggregate:part-too-large", "Part answer too large"};
    case PartOutcome::kOk:
    case PartOutcome::kUnreachable:
      break;
  }
  return {502, "urn:archway:aggregate:part-unreachable", "Part unreachable"};
}

PartResult failed(PartOutcome outcome, std::chrono::milliseconds elapsed, int status,
                  std::string detail) {
  PartResult r;
  r.outcome = outcome;
  r.elapsed = elapsed;
  r.backend_status = status;
  r.detail = std::move(detail);
  return r;
}

}  // namespace

static_assert(metrics::kAggregateOutcomeNames.size() ==
              static_cast<size_t>(PartOutcome::kTooLarge) + 1);

std::string_view outcome_name(PartOutcome outcome) {
  return metrics::kAggregateOutcomeNames[static_cast<size_t>(outcome)];
}

PartResult classify(Result<outbound::OutboundResponse> response, std::chrono::milliseconds elapsed,
                    std::chrono::milliseconds timeout) {
  if (!response.ok()) {
    const std::string& message = response.error().message;
    if (elapsed >= timeout) {
      return failed(PartOutcome::kTimeout, elapsed, 0,
                    "no answer within " + std::to_string(timeout.count()) + " ms");
    }
    const bool too_large = message.rfind("response body", 0) == 0;
    return failed(too_large ? PartOutcome::kTooLarge : PartOutcome::kUnreachable, elapsed, 0,
                  message);
  }
  outbound::OutboundResponse& answer = response.value();
  if (answer.status < 200 || answer.status > 299) {
    return failed(PartOutcome::kBadStatus, elapsed, answer.status,
                  "answered " + std::to_string(answer.status));
  }
  // Any JSON value is accepted whatever the content-type says: the body is
  // what gets merged, so the body is what is checked.
  nlohmann::json value = nlohmann::json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return failed(PartOutcome::kNotJson, elapsed, answer.status, "the body is not JSON");
  }
  PartResult ok;
  ok.outcome = PartOutcome::kOk;
  ok.backend_status = answer.status;
  ok.elapsed = elapsed;
  ok.value = std::move(value);
  return ok;
}

PartResult no_endpoint(std::string_view cluster) {
  return failed(PartOutcome::kNoEndpoint, std::chrono::milliseconds(0), 0,
                "no HTTP endpoint in cluster \"" + std::string(cluster) + "\"");
}

LocalReply compose(const config::Aggregate& aggregate, const std::vector<PartResult>& results) {
  LocalReply reply;
  reply.headers.add("content-type", "application/json");
  for (size_t i = 0; i < aggregate.parts.size(); ++i) {
    const config::AggregatePart& part = aggregate.parts[i];
    if (results[i].outcome != PartOutcome::kOk && aggregate.is_required(part)) {
      reply.status = 502;
      reply.body = nlohmann::json{
          {"error", "aggregate part \"" + part.name + "\" failed: " + results[i].detail},
          {"status", 502},
          {"part",
           part.name}}.dump();
      return reply;
    }
  }
  nlohmann::json body = nlohmann::json::object();
  nlohmann::json errors = nlohmann::json::object();
  std::string missing;
  for (size_t i = 0; i < aggregate.parts.size(); ++i) {
    const std::string& name = aggregate.parts[i].name;
    const PartResult& result = results[i];
    if (result.outcome == PartOutcome::kOk) {
      body[name] = result.value;
      continue;
    }
    const FailureKind kind = failure_kind(result.outcome);
    errors[name] = {{"type", kind.type},
                    {"title", kind.title},
                    {"status", kind.status},
                    {"detail", result.detail}};
    if (!missing.empty()) missing += ", ";
    missing += name;
  }
  if (!missing.empty()) {
    body[std::string(kErrorsKey)] = std::move(errors);
    reply.headers.add(std::string(kMissingHeader), missing);
    // A partial answer is not stored by the rule's cache (nor by others):
    // the next request should try the missing parts again.
    reply.headers.add("cache-control", "no-store");
  }
  reply.status = 200;
  reply.body = body.dump();
  return reply;
}

std::string parts_log(const config::Aggregate& aggregate, const std::vector<PartResult>& results) {
  std::string out = "{";
  for (size_t i = 0; i < aggregate.parts.size(); ++i) {
    const PartResult& r = results[i];
    if (i > 0) out += ',';
    out += '"' + aggregate.parts[i].name + R"(":{"outcome":")";
    out += outcome_name(r.outcome);
    out += R"(","status":)";
    out += r.backend_status > 0 ? std::to_string(r.backend_status) : "null";
    out += R"(,"ms":)" + std::to_string(r.elapsed.count()) + '}';
  }
  out += '}';
  return out;
}

}  // namespace archway::filters::aggregate
