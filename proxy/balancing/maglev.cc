#include "proxy/balancing/maglev.h"

#include <algorithm>

#include "proxy/balancing/hash.h"

namespace archway::balancing {
namespace {

bool is_prime(uint64_t n) {
  if (n < 2) return false;
  for (uint64_t d = 2; d * d <= n; ++d) {
    if (n % d == 0) return false;
  }
  return true;
}

}  // namespace

uint32_t MaglevTable::size_for(size_t endpoints) {
  uint64_t n = std::max<uint64_t>(kDefaultSize, uint64_t{100} * endpoints);
  while (!is_prime(n)) ++n;
  return static_cast<uint32_t>(n);
}

MaglevTable MaglevTable::build(const std::vector<std::string>& names,
                               const std::vector<uint32_t>& weights, uint32_t size) {
  MaglevTable table;
  const size_t n = names.size();
  if (n == 0 || size <= n) return table;
  // Each endpoint's permutation of the slots: offset + j × skip (mod size),
  // a full cycle because size is prime and 1 ≤ skip < size.
  std::vector<uint64_t> offset(n), skip(n), next(n, 0);
  uint32_t max_weight = 1;
  for (size_t i = 0; i < n; ++i) {
    offset[i] = hash_key(names[i], 0x6d61676c65763031ULL) % size;
    skip[i] = hash_key(names[i], 0x6d61676c65763032ULL) % (size - 1) + 1;
    max_weight = std::max(max_weight, weights[i]);
  }
  constexpr uint32_t kEmpty = ~uint32_t{0};
  table.entries_.assign(size, kEmpty);
  size_t filled = 0;
  // Weighted turns (Envoy's variant): in round r an endpoint takes a slot
  // when its weight brings its running share past the next whole unit, so
  // over the rounds it takes weight/max_weight of the turns.
  for (uint64_t round = 0; filled < size; ++round) {
    for (size_t i = 0; i < n && filled < size; ++i) {
      if ((round + 1) * weights[i] / max_weight == round * weights[i] / max_weight) continue;
      uint64_t slot = (offset[i] + next[i] * skip[i]) % size;
      while (table.entries_[slot] != kEmpty) {
        ++next[i];
        slot = (offset[i] + next[i] * skip[i]) % size;
      }
      table.entries_[slot] = static_cast<uint32_t>(i);
      ++next[i];
      ++filled;
    }
  }
  return table;
}

}  // namespace archway::balancing
