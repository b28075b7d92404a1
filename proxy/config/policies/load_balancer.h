#pragma once
// A cluster's `loadBalancer` (docs/snapshot.md "loadBalancer",
// docs/resilience.md "Balancing"): how the proxy picks one endpoint of the
// cluster for each request. Absent: least request with two random choices.
// Carried per cluster, not per route, because the counts it balances on
// (requests in flight per endpoint) belong to the endpoints; the controller
// gives a rule with its own balancing a cluster of its own.

#include <chrono>
#include <optional>
#include <string>

namespace archway::config {

enum class BalancerPolicy { kLeastRequest, kRoundRobin, kConsistentHash };

// ConsistentHash on a cookie: when the request has none, the proxy makes
// a value up, hashes on it and sets the cookie on the response (HttpOnly),
// so the client sticks to the endpoint from then on.
struct HashCookie {
  std::string name;                  // an RFC 6265 cookie name (a token)
  std::chrono::milliseconds ttl{0};  // Max-Age; 0: a session cookie
  std::string path = "/";            // Path attribute

  bool operator==(const HashCookie&) const = default;
};

// What ConsistentHash hashes: exactly one is set.
struct HashOn {
  std::optional<std::string> header;  // lower case; absent in a request: a random endpoint
  std::optional<HashCookie> cookie;
  bool client_address = false;

  bool operator==(const HashOn&) const = default;
};

struct LoadBalancer {
  BalancerPolicy policy = BalancerPolicy::kLeastRequest;
  std::optional<HashOn> hash_on;  // ConsistentHash only, and required there

  bool operator==(const LoadBalancer&) const = default;
};

}  // namespace archway::config
