#pragma once
// Per-worker request statistics. Owned and written by one worker thread with
// no atomics or locks; a scrape posts a message to each worker, which copies
// its stats into a StatsSnapshot, and the admin thread merges and renders
// them (metrics/prometheus.h). So the request path pays one hash-map bump.
//
// Keys are the CompiledRoute pointer of the pinned table (no string built per
// request); labels are copied once per route the first time it is seen. On a
// table swap fold() moves counts to label-keyed storage, so a pointer is never
// looked up after its table could have been freed and its address reused.

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "proxy/metrics/histogram.h"
#include "proxy/metrics/introspection_call_stats.h"
#include "proxy/metrics/label_budget.h"
#include "proxy/metrics/upstream_stats.h"

namespace archway::metrics {

// Per-route events counted by policies (proxy/filters/), each rendered as
// a counter family with route and rule labels; counters that share a family
// (consecutive here) differ by their `reason` label.
enum class PolicyCounter : uint8_t {
  kCorsDenied,
  // archway_auth_failures_total: one per reason, in identity::JwtFailure's
  // order first (the JWT filter maps a failure by offset from
  // kAuthMalformed), then the filter's own reasons.
  kAuthMalformed,
  kAuthTooLarge,
  kAuthAlgNotAllowed,
  kAuthUnknownKey,
  kAuthBadSignature,
  kAuthUnknownCrit,
  kAuthWrongType,
  kAuthMissingExp,
  kAuthExpired,
  kAuthNotYetValid,
  kAuthWrongIssuer,
  kAuthWrongAudience,
  kAuthInsufficientScope,
  kAuthMissingToken,     // no Authorization: Bearer credentials
  kAuthKeysUnavailable,  // no usable key set: the JWKS could not be fetched (503)
  kAuthMissingKey,       // auth.apiKey: no field of the key header
  kAuthRepeatedHeader,   // auth.apiKey: more than one field of it
  // OAuth2 introspection's own reasons (identity::IntrospectionFailure);
  // its others share the JWT names above.
  kAuthInactive,                    // the endpoint said "active": false
  kAuthIntrospectionUnavailable,    // no answer from the endpoint (503)
  kAuthIntrospectionEndpointError,  // an answer that is not RFC 7662 (503)
  kRateLimited,                     // archway_ratelimit_limited_total: a 429
  kRateLimitUnavailable,            // a Global rule with fallback Deny refused (503)
  // Not a failure: a request let through on a stale introspection answer
  // (staleGracePeriod) because the endpoint failed.
  kAuthIntrospectionStale,
  // The cache (docs/cache.md "Metrics"); one of hit, miss or stale per
  // eligible request, coalesced besides for a hit another request filled.
  kCacheHit,
  kCacheMiss,
  kCacheStale,
  kCacheCoalesced,
};
struct PolicyCounterName {
  const char* family;
  const char* reason;  // nullptr: the family has no reason label
};
inline constexpr std::array<PolicyCounterName, 28> kPolicyCounterNames = {{
    // a request or preflight from an origin the CORS policy refuses
    {"archway_cors_denied_total", nullptr},
    // a request the auth policy refused (401, 403, 503), by reason
    {"archway_auth_failures_total", "malformed"},
    {"archway_auth_failures_total", "too_large"},
    {"archway_auth_failures_total", "alg_not_allowed"},
    {"archway_auth_failures_total", "unknown_key"},
    {"archway_auth_failures_total", "bad_signature"},
    {"archway_auth_failures_total", "unknown_crit"},
    {"archway_auth_failures_total", "wrong_type"},
    {"archway_auth_failures_total", "missing_exp"},
    {"archway_auth_failures_total", "expired"},
    {"archway_auth_failures_total", "not_yet_valid"},
    {"archway_auth_failures_total", "wrong_issuer"},
    {"archway_auth_failures_total", "wrong_audience"},
    {"archway_auth_failures_total", "insufficient_scope"},
    {"archway_auth_failures_total", "missing_token"},
    {"archway_auth_failures_total", "keys_unavailable"},
    {"archway_auth_failures_total", "missing_key"},
    {"archway_auth_failures_total", "repeated_header"},
    {"archway_auth_failures_total", "inactive"},
    {"archway_auth_failures_total", "endpoint_unavailable"},
    {"archway_auth_failures_total", "endpoint_error"},
    // a request the rate limit refused (429)
    {"archway_ratelimit_limited_total", nullptr},
    // a Global limit whose Redis could not be reached and whose fallback is Deny (503)
    {"archway_ratelimit_unavailable_total", nullptr},
    // a request let through on a stale introspection answer while the endpoint failed
    {"archway_auth_introspection_stale_total", nullptr},
    // a request answered from the cache while fresh (304s included)
    {"archway_cache_hits_total", nullptr},
    // an eligible request the cache sent to the backend
    {"archway_cache_misses_total", nullptr},
    // a request answered with a stale entry (stale-while-revalidate, stale-if-error, max-stale)
    {"archway_cache_stale_total", nullptr},
    // a miss that waited for another request's fill and was answered from it
    {"archway_cache_coalesced_total", nullptr},
}};

// archway_aggregate_part_requests_total's `outcome` label, indexed by
// filters::aggregate::PartOutcome (docs/aggregation.md "Metrics").
inline constexpr std::array<const char*, 7> kAggregateOutcomeNames = {
    "ok", "timeout", "unreachable", "no_endpoint", "bad_status", "not_json", "too_large"};

// archway_upstream_retries_total's `reason` label, indexed by
// resilience::RetryReason (docs/resilience.md "Metrics"); the slot after
// them counts archway_upstream_retry_budget_exhausted_total.
inline constexpr std::array<const char*, 6> kRetryReasonNames = {
    "connect-failure", "reset", "gateway-error", "status", "refused-stream", "timeout"};
inline constexpr size_t kRetryBudgetExhaustedSlot = kRetryReasonNames.size();
using RetryCounts = std::array<uint64_t, kRetryReasonNames.size() + 1>;

struct StatsSnapshot {
  // (route, rule, code) → count
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests;
  // (route, rule, PolicyCounter) → count
  std::map<std::tuple<std::string, std::string, int>, uint64_t> policy_events;
  // (route, rule, version) → requests served as that version
  // (archway_version_requests_total; versions are declared, so bounded)
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> version_requests;
  // (route, rule, part, outcome index) → count
  std::map<std::tuple<std::string, std::string, std::string, int>, uint64_t> aggregate_parts;
  // cluster → retries by reason, then budget exhaustions
  std::map<std::string, RetryCounts> retries;
  // route → archway_request_duration_seconds, and its exemplars
  std::map<std::string, DurationHistogram> durations;
  std::map<std::string, Exemplars> exemplars;
  // cluster → archway_upstream_* (upstream_stats.h)
  std::map<std::string, UpstreamCounts> upstream;
  // cluster → backend connections open now
  std::map<std::string, int64_t> upstream_connections;
  int64_t connections_active = 0;
  uint64_t h2_glitch_goaways = 0;
  uint64_t worker_loop_exceptions = 0;
  IntrospectionCallStats introspection_calls;

