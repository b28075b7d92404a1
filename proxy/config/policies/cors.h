#pragma once
// The `cors` policy as the snapshot carries it (docs/snapshot.md "cors").
// Plain values; config/policies/cors.cc (codec.h) fills and checks them, so a
// filter may assume what the comments below promise.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace archway::config {

struct Cors {
  // "*", or "scheme://host[:port]" with scheme and host in lower case; the
  // host may start with "*." (one or more labels in front of the suffix).
  // Never empty.
  std::vector<std::string> allow_origins;
  // Upper-case method tokens, or the single entry "*". Empty: only the
  // CORS-safelisted methods (GET, HEAD, POST), as the Fetch standard reads a
  // missing Access-Control-Allow-Methods.
  std::vector<std::string> allow_methods;
  // Header names in lower case, or the single entry "*".
  std::vector<std::string> allow_headers;
  std::vector<std::string> expose_headers;           // header names in lower case
  bool allow_credentials = false;                    // never together with the "*" origin
  std::optional<std::chrono::milliseconds> max_age;  // preflight cache; absent: not sent

  bool operator==(const Cors&) const = default;
};

}  // namespace archway::config
