#include "proxy/tracing/sampler.h"

#include <gtest/gtest.h>

#include <random>

namespace archway::tracing {
namespace {

// OpenTelemetry's TraceIdRatioBased: (bytes 8..15 >> 1) < ratio * 2^63.
TEST(Sampler, RatioBoundaryTable) {
  struct Case {
    double ratio;
    uint64_t lo;
    bool sampled;
  };
  const Case cases[] = {
      {0.0, 0, false},
      {0.0, 1, false},
      {1.0, ~uint64_t{0}, true},
      {1.0, 0, true},
      {0.5, (uint64_t{1} << 62) * 2 - 2, true},  // (lo >> 1) == 2^62 - 1 < 2^62
      {0.5, (uint64_t{1} << 62) * 2, false},     // (lo >> 1) == 2^62
      {0.25, (uint64_t{1} << 61) * 2 - 1, true},
      {0.25, (uint64_t{1} << 61) * 2, false},
      {2.0, ~uint64_t{0}, true},  // clamped to 1
      {-1.0, 0, false},           // clamped to 0
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Sampler(c.ratio).sample_new(TraceId{0xdead, c.lo}), c.sampled)
        << "ratio " << c.ratio << " lo " << c.lo;
  }
}

TEST(Sampler, ParentFlagWins) {
  const Sampler none(0.0), all(1.0);
  const TraceId id{1, 2};
  const TraceParent sampled{id, 3, kFlagSampled};
  const TraceParent unsampled{id, 3, 0};
  EXPECT_TRUE(none.decide(sampled, id));
  EXPECT_FALSE(all.decide(unsampled, id));
  EXPECT_FALSE(none.decide(std::nullopt, id));
  EXPECT_TRUE(all.decide(std::nullopt, id));
}

TEST(Sampler, DeterministicAndNearTheRatio) {
  const Sampler s(0.1);
  std::mt19937_64 rng(42);
  int sampled = 0;
  constexpr int kIds = 100000;
  for (int i = 0; i < kIds; ++i) {
    const TraceId id = new_trace_id(rng);
    const bool first = s.sample_new(id);
    EXPECT_EQ(first, s.sample_new(id));
    sampled += first ? 1 : 0;
  }
  EXPECT_NEAR(sampled, kIds / 10, kIds / 100);
}

}  // namespace
}  // namespace archway::tracing