  void merge(const StatsSnapshot& other);
};

class WorkerStats {
 public:
  // `label_limit`: the series budget for route and cluster names
  // (label_budget.h).
  explicit WorkerStats(size_t label_limit = kDefaultLabelLimit)
      : route_budget_(label_limit), upstream_(label_limit) {}

  // Off (--no-request-metrics, for measuring what metrics cost): requests,
  // durations, attempts and backend connections are not counted.
  void set_request_metrics(bool on) {
    request_metrics_ = on;
    upstream_.set_enabled(on);
  }
  [[nodiscard]] bool request_metrics() const { return request_metrics_; }

  // `route_key` identifies the route within the live table (nullptr: no
  // route); labels are only read the first time a key is seen.
  // `trace_id`: the request's trace when it is sampled (32 hex digits),
  // kept as the duration bucket's exemplar; empty otherwise.
  void record(const void* route_key, const std::string& route, const std::string& rule, int code,
              double seconds, std::string_view trace_id = {});
  // A policy event on a route; keyed and folded like record().
  void count_policy(const void* route_key, const std::string& route, const std::string& rule,
                    PolicyCounter counter);
  // A request served as a declared version of a versioned route;
  // `version_index` is its position in the route's versions (the key),
  // `version` its name (read only the first time a key is seen).
  void count_version(const void* route_key, const std::string& route, const std::string& rule,
                     int version_index, const std::string& version);
  // One aggregate part's outcome (an index of kAggregateOutcomeNames).
  // `part_key` is the part in the pinned table's snapshot; keyed and folded
  // like record().
  void count_aggregate_part(const void* part_key, const std::string& route, const std::string& rule,
                            const std::string& part, int outcome);
  void fold();
  [[nodiscard]] StatsSnapshot snapshot() const;

