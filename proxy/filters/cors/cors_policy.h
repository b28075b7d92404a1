#pragma once
// The CORS rules of one policy, compiled once per snapshot from
// config::Cors: origin matching and the preflight checks of the Fetch
// standard (§3.2 "CORS protocol"). Pure; the filter (cors.cc) applies them.
// Private to filters/cors/.

#include <string>
#include <string_view>
#include <vector>

#include "proxy/config/policies/cors.h"
#include "proxy/http/message.h"

namespace archway::filters::cors {

class CorsPolicy {
 public:
  explicit CorsPolicy(const config::Cors& config);

  // `origin` as the client sent it. Scheme and host compare without case,
  // the port literally (browsers never send a default port); "null" is
  // never allowed, not even by "*" (docs/policies.md "CORS").
  [[nodiscard]] bool origin_allowed(std::string_view origin) const;
  // Access-Control-Request-Method, compared with case (Fetch normalises
  // the common methods to upper case before sending).
  [[nodiscard]] bool method_allowed(std::string_view method) const;
  // Access-Control-Request-Headers (a comma-separated list): true when
  // every name is allowed. "*" does not cover Authorization (Fetch).
  [[nodiscard]] bool headers_allowed(std::string_view requested) const;

  // The Access-Control-Allow-Origin value for an allowed `origin`.
  [[nodiscard]] std::string_view allow_origin_value(std::string_view origin) const {
    return any_origin_ && !credentials_ ? std::string_view("*") : origin;
  }
  // Access-Control-Allow-Methods for a preflight asking `method`; empty:
  // leave the header out (only the safelisted methods are allowed).
  [[nodiscard]] std::string_view allow_methods_value(std::string_view method) const;
  // Access-Control-Allow-Headers for a preflight asking `requested`
  // (already allowed); empty: leave the header out.
  [[nodiscard]] std::string_view allow_headers_value(std::string_view requested) const;

  [[nodiscard]] bool credentials() const { return credentials_; }
  [[nodiscard]] const std::string& expose_headers() const { return expose_headers_; }  // "" none
  [[nodiscard]] const std::string& max_age() const { return max_age_; }                // "" none

 private:
  struct WildcardOrigin {
    std::string scheme;  // "https://"
    std::string suffix;  // ".example.com[:port]"
  };
  std::vector<std::string> exact_origins_;  // lower case
  std::vector<WildcardOrigin> wildcard_origins_;
  std::vector<std::string> methods_;  // empty: safelisted only
  std::vector<std::string> headers_;  // lower case
  std::string methods_joined_;
  bool any_origin_ = false;
  bool any_method_ = false;
  bool any_header_ = false;
  bool credentials_ = false;
  std::string expose_headers_;
  std::string max_age_;
};

// Adds "Origin" to the response's Vary unless a Vary field already names it
// or is "*"; appended to the first Vary field, so none is duplicated.
void merge_vary_origin(http::Headers& headers);

}  // namespace archway::filters::cors
