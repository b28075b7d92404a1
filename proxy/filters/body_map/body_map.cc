#include "proxy/filters/body_map/body_map.h"

#include <optional>

#include "proxy/filters/body_map/json_mapping.h"
#include "proxy/filters/body_map/json_media.h"
#include "proxy/http/error_body.h"
#include "proxy/http/field_text.h"

namespace archway::filters {
namespace {

// One direction's compiled mapping and what a body it cannot map gets.
struct Direction {
  JsonMapping mapping;
  uint64_t max_bytes;
  bool reject;

  explicit Direction(const config::BodyMapping& policy)
      : mapping(policy),
        max_bytes(policy.max_bytes),
        reject(policy.on_mismatch == config::BodyMismatch::kReject) {}

  [[nodiscard]] BodyPlan plan(const http::Headers& headers, int not_json_status) const {
    if (!is_json_media_type(headers) || has_content_coding(headers)) {
      BodyPlan plan;
      if (reject) {
        plan.kind = BodyPlan::Kind::kReject;
        plan.status = not_json_status;
      }
      return plan;
    }
    BodyPlan plan;
    plan.kind = BodyPlan::Kind::kBuffer;
    plan.max_bytes = max_bytes;
    plan.reject_over_limit = reject;
    return plan;
  }

  // kReplaced with `body` mapped, kPass (unchanged) or kReject.
  [[nodiscard]] BodyVerdict apply(std::string& body, MappingResult& result) const {
    std::string mapped;
    result = mapping.map(body, mapped);
    if (result == MappingResult::kMapped) {
      body.swap(mapped);
      return BodyVerdict::kReplaced;
    }
    return reject ? BodyVerdict::kReject : BodyVerdict::kPass;
  }
};

LocalReply refusal(int status, std::string_view message) {
  return LocalReply{.status = status,
                    .headers = {{"content-type", "application/json"}},
                    .body = http::error_body(message, status)};
}

// The responses whose body is the resource's JSON: 2xx with a body, not
// a 206 part. An error page or a redirect goes through as the backend sent
// it, whatever onMismatch says.
bool maps_response(const http::Response& head, std::string_view method) {
  return head.status >= 200 && head.status < 300 && head.status != 204 && head.status != 206 &&
         method != "HEAD";
}

class BodyMapFilter final : public StatelessFilter {
 public:
  BodyMapFilter(const std::optional<config::BodyMapping>& request,
                const std::optional<config::BodyMapping>& response) {
    if (request) request_.emplace(*request);
    if (response) response_.emplace(*response);
  }

  [[nodiscard]] bool has_request_hook() const override { return false; }
  [[nodiscard]] bool has_body_transform() const override { return true; }

  FilterStatus on_request(FilterContext&, LocalReply&) override { return FilterStatus::kContinue; }

  BodyPlan plan_request_body(FilterContext& ctx) override {
    if (!request_) return {};
    return request_->plan(ctx.request.headers, 415);
  }

  BodyVerdict on_request_body(FilterContext&, std::string& body, LocalReply& reply) override {
    if (!request_) return BodyVerdict::kPass;
    MappingResult result = MappingResult::kMapped;
    const BodyVerdict verdict = request_->apply(body, result);
    if (verdict == BodyVerdict::kReject) {
      reply = result == MappingResult::kNotJson
                  ? refusal(415, "request body is not JSON")
                  : refusal(422, "request body does not fit the route's body mapping");
    }
    return verdict;
  }

  BodyPlan plan_response_body(FilterContext& ctx, const http::Response& head) override {
    if (!response_ || !maps_response(head, ctx.request.method)) return {};
    return response_->plan(head.headers, 502);
  }

  BodyVerdict on_response_body(FilterContext&, http::Response& head, std::string& body) override {
    if (!response_) return BodyVerdict::kPass;
    MappingResult result = MappingResult::kMapped;
    const BodyVerdict verdict = response_->apply(body, result);
    if (verdict == BodyVerdict::kReplaced) {
      // The backend's validator describes bytes the client no longer gets.
      http::erase_if(head.headers,
                     [](const http::Header& h) { return http::iequals(h.name, "etag"); });
    }
    return verdict;
  }

 private:
  // Built once per snapshot; read-only afterwards (StatelessFilter).
  std::optional<Direction> request_;
  std::optional<Direction> response_;
};

}  // namespace

std::unique_ptr<const FilterConfig> make_body_map_filter(const config::Route& route) {
  const auto& policies = route.policies;
  if (!policies.request_body && !policies.response_body) return nullptr;
  return std::make_unique<BodyMapFilter>(policies.request_body, policies.response_body);
}

}  // namespace archway::filters
