#include "proxy/filters/versioning/versioning.h"

#include <vector>

#include "proxy/filters/versioning/version_headers.h"
#include "proxy/http/error_body.h"

namespace archway::filters {
namespace {

using routing::VersionResolution;

class VersioningFilter final : public StatelessFilter {
 public:
  VersioningFilter(const config::Route& route, VersionClock clock)
      : versioning_(*route.policies.versioning),
        rewrites_path_(route.rewrite.full_path || route.rewrite.path_prefix),
        clock_(std::move(clock)) {
    headers_.reserve(versioning_.versions.size());
    supported_ = "[";
    for (const config::ApiVersion& v : versioning_.versions) {
      headers_.push_back(version_headers(v));
      // Names are [A-Za-z0-9._-] (versioning.cc): nothing to escape.
      supported_ += (supported_.size() > 1 ? ",\"" : "\"") + v.name + "\"";
    }
    supported_ += "]";
  }

  [[nodiscard]] bool has_response_hook() const override { return true; }

  FilterStatus on_request(FilterContext& ctx, LocalReply& reply) override {
    if (!ctx.match.version) return FilterStatus::kContinue;  // not matched as versioned
    const VersionResolution& resolution = *ctx.match.version;
    switch (resolution.outcome) {
      case VersionResolution::Outcome::kUnknown: {
        // Accept negotiates a representation: none acceptable is 406
        // (RFC 9110 §15.5.7). Elsewhere the request itself is wrong: 400.
        const int status = resolution.source == config::VersionSourceType::kAccept ? 406 : 400;
        reply = error(status, "unsupported API version \"" + resolution.version + "\"");
        return FilterStatus::kLocalReply;
      }
      case VersionResolution::Outcome::kMissing:
        reply = error(400, "missing API version");
        return FilterStatus::kLocalReply;
      case VersionResolution::Outcome::kResolved:
      case VersionResolution::Outcome::kDefault:
        break;
    }
    const size_t index = index_of(resolution.version);
    if (index == versioning_.versions.size()) return FilterStatus::kContinue;  // not reached
    const config::ApiVersion& version = versioning_.versions[index];
    ctx.state() = index + 1;  // on_response_head adds this version's fields
    ctx.count_version(static_cast<int>(index), version.name);
    if (!version.brownouts.empty() && in_brownout(version, now())) {
      // The reply is built whole (filter_chain.cc): it carries its fields.
      reply = error(410, "API version \"" + version.name + "\" is unavailable during a brownout");
      for (const http::Header& h : headers_[index]) reply.headers.push_back(h);
      return FilterStatus::kLocalReply;
    }
    // A path rewrite already says what the backend gets; strip applies to
    // the path as matched otherwise (docs/versioning.md "PathSegment").
    if (resolution.path_segment_length > 0 && !rewrites_path_ && strips()) {
      ctx.path.erase(0, std::min<size_t>(resolution.path_segment_length, ctx.path.size()));
      if (ctx.path.empty() || ctx.path.front() != '/') ctx.path.insert(0, "/");
    }
    return FilterStatus::kContinue;
  }

  void on_response_head(FilterContext& ctx, http::Response& response) override {
    const uintptr_t state = ctx.state();
    if (state == 0 || state > headers_.size()) return;
    for (const http::Header& h : headers_[state - 1]) response.headers.push_back(h);
  }

 private:
  [[nodiscard]] size_t index_of(const std::string& name) const {
    size_t i = 0;
    while (i < versioning_.versions.size() && versioning_.versions[i].name != name) ++i;
    return i;
  }

  [[nodiscard]] bool strips() const {
    for (const config::VersionSource& s : versioning_.sources) {
      if (s.type == config::VersionSourceType::kPathSegment) return s.strip;
    }
    return false;
  }

  [[nodiscard]] std::chrono::sys_seconds now() const {
    if (clock_) return clock_();
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }

  // DESIGN.md §4's error body with the supported versions.
  [[nodiscard]] LocalReply error(int status, std::string_view message) const {
    std::string body = http::error_body(message, status);
    body.pop_back();  // the closing '}'
    body += ",\"supported\":" + supported_ + "}";
    return LocalReply{.status = status,
                      .headers = {{"content-type", "application/json"}},
                      .body = std::move(body)};
  }

  const config::Versioning& versioning_;  // in the snapshot the table context pins
  const bool rewrites_path_;
  const VersionClock clock_;
  std::vector<http::Headers> headers_;  // per version, in declaration order
  std::string supported_;               // ["1","2"]
};

}  // namespace

std::unique_ptr<const FilterConfig> make_versioning_filter(const config::Route& route,
                                                           VersionClock clock) {
  if (!route.policies.versioning) return nullptr;
  return std::make_unique<VersioningFilter>(route, std::move(clock));
}

}  // namespace archway::filters
