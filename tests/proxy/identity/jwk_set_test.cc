// JwkSet::parse: what becomes a verification key, what is skipped (with a
// reason) and what refuses the whole set.

#include <gtest/gtest.h>

#include <openssl/ec.h>

#include <initializer_list>

#include "proxy/identity/ecdsa_p1363.h"
#include "proxy/identity/jwk_set.h"
#include "tests/proxy/identity/token_forge.h"

namespace archway::identity {
namespace {

using namespace testing;  // NOLINT: the forge's helpers
using nlohmann::json;

// Takes the members one by one: a braced single json would be copied, not
// wrapped in an array (nlohmann's initializer-list rule).
Result<JwkSet> parse(std::initializer_list<json> keys, KeySource source = KeySource::kPublicJwks,
                     const JwksLimits& limits = {}) {
  json array = json::array();
  for (const json& key : keys) array.push_back(key);
  return JwkSet::parse(json{{"keys", array}}.dump(), source, limits);
}

const Pkey& rsa_key() {
  static const Pkey key = generate_rsa();
  return key;
}

TEST(JwkSet, KeepsKidKtyCrvAndAlgOfUsableKeys) {
  const Pkey ec = generate_ec("P-384");
  const Pkey ed = generate_ed25519();
  json rsa = public_jwk(rsa_key().get(), "r1");
  rsa["alg"] = "PS256";
  rsa["use"] = "sig";
  const auto set = parse({rsa, public_jwk(ec.get(), "e1"), public_jwk(ed.get(), "")});
  ASSERT_TRUE(set.ok()) << set.error().to_string();
  ASSERT_EQ(set->keys().size(), 3u);
  EXPECT_TRUE(set->skipped().empty());
  const Jwk& r = set->keys()[0];
  EXPECT_EQ(r.kid, "r1");
  EXPECT_EQ(r.kty, "RSA");
  EXPECT_EQ(r.alg, JwsAlgorithm::kPS256);
  EXPECT_TRUE(r.verifies(JwsAlgorithm::kPS256));
  EXPECT_FALSE(r.verifies(JwsAlgorithm::kRS256));
  EXPECT_EQ(set->keys()[1].crv, "P-384");
  EXPECT_TRUE(set->keys()[1].verifies(JwsAlgorithm::kES384));
  EXPECT_FALSE(set->keys()[1].verifies(JwsAlgorithm::kES256));
  EXPECT_EQ(set->keys()[2].kty, "OKP");
  EXPECT_EQ(set->keys()[2].kid, "");
  EXPECT_TRUE(set->keys()[2].verifies(JwsAlgorithm::kEdDSA));
}

TEST(JwkSet, SkipsRsaModulusUnder2048Bits) {
  const Pkey small = generate_rsa(1024);
  const auto set = parse({public_jwk(small.get(), "small"), public_jwk(rsa_key().get(), "ok")});
  ASSERT_TRUE(set.ok());
  ASSERT_EQ(set->keys().size(), 1u);
  EXPECT_EQ(set->keys()[0].kid, "ok");
  ASSERT_EQ(set->skipped().size(), 1u);
  EXPECT_EQ(set->skipped()[0].kid, "small");
  EXPECT_NE(set->skipped()[0].reason.find("2048"), std::string::npos);
}

TEST(JwkSet, SkipsEcPointOffTheCurveOrOfTheWrongLength) {
  const Pkey ec = generate_ec("P-256");
  json off_curve = public_jwk(ec.get(), "off");
  std::string y = *base64url_decode(off_curve["y"].get<std::string>());
  y[31] = static_cast<char>(y[31] ^ 1);
  off_curve["y"] = base64url_encode(y);
  json short_x = public_jwk(ec.get(), "short");
  short_x["x"] = base64url_encode(base64url_decode(short_x["x"].get<std::string>())->substr(1));
  json wrong_curve = public_jwk(ec.get(), "wrong-crv");
  wrong_curve["crv"] = "P-384";
  const auto set = parse({off_curve, short_x, wrong_curve, public_jwk(ec.get(), "ok")});
  ASSERT_TRUE(set.ok());
  ASSERT_EQ(set->keys().size(), 1u);
  EXPECT_EQ(set->keys()[0].kid, "ok");
  ASSERT_EQ(set->skipped().size(), 3u);
  EXPECT_NE(set->skipped()[0].reason.find("not on the curve"), std::string::npos);
}

TEST(JwkSet, SkipsUnknownKtyCrvAndEncryptionKeys) {
  const Pkey ec = generate_ec("P-256");
  json enc = public_jwk(ec.get(), "enc");
  enc["use"] = "enc";
  json no_verify = public_jwk(ec.get(), "wrap");
  no_verify["key_ops"] = {"wrapKey"};
  json bad_alg = public_jwk(rsa_key().get(), "bad-alg");
  bad_alg["alg"] = "RSA-OAEP";
  const json p192 = {{"kty", "EC"}, {"crv", "P-192"}, {"x", "AA"}, {"y", "AA"}};
  const json ed448 = {{"kty", "OKP"}, {"crv", "Ed448"}, {"x", "AA"}};
  const json x25519 = {{"kty", "OKP"}, {"crv", "X25519"}, {"x", "AA"}};
  const json weird = {{"kty", "PQC"}};
  const json no_kty = {{"kid", "x"}};
  const auto set = parse({enc, no_verify, bad_alg, p192, ed448, x25519, weird, no_kty, 42});
  ASSERT_TRUE(set.ok()) << set.error().to_string();
  EXPECT_TRUE(set->keys().empty());
  EXPECT_EQ(set->skipped().size(), 9u);
  for (const SkippedKey& s : set->skipped()) EXPECT_FALSE(s.reason.empty()) << s.index;
}

TEST(JwkSet, PrivateKeyMaterialRefusesTheWholeSet) {
  for (const char* member : {"d", "p", "q", "dp", "dq", "qi"}) {
    json leaked = public_jwk(rsa_key().get(), "leaked");
    leaked[member] = "AQAB";
    const auto set = parse({public_jwk(rsa_key().get(), "fine"), leaked});
    ASSERT_FALSE(set.ok()) << member;
    EXPECT_NE(set.error().to_string().find("private"), std::string::npos);
  }
  const Pkey ec = generate_ec("P-256");
  json ec_private = public_jwk(ec.get(), "ec");
  ec_private["d"] = "AQAB";
  const auto ec_set = parse({ec_private});
  ASSERT_FALSE(ec_set.ok());
  EXPECT_NE(ec_set.error().to_string().find("private"), std::string::npos);
}

TEST(JwkSet, OctKeysOnlyInASetDeclaredHmac) {
  const json oct = {{"kty", "oct"}, {"kid", "h"}, {"k", base64url_encode(std::string(48, 'k'))}};
  const auto public_set = parse({oct});
  ASSERT_TRUE(public_set.ok());
  EXPECT_TRUE(public_set->keys().empty());
  const auto hmac_set = parse({oct}, KeySource::kHmacSecret);
  ASSERT_TRUE(hmac_set.ok());
  ASSERT_EQ(hmac_set->keys().size(), 1u);
  const Jwk& key = hmac_set->keys()[0];
  EXPECT_TRUE(key.verifies(JwsAlgorithm::kHS256));
  EXPECT_TRUE(key.verifies(JwsAlgorithm::kHS384));
  EXPECT_FALSE(key.verifies(JwsAlgorithm::kHS512));  // 48 bytes < SHA-512's 64
  EXPECT_FALSE(key.verifies(JwsAlgorithm::kRS256));
  const json short_oct = {{"kty", "oct"}, {"k", base64url_encode(std::string(31, 'k'))}};
  const auto short_set = parse({short_oct}, KeySource::kHmacSecret);
  ASSERT_TRUE(short_set.ok());
  EXPECT_TRUE(short_set->keys().empty());
}

TEST(JwkSet, EnforcesSizeAndKeyCountLimits) {
  const json key = public_jwk(rsa_key().get(), "k");
  JwksLimits limits;
  limits.max_keys = 2;
  EXPECT_TRUE(parse({key, key}, KeySource::kPublicJwks, limits).ok());
  const auto too_many = parse({key, key, key}, KeySource::kPublicJwks, limits);
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.error().to_string().find("more than 2 keys"), std::string::npos);
  limits.max_bytes = 100;
  const auto too_big = parse({key}, KeySource::kPublicJwks, limits);
  ASSERT_FALSE(too_big.ok());
  EXPECT_NE(too_big.error().to_string().find("larger"), std::string::npos);
}

TEST(JwkSet, RefusesWhatIsNotAStrictJwkSet) {
  EXPECT_FALSE(JwkSet::parse("[]", KeySource::kPublicJwks).ok());
  EXPECT_FALSE(JwkSet::parse(R"({"keys":{}})", KeySource::kPublicJwks).ok());
  EXPECT_FALSE(JwkSet::parse(R"({"keys":[],"keys":[]})", KeySource::kPublicJwks).ok());
  EXPECT_FALSE(
      JwkSet::parse(R"({"keys":[{"kty":"RSA","kty":"EC"}]})", KeySource::kPublicJwks).ok());
  EXPECT_FALSE(JwkSet::parse("{\"keys\":[]", KeySource::kPublicJwks).ok());
  std::string deep = "{\"keys\":[],\"x\":" + std::string(40, '[') + std::string(40, ']') + "}";
  EXPECT_FALSE(JwkSet::parse(deep, KeySource::kPublicJwks).ok());
  EXPECT_TRUE(JwkSet::parse(R"({"keys":[]})", KeySource::kPublicJwks).ok());
}

TEST(EcdsaP1363, CurveOrdersAreOpenSsls) {
  const std::pair<int, KeyFamily> curves[] = {{NID_X9_62_prime256v1, KeyFamily::kEcP256},
                                              {NID_secp384r1, KeyFamily::kEcP384},
                                              {NID_secp521r1, KeyFamily::kEcP521}};
  for (const auto& [nid, family] : curves) {
    EC_GROUP* group = EC_GROUP_new_by_curve_name(nid);
    ASSERT_NE(group, nullptr);
    const std::string_view ours = curve_order(family);
    std::string theirs(ours.size(), '\0');
    BN_bn2binpad(EC_GROUP_get0_order(group), reinterpret_cast<unsigned char*>(theirs.data()),
                 static_cast<int>(theirs.size()));
    EC_GROUP_free(group);
    EXPECT_EQ(ours, theirs) << nid;
  }
}

}  // namespace
}  // namespace archway::identity
