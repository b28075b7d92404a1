#include "proxy/filters/cors/cors.h"

#include "proxy/filters/cors/cors_policy.h"
#include "proxy/http/error_body.h"

namespace archway::filters {
namespace {

using cors::CorsPolicy;

constexpr std::string_view kPreflightVary =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

// What the request phase found, kept in the filter's per-exchange word for
// the response phase (the request's Origin may be gone by then:
// requestHeaders may remove it).
enum Decision : uintptr_t { kNoOrigin = 0, kAllowed = 1, kDenied = 2 };

struct CorsFields {
  const http::Header* origin = nullptr;
  const http::Header* request_method = nullptr;   // Access-Control-Request-Method
  const http::Header* request_headers = nullptr;  // Access-Control-Request-Headers
};

CorsFields find_fields(const http::Headers& headers) {
  CorsFields out;
  for (const http::Header& h : headers) {
    if (h.name == "origin") {
      out.origin = &h;
    } else if (h.name == "access-control-request-method") {
      out.request_method = &h;
    } else if (h.name == "access-control-request-headers") {
      out.request_headers = &h;
    }
  }
  return out;
}

class CorsFilter final : public StatelessFilter {
 public:
  explicit CorsFilter(const config::Cors& config) : policy_(config) {}

  [[nodiscard]] bool has_response_hook() const override { return true; }

  FilterStatus on_request(FilterContext& ctx, LocalReply& reply) override {
    const CorsFields fields = find_fields(ctx.request.headers);
    if (fields.origin == nullptr) return FilterStatus::kContinue;  // state stays kNoOrigin
    const std::string_view origin = fields.origin->value;
    const bool allowed = policy_.origin_allowed(origin);
    if (!allowed) ctx.count(metrics::PolicyCounter::kCorsDenied);
    ctx.state() = allowed ? kAllowed : kDenied;
    const bool preflight = ctx.request.method == "OPTIONS" && fields.request_method != nullptr &&
                           !fields.request_method->value.empty();
    if (!preflight) return FilterStatus::kContinue;
    const std::string_view requested_headers =
        fields.request_headers ? std::string_view(fields.request_headers->value) : "";
    answer_preflight(allowed, origin, fields.request_method->value, requested_headers, reply);
    return FilterStatus::kLocalReply;
  }

  void on_response_head(FilterContext& ctx, http::Response& response) override {
    const uintptr_t decision = ctx.state();
    if (decision == kAllowed) add_allow_fields(ctx, response.headers);
    // Every response the policy saw varies by Origin, so a cache never
    // serves one origin's answer to another.
    cors::merge_vary_origin(response.headers);
  }

 private:
  void answer_preflight(bool origin_allowed, std::string_view origin, std::string_view method,
                        std::string_view requested_headers, LocalReply& reply) const {
    reply.headers.push_back({"vary", std::string(kPreflightVary)});
    if (!origin_allowed || !policy_.method_allowed(method) ||
        !policy_.headers_allowed(requested_headers)) {
      // No CORS field: the browser fails the preflight; the body says why
      // to whoever reads it with curl.
      reply.status = 403;
      reply.headers.push_back({"content-type", "application/json"});
      reply.body = http::error_body(
          !origin_allowed ? "CORS: origin not allowed"
                          : (!policy_.method_allowed(method) ? "CORS: method not allowed"
                                                             : "CORS: header not allowed"),
          403);
      return;
    }
    reply.status = 204;
    auto& h = reply.headers;
    h.add("access-control-allow-origin", policy_.allow_origin_value(origin));
    if (policy_.credentials()) h.add("access-control-allow-credentials", "true");
    if (const auto methods = policy_.allow_methods_value(method); !methods.empty()) {
      h.add("access-control-allow-methods", methods);
    }
    if (const auto headers = policy_.allow_headers_value(requested_headers); !headers.empty()) {
      h.add("access-control-allow-headers", headers);
    }
    if (!policy_.max_age().empty()) h.add("access-control-max-age", policy_.max_age());
  }

  void add_allow_fields(FilterContext& ctx, http::Headers& headers) const {
    const http::Header* origin = http::find_header(ctx.request.headers, "origin");
    if (origin == nullptr) return;  // removed by requestHeaders: nothing to echo
    set(headers, "access-control-allow-origin", policy_.allow_origin_value(origin->value));
    if (policy_.credentials()) set(headers, "access-control-allow-credentials", "true");
    if (!policy_.expose_headers().empty()) {
      set(headers, "access-control-expose-headers", policy_.expose_headers());
    }
  }

  // The policy's value replaces any the backend sent. add() writes into the
  // head's spare strings: no allocation once they have the room.
  static void set(http::Headers& headers, std::string_view name, std::string_view value) {
    http::erase_if(headers, [&](const http::Header& h) { return h.name == name; });
    headers.add(name, value);
  }

  const CorsPolicy policy_;
};

}  // namespace

std::unique_ptr<const FilterConfig> make_cors_filter(const config::Cors& config) {
  return std::make_unique<CorsFilter>(config);
}

}  // namespace archway::filters
