#include "proxy/balancing/balancer.h"

namespace archway::balancing {

Balancer::Balancer(Policy policy, const std::vector<std::string>& names,
                   std::vector<uint32_t> weights)
    : policy_(policy),
      weights_(std::move(weights)),
      active_(std::make_unique<std::atomic<uint32_t>[]>(weights_.size())) {
  for (auto& w : weights_) {
    if (w == 0) w = 1;
    total_weight_ += w;
  }
  if (policy_ == Policy::kConsistentHash) {
    maglev_ = MaglevTable::build(names, weights_, MaglevTable::size_for(names.size()));
  }
}

size_t Balancer::pick(const PickInput& in) const {
  const size_t n = weights_.size();
  if (n <= 1) return 0;
  switch (policy_) {
    case Policy::kRoundRobin:
      if (in.round_robin.size() == n) return round_robin(in.round_robin);
      return in.random % n;
    case Policy::kConsistentHash:
      if (in.hash && !maglev_.empty()) return maglev_.lookup(*in.hash);
      return in.random % n;
    case Policy::kLeastRequest:
      break;
  }
  return least_request(in.random);
}

size_t Balancer::least_request(uint64_t random) const {
  const size_t n = weights_.size();
  // Two distinct endpoints from one draw: the low half picks the first,
  // the high half one of the n - 1 others.
  const size_t a = static_cast<size_t>(random % n);
  const size_t b = (a + 1 + static_cast<size_t>((random >> 32) % (n - 1))) % n;
  // Fewer in flight per unit of weight wins: (active + 1) / weight,
  // compared by cross-multiplying. A tie keeps the first, itself random.
  const uint64_t load_a = uint64_t{active(a)} + 1;
  const uint64_t load_b = uint64_t{active(b)} + 1;
  return load_b * weights_[a] < load_a * weights_[b] ? b : a;
}

size_t Balancer::round_robin(std::span<int64_t> current) const {
  // Smooth weighted round robin: every endpoint gains its weight, the one
  // ahead is picked and pays the total back. Weights 5,1,1 give
  // a a b a c a a, never a burst of five.
  size_t best = 0;
  for (size_t i = 0; i < current.size(); ++i) {
    current[i] += weights_[i];
    if (current[i] > current[best]) best = i;
  }
  current[best] -= total_weight_;
  return best;
}

}  // namespace archway::balancing
