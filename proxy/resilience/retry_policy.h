#pragma once
// Whether a failed attempt of a request is tried again, and after how long
// (docs/resilience.md "Retries"). Pure: the exchange describes the attempt
// and the request, these functions decide; no clock, the random number is
// a parameter (the worker's generator), so the tables in
// tests/proxy/resilience/retry_policy_test.cc cover every case.
//
// The conditions mirror the route's `retries.retryOn` (config::RetryOn) as
// bits, so that this folder stays below config/.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace archway::resilience {

// What ended an attempt without a usable answer.
enum class AttemptFailure : uint8_t {
  kConnect,  // no connection could be made (TCP connect, TLS handshake)
  kRefused,  // HTTP/2 REFUSED_STREAM: the backend did not process it
  kReset,    // connection or stream reset before a complete head
  kTimeout,  // the attempt's backendRequest timeout
  kStatus,   // the backend answered with a status (see `status`)
};

// The `reason` label of archway_upstream_retries_total.
enum class RetryReason : uint8_t {
  kConnectFailure,
  kReset,
  kGatewayError,
  kStatus,
  kRefusedStream,
  kTimeout,
};
inline constexpr size_t kRetryReasonCount = 6;
[[nodiscard]] std::string_view retry_reason_name(RetryReason reason);

// config::RetryOn as bits.
enum RetryCondition : uint8_t {
  kRetryOnConnectFailure = 1 << 0,
  kRetryOnRefusedStream = 1 << 1,
  kRetryOnReset = 1 << 2,
  kRetryOnGatewayError = 1 << 3,
  kRetryOn5xx = 1 << 4,
};

struct RetryConditions {
  uint8_t on = 0;                          // RetryCondition bits
  std::span<const uint16_t> status_codes;  // also retried, whatever `on` says
};

// Why this failure is retried under `conditions`, or nullopt when it is
// not. A timeout counts as a 504 (gateway-error, 5xx, or 504 listed).
[[nodiscard]] std::optional<RetryReason> retry_reason(const RetryConditions& conditions,
                                                      AttemptFailure failure, int status = 0);

// RFC 9110 §9.2.2: GET, HEAD, OPTIONS, TRACE, PUT, DELETE.
[[nodiscard]] bool idempotent_method(std::string_view method);

// The request body as a retry sees it.
enum class ReplayBody : uint8_t {
  kNone,     // no body
  kHeld,     // every byte so far in the replay buffer (the rest may still come)
  kNotHeld,  // over the buffer's limit, or with trailers
};

// Whether the request may be sent again after `failure`: its body can be
// replayed and, unless nothing reached the backend's application
// (connect failure, refused stream), its method is idempotent. The
// exchange checks besides that no response byte went to the client.
[[nodiscard]] bool safe_to_resend(std::string_view method, ReplayBody body, AttemptFailure failure);

// The wait before retry number `retry` (1 for the first retry):
// exponential backoff with full jitter, uniform in
// [0, min(max, base × 2^(retry-1))]. `random` is any 64-bit random number.
[[nodiscard]] std::chrono::milliseconds backoff_delay(std::chrono::milliseconds base,
                                                      std::chrono::milliseconds max, uint32_t retry,
                                                      uint64_t random);

// A Retry-After field value in delta-seconds (RFC 9110 §10.2.3), or
// nullopt when it is anything else (an HTTP-date included).
[[nodiscard]] std::optional<std::chrono::seconds> retry_after_seconds(std::string_view value);

}  // namespace archway::resilience
