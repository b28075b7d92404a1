#pragma once
// Maglev consistent hashing (Eisenbud et al., NSDI 2016): a lookup table
// of a prime size M in which each endpoint owns about M/N entries (in
// proportion to its weight), filled so that removing one endpoint of N
// moves only about 1/N of the keys. A lookup is one `%` and one load.
//
// Built once per snapshot on the control thread (O(M) time, M × 4 bytes:
// 256 KiB at the default size), then read-only and shared by every worker.

#include <cstdint>
#include <string>
#include <vector>

namespace archway::balancing {

class MaglevTable {
 public:
  // The default size, prime. Envoy uses the same: at 100 entries per
  // endpoint or more, each endpoint's share stays within about 1 % of the
  // ideal, and up to 655 endpoints fit.
  static constexpr uint32_t kDefaultSize = 65537;
  // The smallest prime ≥ max(kDefaultSize, 100 × endpoints).
  [[nodiscard]] static uint32_t size_for(size_t endpoints);

  // `names` identify the endpoints (their position in the table follows the
  // name, not the index, so an endpoint keeps its entries when others come
  // or go); `weights` are ≥ 1, one per name. `size` must be prime and
  // greater than the number of endpoints. No endpoints: an empty table.
  [[nodiscard]] static MaglevTable build(const std::vector<std::string>& names,
                                         const std::vector<uint32_t>& weights, uint32_t size);

  // The endpoint index for a key's hash. Not for an empty table.
  [[nodiscard]] uint32_t lookup(uint64_t hash) const { return entries_[hash % entries_.size()]; }
  [[nodiscard]] bool empty() const { return entries_.empty(); }
  [[nodiscard]] size_t size() const { return entries_.size(); }
  [[nodiscard]] const std::vector<uint32_t>& entries() const { return entries_; }

 private:
  std::vector<uint32_t> entries_;  // endpoint index by slot
};

}  // namespace archway::balancing
