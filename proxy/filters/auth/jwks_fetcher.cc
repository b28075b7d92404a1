#include "proxy/filters/auth/jwks_fetcher.h"

#include "proxy/filters/auth/auth.h"
#include "proxy/http/field_text.h"

#include <charconv>
#include <utility>

namespace archway::filters::auth {
namespace {

constexpr std::chrono::milliseconds kFetchTimeout{5000};
// JwkSet's own limit (jwk_set.h) is 64 KiB; a little more lets it say so.
constexpr uint64_t kMaxJwksBytes = 128 * 1024;

}  // namespace

std::optional<std::chrono::seconds> cache_control_max_age(std::string_view value) {
  std::optional<std::chrono::seconds> out;
  while (!value.empty()) {
    const size_t comma = value.find(',');
    const std::string_view directive = http::trim_ows(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    const size_t eq = directive.find('=');
    const std::string_view name = http::trim_ows(directive.substr(0, eq));
    if (http::iequals(name, "no-store") || http::iequals(name, "no-cache"))
      return std::chrono::seconds(0);
    if (!http::iequals(name, "max-age") || eq == std::string_view::npos) continue;
    std::string_view number = http::trim_ows(directive.substr(eq + 1));
    if (number.size() >= 2 && number.front() == '"' && number.back() == '"') {
      number = number.substr(1, number.size() - 2);
    }
    int64_t seconds = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), seconds);
    if (ec != std::errc() || end != number.data() + number.size() || seconds < 0) continue;
    out = std::chrono::seconds(seconds);
  }
  return out;
}

identity::JwksFetcher jwks_fetcher(outbound::HttpClient& client) {
  return [&client](const std::string& uri, identity::JwksFetchDone done) {
    outbound::OutboundRequest request;
    request.url = uri;
    request.headers.push_back({"accept", "application/jwk-set+json, application/json"});
    request.timeout = kFetchTimeout;
    request.max_response_bytes = kMaxJwksBytes;
    client.fetch_detached(std::move(request), [done = std::move(done)](
                                                  Result<outbound::OutboundResponse> response) {
      if (!response.ok()) {
        done(response.error());
        return;
      }
      // The cache judges the status (only a 200 counts) and counts it.
      identity::JwksDocument document{std::move(response->body), std::nullopt, response->status};
      if (const http::Header* cc = http::find_header(response->headers, "cache-control")) {
        document.max_age = cache_control_max_age(cc->value);
      }
      done(std::move(document));
    });
  };
}

}  // namespace archway::filters::auth

namespace archway::filters {

void prefetch_jwks(SharedPolicyState& shared, outbound::HttpClient& client) {
  const auto now = identity::JwksClock::now();
  const identity::JwksFetcher fetcher = auth::jwks_fetcher(client);
  for (const auto& source : shared.jwks.live_sources()) {
    if (source->keys()) continue;
    // Nobody waits: the requests that will need the keys queue their own waiters.
    (void)source->request(identity::JwksSource::Need::kFirstKeys, now, fetcher, nullptr);
  }
}

}  // namespace archway::filters
