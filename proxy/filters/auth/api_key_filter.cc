#include "proxy/filters/auth/api_key_filter.h"

#include <algorithm>
#include <array>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "proxy/http/error_body.h"
#include "proxy/identity/api_key_set.h"

namespace archway::filters::auth {
namespace {

using identity::ApiKeyFailure;

// archway_auth_failures_total{reason}: the labels the JWT filter already
// counts ("malformed", "unknown_key") are shared, so one reason means one
// thing whatever the method; the route and rule labels tell them apart.
metrics::PolicyCounter counter_for(ApiKeyFailure failure) {
  switch (failure) {
    case ApiKeyFailure::kMissing:
      return metrics::PolicyCounter::kAuthMissingKey;
    case ApiKeyFailure::kRepeatedHeader:
      return metrics::PolicyCounter::kAuthRepeatedHeader;
    case ApiKeyFailure::kMalformed:
      return metrics::PolicyCounter::kAuthMalformed;
    case ApiKeyFailure::kUnknownKey:
      return metrics::PolicyCounter::kAuthUnknownKey;
  }
  return metrics::PolicyCounter::kAuthUnknownKey;
}

// DESIGN.md §4's Bearer challenge first (every auth failure of every method
// reads the same to a client that knows only the contract), then the
// challenge that says where an API key goes (docs/decisions.md).
LocalReply unauthorized(std::string_view bearer, const std::string& challenge,
                        std::string_view error) {
  LocalReply out;
  out.status = 401;
  out.headers.push_back({"www-authenticate", std::string(bearer)});
  out.headers.push_back({"www-authenticate", challenge});
  out.headers.push_back({"content-type", "application/json"});
  out.body = http::error_body(error, 401);
  return out;
}

// One object for every exchange on every worker (StatelessFilter): the key
// set is immutable and its lookup const.
class ApiKeyFilter final : public StatelessFilter {
 public:
  ApiKeyFilter(std::string header, std::optional<identity::ApiKeySet> keys)
      : header_(std::move(header)),
        // An API key is not a bearer token (it is not sent in Authorization),
        // so the challenge names its own scheme and the header to send it in
        // (docs/decisions.md). RFC 6750's split: no error code when no key
        // came, one code for every key refused.
        missing_challenge_("ApiKey header=\"" + header_ + "\""),
        invalid_challenge_(missing_challenge_ + ", error=\"invalid_key\""),
        keys_(std::move(keys)) {}

  FilterStatus on_request(FilterContext& ctx, LocalReply& reply) override {
    // Two views are enough to tell one field from several; they point into
    // the request and are read before the fields are removed.
    std::array<std::string_view, 2> fields;
    size_t count = 0;
    for (const http::Header& h : ctx.request.headers) {
      if (h.name != header_) continue;
      if (count < fields.size()) fields[count] = h.value;
      ++count;
    }
    const size_t seen = std::min(count, fields.size());
    std::optional<ApiKeyFailure> failure;
    std::string_view id;
    if (!keys_) {
      failure = ApiKeyFailure::kUnknownKey;  // no usable set: nothing matches (fail closed)
    } else if (auto found = keys_->authenticate(std::span(fields.data(), seen)); found.ok()) {
      id = found.value();  // lives as long as keys_
    } else {
      failure = found.error();
    }
    // Whatever the verdict, the key never reaches the backend (nor a later
    // filter's log line).
    if (count > 0) {
      http::erase_if(ctx.request.headers, [&](const http::Header& h) { return h.name == header_; });
    }
    if (failure) {
      ctx.count(counter_for(*failure));
      reply = *failure == ApiKeyFailure::kMissing
                  ? unauthorized("Bearer", missing_challenge_, "unauthorized")
                  : unauthorized("Bearer error=\"invalid_token\"", invalid_challenge_, "invalid_key");
      return FilterStatus::kLocalReply;
    }
    ctx.set_identity(id);
    return FilterStatus::kContinue;
  }

 private:
  std::string header_;  // lower case, as request field names are
  std::string missing_challenge_;
  std::string invalid_challenge_;
  std::optional<identity::ApiKeySet> keys_;  // nullopt: the snapshot's set was unusable
};

}  // namespace

std::unique_ptr<const FilterConfig> make_api_key_filter(const config::ApiKeyAuth& config) {
  std::vector<identity::ApiKeyDigestView> views;
  views.reserve(config.keys.size());
  for (const config::ApiKeyDigest& key : config.keys) views.push_back({key.id, key.sha256});
  auto keys = identity::ApiKeySet::create(config.header, views);
  // Snapshot validation refuses what create() refuses, so this is a guard:
  // a set that cannot be built refuses every request rather than letting the
  // route be served without authentication.
  std::optional<identity::ApiKeySet> usable;
  if (keys.ok()) usable.emplace(std::move(keys).value());
  return std::make_unique<ApiKeyFilter>(config.header, std::move(usable));
}

}  // namespace archway::filters::auth
