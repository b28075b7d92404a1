// proxy-next-upstream(-tries), limit-rps / limit-rpm (+ limit-burst-
// multiplier), upstream-hash-by, affinity + session-cookie-*, enable-cors +
// cors-*. Each policy is built typed and checked by the proxy's own
// validator (config/policies/codec.h), as an APIRoute's would be.
#include <algorithm>
#include <sstream>
#include <string_view>

#include "controller/compile/json_access.h"
#include "controller/compile/nginx_annotations/annotation_values.h"
#include "controller/compile/nginx_annotations/reader.h"
#include "proxy/config/field_checks.h"
#include "proxy/config/policies/codec.h"

namespace archway::controller::compile::nginx {
namespace {

template <typename Policy>
bool proxy_accepts(Reader& r, const std::string& name, const Policy& policy) {
  if (auto valid = config::validate(policy, "value"); !valid.ok()) {
    return r.reject(name, valid.error().to_string());
  }
  return true;
}

void add_unique(std::vector<config::RetryOn>& list, config::RetryOn on) {
  if (std::find(list.begin(), list.end(), on) == list.end()) list.push_back(on);
}

void add_unique(std::vector<uint16_t>& list, uint16_t code) {
  if (std::find(list.begin(), list.end(), code) == list.end()) list.push_back(code);
}

// proxy-next-upstream: nginx's space-separated conditions. "timeout" is
// retried as the proxy retries a timed-out attempt: as a 504.
bool retry_conditions(Reader& r, const std::string& value, config::Retries& retries, bool& off) {
  const std::string name = "proxy-next-upstream";
  if (value.size() > kMaxValueLength || has_hostile_character(value)) {
    return r.reject(name, "contains a control character or one of { } ; \" ' ` \\");
  }
  retries.retry_on.clear();
  retries.status_codes.clear();
  std::istringstream words(value);
  std::string word;
  bool any = false;
  while (words >> word) {
    any = true;
    if (word == "error") {
      add_unique(retries.retry_on, config::RetryOn::kConnectFailure);
      add_unique(retries.retry_on, config::RetryOn::kRefusedStream);
      add_unique(retries.retry_on, config::RetryOn::kReset);
    } else if (word == "timeout") {
      add_unique(retries.status_codes, 504);
    } else if (word == "invalid_header") {
      add_unique(retries.retry_on, config::RetryOn::kReset);
    } else if (word == "http_500" || word == "http_502" || word == "http_503" ||
               word == "http_504" || word == "http_403" || word == "http_404" ||
               word == "http_429") {
      add_unique(retries.status_codes, static_cast<uint16_t>(std::stoi(word.substr(5))));
    } else if (word == "non_idempotent") {
      r.not_honoured(name + " non_idempotent");
    } else if (word == "off") {
      off = true;
    } else {
      return r.reject(name, "\"" + word +
                                "\" is not one of error, timeout, invalid_header, http_500, "
                                "http_502, http_503, http_504, http_403, http_404, http_429, "
                                "non_idempotent, off");
    }
  }
  if (!any) return r.reject(name, "is empty");
  return true;
}

bool retries(Reader& r) {
  const std::string* conditions = r.get("proxy-next-upstream");
  std::optional<int64_t> tries;
  if (!r.read(
          "proxy-next-upstream-tries", [](std::string_view v) { return read_int(v, 0, 100); },
          tries)) {
    return false;
  }
  if (conditions == nullptr && !tries) return true;
  config::Retries policy;
  // nginx's default conditions are "error timeout".
  policy.retry_on = {config::RetryOn::kConnectFailure, config::RetryOn::kRefusedStream,
                     config::RetryOn::kReset};
  policy.status_codes = {504};
  bool off = false;
  if (conditions != nullptr && !retry_conditions(r, *conditions, policy, off)) return false;
  // tries counts the first attempt (0: unlimited, here the proxy's most);
  // nginx's default is 3.
  const int64_t t = tries.value_or(3);
  policy.attempts = t == 0 ? 10 : static_cast<uint32_t>(std::min<int64_t>(t - 1, 10));
  if (off) policy = config::Retries{};  // attempts 0: no retries
  std::sort(policy.status_codes.begin(), policy.status_codes.end());
  if (!proxy_accepts(r, "proxy-next-upstream", policy)) return false;
  r.out.retries = std::move(policy);
  return true;
}

bool rate_limits(Reader& r) {
  auto count = [](std::string_view v) { return read_int(v, 1, 1000000); };
  std::optional<int64_t> rps, rpm, multiplier;
  if (!r.read("limit-rps", count, rps) || !r.read("limit-rpm", count, rpm) ||
      !r.read(
          "limit-burst-multiplier", [](std::string_view v) { return read_int(v, 1, 100); },
          multiplier)) {
    return false;
  }
  if (!rps && !rpm) return true;
  // nginx applies both; one token bucket per rule here: the per-second one.
  if (rps && rpm) r.not_honoured("limit-rpm");
  config::RateLimit limit;
  limit.requests = static_cast<uint64_t>(rps ? *rps : *rpm);
  limit.period = std::chrono::milliseconds(rps ? 1000 : 60000);
  limit.burst = limit.requests * static_cast<uint64_t>(multiplier.value_or(5));
  limit.key = config::RateLimitKey::kClientIp;
  if (!proxy_accepts(r, rps ? "limit-rps" : "limit-rpm", limit)) return false;
  r.out.rate_limit = limit;
  return true;
}

// upstream-hash-by: one nginx variable. The proxy hashes on the client's
// address, a header or a cookie; another variable is flagged, anything
// that is not a variable name refused.
bool hash_by(Reader& r, std::optional<config::HashOn>& hash_on) {
  const std::string name = "upstream-hash-by";
  const std::string* value = r.get(name);
  if (value == nullptr) return true;
  bool variables = value->size() >= 2 && value->size() <= 256 && value->front() == '$';
  for (const char c : *value) {
    variables = variables && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                              c == '-' || c == '$');
  }
  if (!variables)
    return r.reject(name, "\"" + *value +
                              "\" is not an nginx variable such as "
                              "$remote_addr, $http_x_user or $cookie_session");
  const std::string var = value->substr(1);
  config::HashOn on;
  if (var == "remote_addr" || var == "binary_remote_addr") {
    on.client_address = true;
  } else if (var.starts_with("http_") && var.size() > 5 && var.find('$') == std::string::npos) {
    std::string header = var.substr(5);
    std::replace(header.begin(), header.end(), '_', '-');
    on.header = header;
  } else if (var.starts_with("cookie_") && var.size() > 7 && var.find('$') == std::string::npos) {
    on.cookie = config::HashCookie{var.substr(7), std::chrono::milliseconds(0), "/"};
  } else {
    r.not_honoured(name);
    return true;
  }
  hash_on = std::move(on);
  return true;
}

bool affinity(Reader& r, std::optional<config::HashOn>& hash_on) {
  const std::string* mode = r.get("affinity");
  const std::string* cookie_name = r.get("session-cookie-name");
  const std::string* cookie_path = r.get("session-cookie-path");
  std::optional<std::chrono::milliseconds> max_age, expires;
  if (!r.read("session-cookie-max-age", read_seconds, max_age) ||
      !r.read("session-cookie-expires", read_seconds, expires)) {
    return false;
  }
  if (mode == nullptr) {
    for (const char* n : {"session-cookie-name", "session-cookie-path", "session-cookie-max-age",
                          "session-cookie-expires"}) {
      if (r.all.count(n)) r.not_honoured(n);  // meaningless without affinity, as in nginx
    }
    return true;
  }
  if (*mode != "cookie") return r.reject("affinity", "\"" + *mode + "\" is not \"cookie\"");
  if (hash_on) {
    return r.reject("affinity", "set at most one of affinity and upstream-hash-by");
  }
  config::HashCookie cookie;
  cookie.name = cookie_name != nullptr ? *cookie_name : "INGRESSCOOKIE";
  if (has_hostile_character(cookie.name) || !config::is_token(cookie.name)) {
    return r.reject("session-cookie-name", "\"" + cookie.name + "\" is not a cookie name");
  }
  if (cookie_path != nullptr) {
    if (has_hostile_character(*cookie_path) || config::check_path(*cookie_path, false)) {
      return r.reject("session-cookie-path", "\"" + *cookie_path + "\" is not a plain path");
    }
    cookie.path = *cookie_path;
  }
  cookie.ttl = max_age ? *max_age : expires.value_or(std::chrono::milliseconds(0));
  config::HashOn on;
  on.cookie = std::move(cookie);
  hash_on = std::move(on);
  return true;
}

}  // namespace

