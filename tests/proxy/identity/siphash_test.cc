// SipHash-2-4 against the reference vectors of Aumasson and Bernstein's
// paper (key 00..0f, message 00..len-1), every tail length.

#include "proxy/identity/siphash.h"

#include <gtest/gtest.h>

#include <string>

namespace archway::identity {
namespace {

TEST(SipHash24, MatchesTheReferenceVectors) {
  const SipHashKey key{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
  // vectors.h of the reference implementation, read as little-endian words.
  const uint64_t expected[] = {
      0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
      0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL, 0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL,
      0x93f5f5799a932462ULL, 0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
      0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL, 0xa129ca6149be45e5ULL,
  };
  std::string message;
  for (size_t len = 0; len < std::size(expected); ++len) {
    EXPECT_EQ(siphash24(key, message), expected[len]) << "length " << len;
    message.push_back(static_cast<char>(len));
  }
}

TEST(SipHash24, RandomKeysDiffer) {
  const SipHashKey a = random_siphash_key();
  const SipHashKey b = random_siphash_key();
  EXPECT_FALSE(a.k0 == b.k0 && a.k1 == b.k1);
  EXPECT_NE(siphash24(a, "token"), siphash24(b, "token"));
}

}  // namespace
}  // namespace archway::identity
