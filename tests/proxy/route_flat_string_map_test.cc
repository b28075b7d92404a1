// FlatStringMap: the open-addressing map under the path tries and the host
// index. Keys of every length (inline in the slot up to 16 bytes, in the
// arena beyond), the same key under different parents, growth.

#include "proxy/routing/flat_string_map.h"

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace archway::routing {
namespace {

TEST(FlatStringMapTest, FindsEveryKeyOfEveryLengthAfterGrowth) {
  FlatStringMap map;
  EXPECT_TRUE(map.empty());
  EXPECT_EQ(map.find(0, "x"), FlatStringMap::kNone);
  // Distinct keys: a prefix of length n of a per-index string.
  std::vector<std::string> keys;
  for (size_t i = 0; i < 2000; ++i) {
    std::string k = "k" + std::to_string(i) + "-";
    while (k.size() < i % 41) k += static_cast<char>('a' + (i + k.size()) % 26);
    keys.push_back(k);
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(map.insert(static_cast<uint32_t>(i % 7), keys[i], static_cast<uint32_t>(i)), i);
  }
  EXPECT_FALSE(map.empty());
  for (size_t i = 0; i < keys.size(); ++i) {
    const auto parent = static_cast<uint32_t>(i % 7);
    EXPECT_EQ(map.find(parent, keys[i]), i) << keys[i];
    EXPECT_EQ(map.find(parent, keys[i], FlatStringMap::key_hash(keys[i])), i);
    EXPECT_EQ(map.find(parent + 1, keys[i]), FlatStringMap::kNone) << keys[i];
    EXPECT_EQ(map.find(parent, keys[i] + "x"), FlatStringMap::kNone) << keys[i];
    if (!keys[i].empty()) {
      EXPECT_EQ(map.find(parent, keys[i].substr(0, keys[i].size() - 1)), FlatStringMap::kNone);
    }
  }
}

TEST(FlatStringMapTest, InsertKeepsTheFirstValue) {
  FlatStringMap map;
  EXPECT_EQ(map.insert(0, "", 1), 1u);
  EXPECT_EQ(map.insert(0, "", 2), 1u);
  EXPECT_EQ(map.insert(3, "", 4), 4u);
  EXPECT_EQ(map.find(0, ""), 1u);
  EXPECT_EQ(map.find(3, ""), 4u);
  const std::string long_key(100, 'z');
  EXPECT_EQ(map.insert(0, long_key, 5), 5u);
  EXPECT_EQ(map.insert(0, long_key, 6), 5u);
  EXPECT_EQ(map.find(0, long_key), 5u);
  EXPECT_EQ(map.find(0, std::string(99, 'z')), FlatStringMap::kNone);
}

TEST(FlatStringMapTest, KeyHashReadsOnlyTheKeysBytes) {
  // Same bytes at different addresses, with different bytes around them.
  const std::string a = "xxxxsegment-of-twenty-nine-bytes!yyyyyyyy";
  const std::string b = "0123segment-of-twenty-nine-bytes!45678901";
  for (size_t n = 0; n <= 29; ++n) {
    EXPECT_EQ(FlatStringMap::key_hash(std::string_view(a).substr(4, n)),
              FlatStringMap::key_hash(std::string_view(b).substr(4, n)))
        << n;
  }
}

}  // namespace
}  // namespace archway::routing
