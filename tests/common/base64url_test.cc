// Strict base64url (RFC 7515 §2, RFC 4648 §5): the JWS parts are decoded by
// it, so every byte string must have exactly one accepted spelling.

#include <gtest/gtest.h>

#include <string>

#include "common/base64.h"

namespace archway {
namespace {

TEST(Base64Url, RoundTripsEveryLengthModuloThree) {
  const std::string bytes("\xfb\xff\x00\x3e\x3f\x80hello", 11);
  for (size_t n = 0; n <= bytes.size(); ++n) {
    const std::string in = bytes.substr(0, n);
    const std::string encoded = base64url_encode(in);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos) << encoded;
    EXPECT_EQ(base64url_decode(encoded), in) << encoded;
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("eyJhbGciOiJSUzI1NiJ9"), R"({"alg":"RS256"})");
}

TEST(Base64Url, RefusesPaddingWhitespaceAndForeignCharacters) {
  EXPECT_FALSE(base64url_decode("aGVsbG8=").has_value());
  EXPECT_FALSE(base64url_decode("aGVsbG8==").has_value());
  EXPECT_FALSE(base64url_decode("aGVs bG8").has_value());
  EXPECT_FALSE(base64url_decode("aGVs\nbG8").has_value());
  EXPECT_FALSE(base64url_decode("aGVsbG8\t").has_value());
  EXPECT_FALSE(base64url_decode("+_8").has_value());  // standard alphabet's '+'
  EXPECT_FALSE(base64url_decode("-/8").has_value());  // standard alphabet's '/'
  EXPECT_FALSE(base64url_decode("ab.c").has_value());
  EXPECT_FALSE(base64url_decode(std::string("ab\0c", 4)).has_value());
}

TEST(Base64Url, RefusesNonCanonicalTrailingBits) {
  // "QQ" is "A"; "QR".."QZ" set unused low bits and would decode to "A" too.
  EXPECT_EQ(base64url_decode("QQ"), "A");
  EXPECT_FALSE(base64url_decode("QR").has_value());
  EXPECT_FALSE(base64url_decode("QZ").has_value());
  EXPECT_EQ(base64url_decode("QUI"), "AB");
  EXPECT_FALSE(base64url_decode("QUJ").has_value());
  // 4k+1 characters can never be canonical.
  EXPECT_FALSE(base64url_decode("QUJDR").has_value());
  EXPECT_FALSE(base64url_decode("Q").has_value());
}

}  // namespace
}  // namespace archway