  // A retry to `cluster` for reason `reason` (an index of
  // kRetryReasonNames), or one the retry budget refused
  // (kRetryBudgetExhaustedSlot). Keyed by name: clusters outlive tables,
  // and a retry is rare enough for a map lookup (no allocation once the
  // cluster is known).
  void count_retry(std::string_view cluster, size_t slot);

  // Backend attempts by cluster (upstream_stats.h).
  [[nodiscard]] UpstreamStats& upstream() { return upstream_; }
  // The count a new backend connection to `cluster` is kept in while it
  // lives (counted_connection.h). Asked once per new connection.
  [[nodiscard]] std::shared_ptr<int64_t> connection_gauge(const std::string& cluster);

  void connection_opened() { ++connections_active_; }
  void connection_closed() { --connections_active_; }
  void glitch_goaway() { ++glitch_goaways_; }
  void loop_exception() { ++loop_exceptions_; }
  // This worker's introspection calls (introspection_call_stats.h).
  [[nodiscard]] IntrospectionCallStats& introspection_calls() { return introspection_calls_; }

 private:
  struct Labels {
    std::string route;
    std::string rule;
    DurationHistogram durations;
    Exemplars exemplars;
  };
  Labels& labels_of(const void* route_key, const std::string& route, const std::string& rule);
  struct KeyHash {
    size_t operator()(const std::pair<const void*, int>& k) const {
      return std::hash<const void*>()(k.first) * 31 + static_cast<size_t>(k.second);
    }
  };
  std::unordered_map<std::pair<const void*, int>, uint64_t, KeyHash> live_;
  std::unordered_map<const void*, Labels> labels_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> folded_;
  std::unordered_map<std::pair<const void*, int>, uint64_t, KeyHash> live_policy_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> folded_policy_;
  struct VersionCount {
    std::string version;
    uint64_t count = 0;
  };
  std::unordered_map<std::pair<const void*, int>, VersionCount, KeyHash> live_version_;
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> folded_version_;
  struct PartLabels {
    std::string route;
    std::string rule;
    std::string part;
  };
  std::unordered_map<std::pair<const void*, int>, uint64_t, KeyHash> live_parts_;
  std::unordered_map<const void*, PartLabels> part_labels_;
  std::map<std::tuple<std::string, std::string, std::string, int>, uint64_t> folded_parts_;
  std::map<std::string, RetryCounts, std::less<>> retries_;
  std::map<std::string, DurationHistogram> folded_durations_;
  std::map<std::string, Exemplars> folded_exemplars_;
  LabelBudget route_budget_;
  bool request_metrics_ = true;
  UpstreamStats upstream_;
  std::map<std::string, std::shared_ptr<int64_t>, std::less<>> connection_gauges_;
  int64_t connections_active_ = 0;
  uint64_t glitch_goaways_ = 0;
  uint64_t loop_exceptions_ = 0;
  IntrospectionCallStats introspection_calls_;
};

}  // namespace archway::metrics
