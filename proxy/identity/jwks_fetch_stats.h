#pragma once
// What the JWKS fetches of the whole process came to, for
// archway_auth_jwks_fetches_total{result} and the
// archway_auth_jwks_fetch_duration_seconds histogram (docs/auth.md
// "Metrics"). One object per JwksCache, written by the thread that ends a
// fetch (a few per hour), read by a scrape; a mutex is plenty.
//
// No `uri` label: the URIs come from routes that anyone allowed to write an
// APIRoute can add, and a counter family never forgets a label set, so the
// series would grow with every URI ever named. Which URI fails is what the
// admin API's GET /jwks and the APIRoute's JWKSReady condition say.

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string_view>

namespace archway::identity {

// How one fetch ended (the `result` label).
enum class JwksFetchResult : uint8_t {
  kSuccess,      // a 200 whose body is a usable JWK Set
  kUnreachable,  // no response: connect, TLS, timeout, a response too large
  kHttpError,    // a response other than 200
  kInvalidJwks,  // a 200 whose body the JWK Set rules refuse
};
inline constexpr size_t kJwksFetchResultCount = 4;
[[nodiscard]] std::string_view jwks_fetch_result_name(JwksFetchResult result);

// Upper bounds in seconds; the fetch itself times out at 5 s.
inline constexpr std::array<double, 10> kJwksFetchBuckets = {0.005, 0.01, 0.025, 0.05, 0.1,
                                                             0.25,  0.5,  1.0,   2.5,  5.0};

struct JwksFetchCounts {
  std::array<uint64_t, kJwksFetchResultCount> by_result{};
  std::array<uint64_t, kJwksFetchBuckets.size() + 1> buckets{};  // not cumulative; last: +Inf
  double seconds_sum = 0;
  uint64_t count = 0;
};

class JwksFetchStats {
 public:
  void record(JwksFetchResult result, std::chrono::duration<double> took);
  [[nodiscard]] JwksFetchCounts counts() const;

 private:
  mutable std::mutex mu_;
  JwksFetchCounts counts_;
};

}  // namespace archway::identity
