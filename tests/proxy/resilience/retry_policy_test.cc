// The retry decision (docs/resilience.md "Retries"): which failures are
// retried under which conditions, which requests may be sent again, the
// backoff's bounds and Retry-After's form.
#include "proxy/resilience/retry_policy.h"

#include <gtest/gtest.h>

#include <array>
#include <random>

namespace archway::resilience {
namespace {

using namespace std::chrono_literals;

constexpr uint8_t kDefaultOn = kRetryOnConnectFailure | kRetryOnRefusedStream;
constexpr uint8_t kGateway = kRetryOnGatewayError;
constexpr uint8_t kAll = kRetryOnConnectFailure | kRetryOnRefusedStream | kRetryOnReset |
                         kRetryOnGatewayError | kRetryOn5xx;

// method × failure × retryOn × body state → retried (and why) or not.
struct DecisionCase {
  const char* name;
  const char* method;
  AttemptFailure failure;
  int status;
  uint8_t on;
  ReplayBody body;
  std::optional<RetryReason> want;  // nullopt: not retried
};

TEST(RetryDecision, Table) {
  const DecisionCase cases[] = {
      {"GET connect failure, default conditions", "GET", AttemptFailure::kConnect, 0, kDefaultOn,
       ReplayBody::kNone, RetryReason::kConnectFailure},
      {"GET refused stream, default conditions", "GET", AttemptFailure::kRefused, 0, kDefaultOn,
       ReplayBody::kNone, RetryReason::kRefusedStream},
      {"GET reset, not listed", "GET", AttemptFailure::kReset, 0, kDefaultOn, ReplayBody::kNone,
       std::nullopt},
      {"GET reset, listed", "GET", AttemptFailure::kReset, 0, kRetryOnReset, ReplayBody::kNone,
       RetryReason::kReset},
      {"GET 503, gateway-error", "GET", AttemptFailure::kStatus, 503, kGateway, ReplayBody::kNone,
       RetryReason::kGatewayError},
      {"GET 502, gateway-error", "GET", AttemptFailure::kStatus, 502, kGateway, ReplayBody::kNone,
       RetryReason::kGatewayError},
      {"GET 500, gateway-error: not a gateway error", "GET", AttemptFailure::kStatus, 500, kGateway,
       ReplayBody::kNone, std::nullopt},
      {"GET 500, 5xx", "GET", AttemptFailure::kStatus, 500, kRetryOn5xx, ReplayBody::kNone,
       RetryReason::kStatus},
      {"GET 404, everything", "GET", AttemptFailure::kStatus, 404, kAll, ReplayBody::kNone,
       std::nullopt},
      {"GET 503, default conditions", "GET", AttemptFailure::kStatus, 503, kDefaultOn,
       ReplayBody::kNone, std::nullopt},
      {"GET timeout, gateway-error", "GET", AttemptFailure::kTimeout, 0, kGateway,
       ReplayBody::kNone, RetryReason::kTimeout},
      {"GET timeout, 5xx", "GET", AttemptFailure::kTimeout, 0, kRetryOn5xx, ReplayBody::kNone,
       RetryReason::kTimeout},
      {"GET timeout, default conditions", "GET", AttemptFailure::kTimeout, 0, kDefaultOn,
       ReplayBody::kNone, std::nullopt},
      {"PUT with a held body, 503", "PUT", AttemptFailure::kStatus, 503, kGateway,
       ReplayBody::kHeld, RetryReason::kGatewayError},
      {"PUT with a body not held, connect failure", "PUT", AttemptFailure::kConnect, 0, kAll,
       ReplayBody::kNotHeld, std::nullopt},
      {"POST with a held body, connect failure: nothing reached it", "POST",
       AttemptFailure::kConnect, 0, kAll, ReplayBody::kHeld, RetryReason::kConnectFailure},
      {"POST with a held body, refused stream", "POST", AttemptFailure::kRefused, 0, kAll,
       ReplayBody::kHeld, RetryReason::kRefusedStream},
      {"POST with a held body, 503: may have acted", "POST", AttemptFailure::kStatus, 503, kAll,
       ReplayBody::kHeld, std::nullopt},
      {"POST bodyless, reset", "POST", AttemptFailure::kReset, 0, kAll, ReplayBody::kNone,
       std::nullopt},
      {"POST bodyless, timeout", "POST", AttemptFailure::kTimeout, 0, kAll, ReplayBody::kNone,
       std::nullopt},
      {"PATCH connect failure", "PATCH", AttemptFailure::kConnect, 0, kAll, ReplayBody::kNone,
       RetryReason::kConnectFailure},
      {"DELETE reset", "DELETE", AttemptFailure::kReset, 0, kAll, ReplayBody::kNone,
       RetryReason::kReset},
      {"nothing listed", "GET", AttemptFailure::kConnect, 0, 0, ReplayBody::kNone, std::nullopt},
  };
  for (const auto& c : cases) {
    const RetryConditions conditions{c.on, {}};
    auto reason = retry_reason(conditions, c.failure, c.status);
    if (reason && !safe_to_resend(c.method, c.body, c.failure)) reason.reset();
    EXPECT_EQ(reason, c.want) << c.name;
  }
}

TEST(RetryDecision, ListedStatusCodes) {
  const std::array<uint16_t, 2> codes = {429, 500};
  const RetryConditions conditions{kDefaultOn, codes};
  EXPECT_EQ(retry_reason(conditions, AttemptFailure::kStatus, 429), RetryReason::kStatus);
  EXPECT_EQ(retry_reason(conditions, AttemptFailure::kStatus, 500), RetryReason::kStatus);
  EXPECT_EQ(retry_reason(conditions, AttemptFailure::kStatus, 503), std::nullopt);
  const std::array<uint16_t, 1> gateway_timeout = {504};
  EXPECT_EQ(retry_reason({0, gateway_timeout}, AttemptFailure::kTimeout), RetryReason::kTimeout);
}

TEST(RetryDecision, IdempotentMethods) {
  for (const char* m : {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"}) {
    EXPECT_TRUE(idempotent_method(m)) << m;
  }
  for (const char* m : {"POST", "PATCH", "CONNECT", "get", ""}) {
    EXPECT_FALSE(idempotent_method(m)) << m;
  }
}

TEST(RetryBackoff, FullJitterStaysWithinTheExponentialCeiling) {
  std::mt19937_64 rng(7);
  const struct {
    uint32_t retry;
    std::chrono::milliseconds ceiling;
  } cases[] = {{1, 25ms}, {2, 50ms}, {3, 100ms}, {4, 200ms}, {5, 250ms}, {40, 250ms}};
  for (const auto& c : cases) {
    std::chrono::milliseconds lowest = c.ceiling, highest{0};
    for (int i = 0; i < 2000; ++i) {
      const auto d = backoff_delay(25ms, 250ms, c.retry, rng());
      ASSERT_GE(d.count(), 0) << c.retry;
      ASSERT_LE(d, c.ceiling) << c.retry;
      lowest = std::min(lowest, d);
      highest = std::max(highest, d);
    }
    // Full jitter: the whole range is used, not only its top.
    EXPECT_LE(lowest, c.ceiling / 10) << c.retry;
    EXPECT_GE(highest, c.ceiling * 9 / 10) << c.retry;
  }
}

TEST(RetryBackoff, EdgeValues) {
  EXPECT_EQ(backoff_delay(0ms, 0ms, 1, 12345), 0ms);
  EXPECT_EQ(backoff_delay(0ms, 250ms, 3, 12345), 0ms);  // base 0: no wait
  EXPECT_EQ(backoff_delay(10ms, 10ms, 1, 10), 10ms);    // the top is reachable
  EXPECT_EQ(backoff_delay(10ms, 10ms, 1, 11), 0ms);
  EXPECT_LE(backoff_delay(1000ms, 3600000ms, 1000, ~0ULL), 3600000ms);
}

TEST(RetryAfter, DeltaSecondsOnly) {
  EXPECT_EQ(retry_after_seconds("0"), std::chrono::seconds(0));
  EXPECT_EQ(retry_after_seconds("2"), std::chrono::seconds(2));
  EXPECT_EQ(retry_after_seconds(" 120 "), std::chrono::seconds(120));
  EXPECT_EQ(retry_after_seconds(""), std::nullopt);
  EXPECT_EQ(retry_after_seconds("-1"), std::nullopt);
  EXPECT_EQ(retry_after_seconds("1.5"), std::nullopt);
  EXPECT_EQ(retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT"), std::nullopt);
  EXPECT_EQ(retry_after_seconds("99999999999"), std::nullopt);
}

TEST(RetryReasonNames, MatchTheMetricLabels) {
  EXPECT_EQ(retry_reason_name(RetryReason::kConnectFailure), "connect-failure");
  EXPECT_EQ(retry_reason_name(RetryReason::kReset), "reset");
  EXPECT_EQ(retry_reason_name(RetryReason::kGatewayError), "gateway-error");
  EXPECT_EQ(retry_reason_name(RetryReason::kStatus), "status");
  EXPECT_EQ(retry_reason_name(RetryReason::kRefusedStream), "refused-stream");
  EXPECT_EQ(retry_reason_name(RetryReason::kTimeout), "timeout");
}

}  // namespace
}  // namespace archway::resilience
