#include "proxy/resilience/retry_policy.h"

#include <algorithm>

namespace archway::resilience {

std::string_view retry_reason_name(RetryReason reason) {
  switch (reason) {
    case RetryReason::kConnectFailure:
      return "connect-failure";
    case RetryReason::kReset:
      return "reset";
    case RetryReason::kGatewayError:
      return "gateway-error";
    case RetryReason::kStatus:
      return "status";
    case RetryReason::kRefusedStream:
      return "refused-stream";
    case RetryReason::kTimeout:
      return "timeout";
  }
  return "status";
}

namespace {

bool listed(const RetryConditions& c, int status) {
  return std::find(c.status_codes.begin(), c.status_codes.end(), status) != c.status_codes.end();
}

}  // namespace

std::optional<RetryReason> retry_reason(const RetryConditions& c, AttemptFailure failure,
                                        int status) {
  switch (failure) {
    case AttemptFailure::kConnect:
      if (c.on & kRetryOnConnectFailure) return RetryReason::kConnectFailure;
      return std::nullopt;
    case AttemptFailure::kRefused:
      if (c.on & kRetryOnRefusedStream) return RetryReason::kRefusedStream;
      return std::nullopt;
    case AttemptFailure::kReset:
      if (c.on & kRetryOnReset) return RetryReason::kReset;
      return std::nullopt;
    case AttemptFailure::kTimeout:
      // The client would get 504 from the proxy: retried as that status.
      if ((c.on & (kRetryOnGatewayError | kRetryOn5xx)) || listed(c, 504)) {
        return RetryReason::kTimeout;
      }
      return std::nullopt;
    case AttemptFailure::kStatus:
      break;
  }
  if ((c.on & kRetryOnGatewayError) && (status == 502 || status == 503 || status == 504)) {
    return RetryReason::kGatewayError;
  }
  if ((c.on & kRetryOn5xx) && status >= 500 && status <= 599) return RetryReason::kStatus;
  if (listed(c, status)) return RetryReason::kStatus;
  return std::nullopt;
}

bool idempotent_method(std::string_view m) {
  return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "TRACE" || m == "PUT" || m == "DELETE";
}

bool safe_to_resend(std::string_view method, ReplayBody body, AttemptFailure failure) {
  if (body == ReplayBody::kNotHeld) return false;
  // Nothing reached the application: any method may go again.
  if (failure == AttemptFailure::kConnect || failure == AttemptFailure::kRefused) return true;
  return idempotent_method(method);
}

std::chrono::milliseconds backoff_delay(std::chrono::milliseconds base,
                                        std::chrono::milliseconds max, uint32_t retry,
                                        uint64_t random) {
  if (max.count() <= 0) return std::chrono::milliseconds(0);
  int64_t ceiling = std::max<int64_t>(base.count(), 0);
  // Doubling stops at max: no overflow however many retries.
  for (uint32_t i = 1; i < retry && ceiling < max.count(); ++i) ceiling *= 2;
  ceiling = std::min<int64_t>(ceiling, max.count());
  if (ceiling <= 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(
      static_cast<int64_t>(random % (static_cast<uint64_t>(ceiling) + 1)));
}

std::optional<std::chrono::seconds> retry_after_seconds(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty() || value.size() > 9) return std::nullopt;  // ~31 years: plenty
  int64_t seconds = 0;
  for (char ch : value) {
    if (ch < '0' || ch > '9') return std::nullopt;
    seconds = seconds * 10 + (ch - '0');
  }
  return std::chrono::seconds(seconds);
}

}  // namespace archway::resilience
