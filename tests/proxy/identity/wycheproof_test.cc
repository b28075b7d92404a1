// Every Wycheproof vector of the algorithms we verify, through the same
// verify_signature the JWS path calls, with the key read by our own JWK
// parser. tests/testdata/wycheproof/README.md maps files to algorithms.
//
// `valid` must verify and `invalid` must not. `acceptable` appears only in
// the RSA PKCS#1 sets, for a DigestInfo without the NULL parameter
// (MissingNull): we refuse it (OpenSSL compares the whole encoding), and the
// test holds us to that. HMAC vectors apply when the tag is the full hash
// and the key at least the hash's length (RFC 7518 §3.2); shorter keys are
// refused by design, so those groups are checked to fail.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <string>

#include "common/base64.h"
#include "proxy/identity/signature.h"
#include "proxy/identity/strict_json.h"

namespace archway::identity {
namespace {

using nlohmann::json;

std::string from_hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

json load(const std::string& file) {
  std::ifstream in(std::string(ARCHWAY_TESTDATA) + "/wycheproof/" + file);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

// An EC JWK from the group's raw coordinates, for the groups that carry none.
json ec_jwk(const json& public_key, size_t field) {
  auto coordinate = [&](const char* name) {
    std::string v = from_hex(public_key.at(name).get<std::string>());
    while (v.size() > field && v.front() == '\0') v.erase(0, 1);
    return base64url_encode(std::string(field - std::min(field, v.size()), '\0') + v);
  };
  const size_t bits = public_key.at("keySize").get<size_t>();
  const std::string crv = bits == 256 ? "P-256" : bits == 384 ? "P-384" : "P-521";
  return {{"kty", "EC"}, {"crv", crv}, {"x", coordinate("wx")}, {"y", coordinate("wy")}};
}

struct Tally {
  size_t tests = 0;
  size_t verified = 0;
};

// Runs one file; a group whose key our parser refuses must hold only
// invalid vectors.
Tally run_file(const std::string& file, JwsAlgorithm alg) {
  const json doc = load(file);
  Tally tally;
  for (const json& group : doc.at("testGroups")) {
    json jwk;
    KeySource source = KeySource::kPublicJwks;
    if (group.contains("publicKeyJwk")) {
      jwk = group["publicKeyJwk"];
    } else if (group.contains("keyJwk")) {
      jwk = group["keyJwk"];
    } else if (group.contains("publicKey") && group["publicKey"].contains("wx")) {
      jwk = ec_jwk(group["publicKey"], key_family_for(alg) == KeyFamily::kEcP256   ? 32
                                       : key_family_for(alg) == KeyFamily::kEcP384 ? 48
                                                                                   : 66);
    }
    const bool hmac = key_family_for(alg) == KeyFamily::kHmac;
    if (hmac && group.at("tagSize").get<size_t>() != 8 * hash_bytes(alg)) continue;
    const JwkParse parsed = [&] {
      if (!hmac) return parse_jwk(jwk, source);
      return JwkParse{};  // built per test: Wycheproof gives one HMAC key per vector
    }();
    for (const json& t : group.at("tests")) {
      SCOPED_TRACE(file + " tcId " + std::to_string(t.at("tcId").get<int>()) + " " +
                   t.at("comment").get<std::string>());
      ++tally.tests;
      const std::string msg = from_hex(t.at("msg").get<std::string>());
      const std::string result = t.at("result").get<std::string>();
      bool ok = false;
      if (hmac) {
        const json oct = {{"kty", "oct"},
                          {"k", base64url_encode(from_hex(t.at("key").get<std::string>()))}};
        const JwkParse key = parse_jwk(oct, KeySource::kHmacSecret);
        ok = key.key &&
             verify_signature(alg, *key.key, msg, from_hex(t.at("tag").get<std::string>()));
        // Keys shorter than the hash are refused by design (RFC 7518 §3.2).
        if (!key.key || !key.key->verifies(alg)) {
          EXPECT_FALSE(ok);
          continue;
        }
      } else {
        ok = parsed.key && verify_signature(alg, *parsed.key, msg, from_hex(t.at("sig")));
        if (result == "valid") {
          EXPECT_TRUE(parsed.key.has_value()) << parsed.reason;
        }
      }
      if (result == "valid") {
        EXPECT_TRUE(ok);
      } else {
        EXPECT_FALSE(ok) << result;  // invalid, and acceptable (see the top)
      }
      tally.verified += ok ? 1 : 0;
    }
  }
  return tally;
}

struct VectorFile {
  const char* file;
  JwsAlgorithm alg;
};

class Wycheproof : public ::testing::TestWithParam<VectorFile> {};

TEST_P(Wycheproof, ValidVerifiesInvalidDoesNot) {
  const Tally tally = run_file(GetParam().file, GetParam().alg);
  EXPECT_GT(tally.tests, 0u);
  EXPECT_GT(tally.verified, 0u);
}

const VectorFile kFiles[] = {
    {"rsa_signature_2048_sha256_test.json", JwsAlgorithm::kRS256},
    {"rsa_signature_3072_sha256_test.json", JwsAlgorithm::kRS256},
    {"rsa_signature_4096_sha256_test.json", JwsAlgorithm::kRS256},
    {"rsa_signature_2048_sha384_test.json", JwsAlgorithm::kRS384},
    {"rsa_signature_3072_sha384_test.json", JwsAlgorithm::kRS384},
    {"rsa_signature_4096_sha384_test.json", JwsAlgorithm::kRS384},
    {"rsa_signature_2048_sha512_test.json", JwsAlgorithm::kRS512},
    {"rsa_signature_3072_sha512_test.json", JwsAlgorithm::kRS512},
    {"rsa_signature_4096_sha512_test.json", JwsAlgorithm::kRS512},
    {"rsa_pss_2048_sha256_mgf1_32_test.json", JwsAlgorithm::kPS256},
    {"rsa_pss_3072_sha256_mgf1_32_test.json", JwsAlgorithm::kPS256},
    {"rsa_pss_2048_sha384_mgf1_48_test.json", JwsAlgorithm::kPS384},
    {"rsa_pss_4096_sha384_mgf1_48_test.json", JwsAlgorithm::kPS384},
    {"rsa_pss_4096_sha512_mgf1_64_test.json", JwsAlgorithm::kPS512},
    {"ecdsa_secp256r1_sha256_p1363_test.json", JwsAlgorithm::kES256},
    {"ecdsa_secp384r1_sha384_p1363_test.json", JwsAlgorithm::kES384},
    {"ecdsa_secp521r1_sha512_p1363_test.json", JwsAlgorithm::kES512},
    {"ed25519_test.json", JwsAlgorithm::kEdDSA},
    {"hmac_sha256_test.json", JwsAlgorithm::kHS256},
    {"hmac_sha384_test.json", JwsAlgorithm::kHS384},
    {"hmac_sha512_test.json", JwsAlgorithm::kHS512},
};

INSTANTIATE_TEST_SUITE_P(Vectors, Wycheproof, ::testing::ValuesIn(kFiles),
                         [](const ::testing::TestParamInfo<VectorFile>& param_info) {
                           std::string name = param_info.param.file;
                           name = name.substr(0, name.find("_test.json"));
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace archway::identity
