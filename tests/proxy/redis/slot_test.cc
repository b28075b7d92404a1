// Key slots as Redis Cluster computes them (values from CLUSTER KEYSLOT).

#include "proxy/redis/slot.h"

#include <gtest/gtest.h>

namespace archway::redis {
namespace {

TEST(KeySlot, MatchesRedisClusterKeyslot) {
  EXPECT_EQ(key_slot("123456789"), 12739);  // the CRC16/XMODEM check value 0x31C3 mod 16384
  EXPECT_EQ(key_slot("foo"), 12182);
  EXPECT_EQ(key_slot("bar"), 5061);
  EXPECT_EQ(key_slot(""), 0);
}

TEST(KeySlot, OnlyTheFirstNonEmptyHashTagCounts) {
  EXPECT_EQ(key_slot("{user1000}.following"), key_slot("user1000"));
  EXPECT_EQ(key_slot("{user1000}.followers"), key_slot("{user1000}.following"));
  EXPECT_EQ(key_slot("foo{}{bar}"), key_slot("foo{}{bar}"));
  EXPECT_NE(key_slot("foo{}{bar}"), key_slot("bar"));  // the first {} is empty: whole key
  EXPECT_EQ(key_slot("foo{{bar}}zap"), key_slot("{bar"));
  EXPECT_EQ(key_slot("foo{bar}{zap}"), key_slot("bar"));
}

}  // namespace
}  // namespace archway::redis
