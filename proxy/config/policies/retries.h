#pragma once
// The `retries` policy as the snapshot carries it (docs/snapshot.md
// "retries"): the APIRoute field of the same name, with `on`/`retryOn`
// folded into one list. Plain values; retries.cc decodes and checks them.

#include <chrono>
#include <cstdint>
#include <vector>

namespace archway::config {

enum class RetryOn { kConnectFailure, kRefusedStream, kReset, kGatewayError, k5xx };

struct RetryBackoff {
  std::chrono::milliseconds base{25};  // first wait; never longer than max
  std::chrono::milliseconds max{250};  // longest wait (full jitter below it)

  bool operator==(const RetryBackoff&) const = default;
};

struct Retries {
  uint32_t attempts = 0;  // retries after the first attempt, 0..10; 0 turns retries off
  // Distinct conditions; the CRD's default when neither `on` nor `retryOn`
  // is given. Only the first two are always safe for non-idempotent methods.
  std::vector<RetryOn> retry_on = {RetryOn::kConnectFailure, RetryOn::kRefusedStream};
  // Backend statuses retried besides (400..599, distinct, at most 16):
  // `statusCodes`; empty when not given.
  std::vector<uint16_t> status_codes;
  RetryBackoff backoff;
  uint32_t budget_percent = 20;  // retries add at most this % of requests in flight, 0..100

  bool operator==(const Retries&) const = default;
};

}  // namespace archway::config