bool read_resilience(Reader& r) {
  if (!retries(r) || !rate_limits(r)) return false;
  std::optional<config::HashOn> hash_on;
  if (!hash_by(r, hash_on) || !affinity(r, hash_on)) return false;
  if (!hash_on) return true;
  config::LoadBalancer lb;
  lb.policy = config::BalancerPolicy::kConsistentHash;
  lb.hash_on = std::move(hash_on);
  if (!proxy_accepts(r, r.all.count("affinity") ? "affinity" : "upstream-hash-by", lb)) {
    return false;
  }
  r.out.load_balancer = std::move(lb);
  return true;
}

bool read_cors(Reader& r) {
  std::optional<bool> enabled, credentials;
  std::optional<int64_t> max_age;
  std::optional<std::vector<std::string>> origins, methods, headers, expose;
  if (!r.read("enable-cors", read_bool, enabled) ||
      !r.read("cors-allow-credentials", read_bool, credentials) ||
      !r.read(
          "cors-max-age", [](std::string_view v) { return read_int(v, 0, 315360000); }, max_age) ||
      !r.read("cors-allow-origin", read_list, origins) ||
      !r.read("cors-allow-methods", read_list, methods) ||
      !r.read("cors-allow-headers", read_list, headers) ||
      !r.read("cors-expose-headers", read_list, expose)) {
    return false;
  }
  if (!enabled.value_or(false)) {
    for (const char* n : {"cors-allow-credentials", "cors-max-age", "cors-allow-origin",
                          "cors-allow-methods", "cors-allow-headers", "cors-expose-headers"}) {
      if (r.all.count(n)) r.not_honoured(n);  // ignored without enable-cors, as in nginx
    }
    return true;
  }
  // ingress-nginx's defaults.
  config::Cors cors;
  cors.allow_origins = origins.value_or(std::vector<std::string>{"*"});
  for (auto& o : cors.allow_origins) o = lower(o);
  cors.allow_methods = methods.value_or(
      std::vector<std::string>{"GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"});
  for (auto& m : cors.allow_methods) m = upper(m);
  cors.allow_headers = headers.value_or(std::vector<std::string>{
      "dnt", "keep-alive", "user-agent", "x-requested-with", "if-modified-since", "cache-control",
      "content-type", "range", "authorization"});
  for (auto& h : cors.allow_headers) h = lower(h);
  cors.expose_headers = expose.value_or(std::vector<std::string>{});
  for (auto& h : cors.expose_headers) h = lower(h);
  cors.max_age = std::chrono::seconds(max_age.value_or(1728000));
  // ingress-nginx sends credentials by default, even with the "*" origin
  // (which browsers then refuse); the proxy never pairs them. Only an
  // explicit "true" with "*" is flagged.
  const bool any_origin = cors.allow_origins == std::vector<std::string>{"*"};
  cors.allow_credentials = credentials.value_or(true) && !any_origin;
  if (credentials.value_or(false) && any_origin) r.not_honoured("cors-allow-credentials");
  if (auto valid = config::validate(cors, "value"); !valid.ok()) {
    // Named after the annotation that carried the refused field.
    const std::string& field = valid.error().field;
    const char* name = field.find("allowOrigins") != std::string::npos    ? "cors-allow-origin"
                       : field.find("allowMethods") != std::string::npos  ? "cors-allow-methods"
                       : field.find("allowHeaders") != std::string::npos  ? "cors-allow-headers"
                       : field.find("exposeHeaders") != std::string::npos ? "cors-expose-headers"
                                                                          : "enable-cors";
    return r.reject(name, valid.error().to_string());
  }
  r.out.cors = std::move(cors);
  return true;
}

}  // namespace archway::controller::compile::nginx
