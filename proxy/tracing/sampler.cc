#include "proxy/tracing/sampler.h"

#include <algorithm>
#include <cmath>

namespace archway::tracing {

Sampler::Sampler(double ratio) : ratio_(std::isnan(ratio) ? 0.0 : std::clamp(ratio, 0.0, 1.0)) {
  // 2^63 itself does not fit the product's type safely; at ratio 1 the
  // bound is above every (id >> 1).
  constexpr double kTwo63 = 9223372036854775808.0;
  bound_ = ratio_ >= 1.0 ? (uint64_t{1} << 63) : static_cast<uint64_t>(ratio_ * kTwo63);
}

bool Sampler::sample_new(const TraceId& id) const { return (id.lo >> 1) < bound_; }

bool Sampler::decide(const std::optional<TraceParent>& parent, const TraceId& id) const {
  if (parent) return parent->sampled();
  return sample_new(id);
}

}  // namespace archway::tracing
