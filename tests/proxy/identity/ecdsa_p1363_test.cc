// The r‖s form and range are checked by us, not left to OpenSSL's DER
// verifier (which would also refuse r ≥ n, hiding a missing check here).

#include <gtest/gtest.h>

#include <string>

#include "proxy/identity/ecdsa_p1363.h"

namespace archway::identity {
namespace {

std::string minus_one(std::string big_endian) {
  for (size_t i = big_endian.size(); i-- > 0;) {
    if (big_endian[i] != '\0') {
      big_endian[i] = static_cast<char>(big_endian[i] - 1);
      break;
    }
    big_endian[i] = '\xFF';
  }
  return big_endian;
}

TEST(EcdsaP1363, AcceptsROrSUpToNMinusOne) {
  for (const KeyFamily curve : {KeyFamily::kEcP256, KeyFamily::kEcP384, KeyFamily::kEcP521}) {
    const std::string n(curve_order(curve));
    const std::string one = std::string(n.size() - 1, '\0') + "\x01";
    EXPECT_FALSE(p1363_to_der(curve, one + one).empty());
    EXPECT_FALSE(p1363_to_der(curve, minus_one(n) + minus_one(n)).empty());
  }
}

TEST(EcdsaP1363, RefusesZeroAndValuesFromNUp) {
  for (const KeyFamily curve : {KeyFamily::kEcP256, KeyFamily::kEcP384, KeyFamily::kEcP521}) {
    const std::string n(curve_order(curve));
    const std::string one = std::string(n.size() - 1, '\0') + "\x01";
    const std::string zero(n.size(), '\0');
    const std::string max(n.size(), '\xFF');
    EXPECT_TRUE(p1363_to_der(curve, zero + one).empty());
    EXPECT_TRUE(p1363_to_der(curve, one + zero).empty());
    EXPECT_TRUE(p1363_to_der(curve, n + one).empty());
    EXPECT_TRUE(p1363_to_der(curve, one + n).empty());
    EXPECT_TRUE(p1363_to_der(curve, max + one).empty());
    EXPECT_TRUE(p1363_to_der(curve, one + max).empty());
  }
}

TEST(EcdsaP1363, RefusesAnyOtherLength) {
  const std::string n(curve_order(KeyFamily::kEcP256));
  const std::string one = std::string(31, '\0') + "\x01";
  EXPECT_TRUE(p1363_to_der(KeyFamily::kEcP256, one + one.substr(1)).empty());
  EXPECT_TRUE(p1363_to_der(KeyFamily::kEcP256, one + one + std::string(1, '\0')).empty());
  EXPECT_TRUE(p1363_to_der(KeyFamily::kEcP256, "").empty());
  // A valid P-256 r‖s is not a valid P-384 one.
  EXPECT_TRUE(p1363_to_der(KeyFamily::kEcP384, one + one).empty());
  EXPECT_TRUE(p1363_to_der(KeyFamily::kRsa, one + one).empty());
}

}  // namespace
}  // namespace archway::identity
