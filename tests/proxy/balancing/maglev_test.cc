#include "proxy/balancing/maglev.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proxy/balancing/hash.h"

namespace archway::balancing {
namespace {

std::vector<std::string> names(size_t n, size_t first = 0) {
  std::vector<std::string> out;
  for (size_t i = first; i < first + n; ++i) out.push_back("10.0.0." + std::to_string(i) + ":80");
  return out;
}

std::vector<size_t> shares(const MaglevTable& t, size_t n) {
  std::vector<size_t> count(n, 0);
  for (uint32_t e : t.entries()) ++count.at(e);
  return count;
}

TEST(Maglev, SizeIsPrimeAndAtLeastHundredPerEndpoint) {
  struct Case {
    size_t endpoints;
    uint32_t want;
  } cases[] = {{0, 65537}, {1, 65537}, {655, 65537}, {656, 65609}, {1000, 100003}};
  for (const auto& c : cases) {
    EXPECT_EQ(MaglevTable::size_for(c.endpoints), c.want) << c.endpoints;
  }
}

TEST(Maglev, EqualWeightsShareTheTableWithinTwoPercent) {
  for (size_t n : {2, 3, 4, 7, 10, 50}) {
    const auto table = MaglevTable::build(names(n), std::vector<uint32_t>(n, 1), 65537);
    ASSERT_EQ(table.size(), 65537u);
    const double ideal = 65537.0 / static_cast<double>(n);
    for (size_t share : shares(table, n)) {
      EXPECT_NEAR(static_cast<double>(share), ideal, ideal * 0.02) << n << " endpoints";
    }
  }
}

TEST(Maglev, KeysSpreadEvenly) {
  const size_t n = 5;
  const auto table = MaglevTable::build(names(n), std::vector<uint32_t>(n, 1), 65537);
  std::vector<size_t> hits(n, 0);
  const int keys = 100000;
  for (int k = 0; k < keys; ++k) ++hits[table.lookup(hash_key("user-" + std::to_string(k)))];
  for (size_t h : hits) EXPECT_NEAR(static_cast<double>(h), keys / 5.0, keys / 5.0 * 0.05);
}

TEST(Maglev, WeightsSetTheShares) {
  const auto table = MaglevTable::build(names(3), {1, 2, 4}, 65537);
  const auto count = shares(table, 3);
  const double unit = 65537.0 / 7.0;
  EXPECT_NEAR(static_cast<double>(count[0]), unit, unit * 0.05);
  EXPECT_NEAR(static_cast<double>(count[1]), 2 * unit, 2 * unit * 0.05);
  EXPECT_NEAR(static_cast<double>(count[2]), 4 * unit, 4 * unit * 0.05);
}

// Removing one endpoint of N moves about 1/N of the keys: those it held,
// and few others (Maglev's disruption is small, not zero).
TEST(Maglev, RemovingOneEndpointMovesAboutOneNth) {
  for (size_t n : {4, 5, 10}) {
    auto before_names = names(n);
    const auto before = MaglevTable::build(before_names, std::vector<uint32_t>(n, 1), 65537);
    auto after_names = before_names;
    after_names.erase(after_names.begin() + 1);  // endpoint 1 leaves
    const auto after = MaglevTable::build(after_names, std::vector<uint32_t>(n - 1, 1), 65537);
    const int keys = 20000;
    int moved = 0;
    for (int k = 0; k < keys; ++k) {
      const uint64_t h = hash_key("key-" + std::to_string(k));
      if (before_names[before.lookup(h)] != after_names[after.lookup(h)]) ++moved;
    }
    const double share = static_cast<double>(moved) / keys;
    EXPECT_GT(share, 0.8 / static_cast<double>(n)) << n;
    EXPECT_LT(share, 1.3 / static_cast<double>(n)) << n;
  }
}

TEST(Maglev, PlacementFollowsNamesNotOrder) {
  auto a = names(4);
  auto b = std::vector<std::string>{a[2], a[0], a[3], a[1]};
  const auto ta = MaglevTable::build(a, {1, 1, 1, 1}, 65537);
  const auto tb = MaglevTable::build(b, {1, 1, 1, 1}, 65537);
  int same = 0;
  for (int k = 0; k < 5000; ++k) {
    const uint64_t h = hash_key(std::to_string(k));
    same += a[ta.lookup(h)] == b[tb.lookup(h)];
  }
  // Ties during the fill go by order, so a handful of slots may differ.
  EXPECT_GT(same, 4900);
}

TEST(Maglev, EmptyWithoutEndpoints) { EXPECT_TRUE(MaglevTable::build({}, {}, 65537).empty()); }

}  // namespace
}  // namespace archway::balancing
