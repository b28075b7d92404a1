// verify_jwt against a table of crafted tokens (issue 13's list): each attack
// is refused with its reason, and every accepted algorithm has a positive
// control. Keys and clock come from token_table.h.

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "proxy/identity/jwt_verifier.h"
#include "tests/proxy/identity/token_table.h"

namespace archway::identity {
namespace {

using namespace testing;  // NOLINT: the forge's helpers
using nlohmann::json;

std::string es256_with_signature(std::string signature) {
  return token(header("ES256", "ec-256"), claims(), fixed(std::move(signature)));
}

// An ES256 signature whose r (first) or s (second) half is replaced.
std::string es256_with_half(bool replace_r, std::string half) {
  const std::string input = encode_json(header("ES256", "ec-256")) + "." + encode_json(claims());
  std::string sig = sign(JwsAlgorithm::kES256, keys().ec256.get(), input);
  sig.replace(replace_r ? 0 : 32, 32, half);
  return input + "." + base64url_encode(sig);
}

std::string p256_order() {
  return std::string(
      "\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF"
      "\xBC\xE6\xFA\xAD\xA7\x17\x9E\x84\xF3\xB9\xCA\xC2\xFC\x63\x25\x51",
      32);
}

std::string with_part(const std::string& t, int index, const std::string& part) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t dot = t.find('.'); dot != std::string::npos; dot = t.find('.', start)) {
    parts.push_back(t.substr(start, dot - start));
    start = dot + 1;
  }
  parts.push_back(t.substr(start));
  parts[static_cast<size_t>(index)] = part;
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "." : "") + parts[i];
  return out;
}

std::string flip_last_char(std::string s) {
  s.back() = s.back() == 'A' ? 'Q' : 'A';
  return s;
}

struct Case {
  std::string name;
  std::string token;
  std::optional<JwtFailure> expected;  // nullopt: accepted
  bool hmac_set = false;
};

std::vector<Case> cases() {
  const Keys& k = keys();
  const std::string good = rs256();
  const std::string good_header = good.substr(0, good.find('.'));
  std::vector<Case> t;
  auto refuse = [&](std::string name, std::string tok, JwtFailure why) {
    t.push_back({std::move(name), std::move(tok), why});
  };
  auto accept = [&](std::string name, std::string tok, bool hmac_set = false) {
    t.push_back({std::move(name), std::move(tok), std::nullopt, hmac_set});
  };

  // alg none in every spelling, with and without a kid, empty signature.
  for (const char* none : {"none", "None", "NONE", "nOnE"}) {
    refuse(std::string("alg ") + none, token(header(none, "rsa-1"), claims(), fixed("")),
           JwtFailure::kAlgNotAllowed);
  }
  refuse("alg none without kid", token(header("none", ""), claims(), fixed("")),
         JwtFailure::kAlgNotAllowed);
  refuse("alg none with a real signature appended",
         token(header("none", "rsa-1"), claims(), by(JwsAlgorithm::kRS256, k.rsa.get())),
         JwtFailure::kAlgNotAllowed);
  refuse("alg lowercase rs256", token(header("rs256", "rsa-1"), claims(), fixed("x")),
         JwtFailure::kAlgNotAllowed);

  // Algorithm confusion: HS256 keyed with the RSA public key's bytes.
  const std::string pem = public_key_pem(k.rsa.get());
  const std::string der = public_key_der(k.rsa.get());
  refuse("HS256 keyed with RSA PEM, kid of the RSA key",
         token(header("HS256", "rsa-1"), claims(), by_hmac(JwsAlgorithm::kHS256, pem)),
         JwtFailure::kAlgNotAllowed);
  refuse("HS256 keyed with RSA DER, no kid",
         token(header("HS256", ""), claims(), by_hmac(JwsAlgorithm::kHS256, der)),
         JwtFailure::kAlgNotAllowed);
  refuse("HS512 keyed with RSA PEM, no kid",
         token(header("HS512", ""), claims(), by_hmac(JwsAlgorithm::kHS512, pem)),
         JwtFailure::kAlgNotAllowed);

  // The key decides the algorithm.
  refuse("RS256 with the kid of an EC key",
         token(header("RS256", "ec-256"), claims(), by(JwsAlgorithm::kRS256, k.rsa.get())),
         JwtFailure::kAlgNotAllowed);
  refuse("PS256 with a JWK pinned to RS256",
         token(header("PS256", "rsa-rs256"), claims(), by(JwsAlgorithm::kPS256, k.rsa.get())),
         JwtFailure::kAlgNotAllowed);
  refuse("ES256 with the kid of a P-384 key",
         token(header("ES256", "ec-384"), claims(), by(JwsAlgorithm::kES256, k.ec256.get())),
         JwtFailure::kAlgNotAllowed);
  refuse("EdDSA with the kid of the RSA key",
         token(header("EdDSA", "rsa-1"), claims(), by(JwsAlgorithm::kEdDSA, k.ed.get())),
         JwtFailure::kAlgNotAllowed);

  // Keys named by the token are never used: signed by the attacker's key.
  json jwk_header = header("RS256", "");
  jwk_header["jwk"] = public_jwk(k.attacker_rsa.get(), "");
  refuse("jwk header with the attacker's key",
         token(jwk_header, claims(), by(JwsAlgorithm::kRS256, k.attacker_rsa.get())),
         JwtFailure::kBadSignature);
  json jwk_kid_header = header("RS256", "attacker");
  jwk_kid_header["jwk"] = public_jwk(k.attacker_rsa.get(), "attacker");
  refuse("jwk header with the attacker's key and kid",
         token(jwk_kid_header, claims(), by(JwsAlgorithm::kRS256, k.attacker_rsa.get())),
         JwtFailure::kUnknownKey);
  json jku = header("RS256", "rsa-1");
  jku["jku"] = "https://attacker.example/jwks.json";
  refuse("jku header", token(jku, claims(), by(JwsAlgorithm::kRS256, k.attacker_rsa.get())),
         JwtFailure::kBadSignature);
  json x5u = header("ES256", "ec-256");
  x5u["x5u"] = "https://attacker.example/cert.pem";
  refuse("x5u header", token(x5u, claims(), by(JwsAlgorithm::kES256, k.attacker_ec.get())),
         JwtFailure::kBadSignature);
  json x5c = header("RS256", "");
  x5c["x5c"] = json::array({base64url_encode(public_key_der(k.attacker_rsa.get()))});
  refuse("x5c header", token(x5c, claims(), by(JwsAlgorithm::kRS256, k.attacker_rsa.get())),
         JwtFailure::kBadSignature);

  // kid injection: never a path, a query or a prefix.
  for (const char* kid :
       {"../../../../dev/null", "' OR '1'='1", "rsa-1' --", "rsa", "rsa-1 ", "RSA-1"}) {
    refuse(std::string("kid ") + kid,
           token(header("RS256", kid), claims(), by(JwsAlgorithm::kRS256, k.rsa.get())),
           JwtFailure::kUnknownKey);
  }
  json numeric_kid = header("RS256", "");
  numeric_kid["kid"] = 1;
  refuse("kid not a string", rs256(claims(), numeric_kid), JwtFailure::kMalformed);

  // Tampering and foreign signatures.
  json tampered_header = header("RS256", "rsa-1");
  tampered_header["typ"] = "at+jwt";
  refuse("tampered header", with_part(good, 0, encode_json(tampered_header)),
         JwtFailure::kBadSignature);
  json admin = claims();
  admin["sub"] = "admin";
  refuse("tampered payload", with_part(good, 1, encode_json(admin)), JwtFailure::kBadSignature);
  std::string sig = *base64url_decode(good.substr(good.rfind('.') + 1));
  sig[10] = static_cast<char>(sig[10] ^ 1);
  refuse("tampered signature", with_part(good, 2, base64url_encode(sig)),
         JwtFailure::kBadSignature);
  refuse("signature by another RSA key",
         token(header("RS256", "rsa-1"), claims(), by(JwsAlgorithm::kRS256, k.attacker_rsa.get())),
         JwtFailure::kBadSignature);
  refuse("signature by another EC key",
         token(header("ES256", "ec-256"), claims(), by(JwsAlgorithm::kES256, k.attacker_ec.get())),
         JwtFailure::kBadSignature);
  refuse("RS256 signature one byte short", with_part(good, 2, base64url_encode(sig.substr(1))),
         JwtFailure::kBadSignature);
  refuse("empty signature", with_part(good, 2, ""), JwtFailure::kBadSignature);

  // ECDSA signature form and range.
  refuse("ECDSA r = 0", es256_with_half(true, std::string(32, '\0')), JwtFailure::kBadSignature);
  refuse("ECDSA s = 0", es256_with_half(false, std::string(32, '\0')), JwtFailure::kBadSignature);
  refuse("ECDSA r = n", es256_with_half(true, p256_order()), JwtFailure::kBadSignature);
  refuse("ECDSA s = n", es256_with_half(false, p256_order()), JwtFailure::kBadSignature);
  refuse("ECDSA r = 2^256 - 1", es256_with_half(true, std::string(32, '\xFF')),
         JwtFailure::kBadSignature);
  refuse("ECDSA r = s = 0", es256_with_signature(std::string(64, '\0')), JwtFailure::kBadSignature);
  {
    const std::string input = encode_json(header("ES256", "ec-256")) + "." + encode_json(claims());
    const std::string der_sig = sign_der(JwsAlgorithm::kES256, k.ec256.get(), input);
    refuse("ECDSA DER-encoded signature", input + "." + base64url_encode(der_sig),
           JwtFailure::kBadSignature);
    const std::string rs = sign(JwsAlgorithm::kES256, k.ec256.get(), input);
    refuse("ECDSA signature one byte short", input + "." + base64url_encode(rs.substr(1)),
           JwtFailure::kBadSignature);
    refuse("ECDSA signature zero-padded", input + "." + base64url_encode(std::string(1, '\0') + rs),
           JwtFailure::kBadSignature);
  }

  // Time.
  json expired = claims();
  expired["exp"] = kNow - 61;
  refuse("expired beyond the skew", rs256(expired), JwtFailure::kExpired);
  json expired_at_edge = claims();
  expired_at_edge["exp"] = kNow - 60;
  refuse("expired exactly at the skew", rs256(expired_at_edge), JwtFailure::kExpired);
  json nbf = claims();
  nbf["nbf"] = kNow + 61;
  refuse("not yet valid", rs256(nbf), JwtFailure::kNotYetValid);
  json iat = claims();
  iat["iat"] = kNow + 3600;
  refuse("iat in the future beyond the skew", rs256(iat), JwtFailure::kNotYetValid);
  json no_exp = claims();
  no_exp.erase("exp");
  refuse("missing exp", rs256(no_exp), JwtFailure::kMissingExp);
  json exp_string = claims();
  exp_string["exp"] = std::to_string(kNow + 300);
  refuse("exp as a string", rs256(exp_string), JwtFailure::kMissingExp);
  json exp_huge = claims();
  exp_huge["exp"] = 1e300;
  refuse("exp beyond 64 bits", rs256(exp_huge), JwtFailure::kMissingExp);
  json nbf_string = claims();
  nbf_string["nbf"] = "yesterday";
  refuse("nbf as a string", rs256(nbf_string), JwtFailure::kMalformed);

  // Issuer and audience.
  json wrong_iss = claims();
  wrong_iss["iss"] = "https://id.example.com.attacker.example";
  refuse("wrong iss", rs256(wrong_iss), JwtFailure::kWrongIssuer);
  json no_iss = claims();
  no_iss.erase("iss");
  refuse("missing iss", rs256(no_iss), JwtFailure::kWrongIssuer);
  json wrong_aud = claims();
  wrong_aud["aud"] = "payments";
  refuse("wrong aud", rs256(wrong_aud), JwtFailure::kWrongAudience);
  json aud_list = claims();
  aud_list["aud"] = {"payments", "billing"};
  refuse("aud array without ours", rs256(aud_list), JwtFailure::kWrongAudience);
  json no_aud = claims();
  no_aud.erase("aud");
  refuse("missing aud", rs256(no_aud), JwtFailure::kWrongAudience);

  // Header extensions.
  json crit = header("RS256", "rsa-1");
  crit["crit"] = json::array({"exp"});
  crit["exp"] = kNow + 300;
  refuse("unknown crit", rs256(claims(), crit), JwtFailure::kUnknownCrit);
  json empty_crit = header("RS256", "rsa-1");
  empty_crit["crit"] = json::array();
  refuse("empty crit", rs256(claims(), empty_crit), JwtFailure::kMalformed);
  json b64 = header("RS256", "rsa-1");
  b64["b64"] = false;
  refuse("b64 false", rs256(claims(), b64), JwtFailure::kMalformed);
  json typ = header("RS256", "rsa-1");
  typ["typ"] = "JWE";
  refuse("typ not a JWT", rs256(claims(), typ), JwtFailure::kWrongType);
  json cty = header("RS256", "rsa-1");
  cty["cty"] = "JWT";
  refuse("nested JWT (cty)", rs256(claims(), cty), JwtFailure::kMalformed);
  refuse("alg missing", rs256(claims(), json{{"kid", "rsa-1"}}), JwtFailure::kMalformed);

  // Structure and encoding.
  json big = claims();
  big["pad"] = std::string(16 * 1024, 'a');
  refuse("oversized token", rs256(big), JwtFailure::kTooLarge);
  refuse("padding in the header", with_part(good, 0, good_header + "="), JwtFailure::kMalformed);
  refuse("padding in the signature", good + "==", JwtFailure::kMalformed);
  const std::string good_payload =
      good.substr(good.find('.') + 1, good.rfind('.') - good.find('.') - 1);
  refuse("space inside the payload", with_part(good, 1, "eyJ " + good_payload.substr(3)),
         JwtFailure::kMalformed);
  refuse("trailing newline", good + "\n", JwtFailure::kMalformed);
  refuse("leading space", " " + good, JwtFailure::kMalformed);
  refuse("standard base64 characters", with_part(good, 2, "ab+/cd"), JwtFailure::kMalformed);
  refuse("non-canonical trailing bits", with_part(good, 0, flip_last_char(good_header)),
         JwtFailure::kMalformed);
  refuse("two parts", good.substr(0, good.rfind('.')), JwtFailure::kMalformed);
  refuse("four parts", good + ".AAAA", JwtFailure::kMalformed);
  refuse("five parts (JWE)", good + ".AAAA.AAAA", JwtFailure::kMalformed);
  refuse("empty token", "", JwtFailure::kMalformed);
  refuse("empty payload", with_part(good, 1, ""), JwtFailure::kMalformed);
  refuse("header is an array", base64url_encode(R"(["RS256"])") + good.substr(good.find('.')),
         JwtFailure::kMalformed);
  refuse("header is a string", base64url_encode(R"("RS256")") + good.substr(good.find('.')),
         JwtFailure::kMalformed);
  refuse("header is not JSON", base64url_encode("alg=RS256") + good.substr(good.find('.')),
         JwtFailure::kMalformed);
  {
    const std::string dup_header =
        base64url_encode(R"({"alg":"RS256","kid":"rsa-1","alg":"none"})");
    const std::string input = dup_header + "." + encode_json(claims());
    refuse("duplicate header keys",
           input + "." + base64url_encode(sign(JwsAlgorithm::kRS256, k.rsa.get(), input)),
           JwtFailure::kMalformed);
    const std::string dup_claims = base64url_encode(
        R"({"iss":"https://id.example.com","aud":"orders","exp":1700000300,"exp":1})");
    const std::string input2 = encode_json(header("RS256", "rsa-1")) + "." + dup_claims;
    refuse("duplicate claims",
           input2 + "." + base64url_encode(sign(JwsAlgorithm::kRS256, k.rsa.get(), input2)),
           JwtFailure::kMalformed);
    const std::string not_json = base64url_encode("iss=me");
    const std::string input3 = encode_json(header("RS256", "rsa-1")) + "." + not_json;
    refuse("payload not JSON",
           input3 + "." + base64url_encode(sign(JwsAlgorithm::kRS256, k.rsa.get(), input3)),
           JwtFailure::kMalformed);
  }

  // Positive controls: every algorithm we accept, and the edges that pass.
  const std::pair<JwsAlgorithm, std::pair<EVP_PKEY*, const char*>> signers[] = {
      {JwsAlgorithm::kRS256, {k.rsa.get(), "rsa-1"}},
      {JwsAlgorithm::kRS384, {k.rsa.get(), "rsa-1"}},
      {JwsAlgorithm::kRS512, {k.rsa.get(), "rsa-1"}},
      {JwsAlgorithm::kPS256, {k.rsa.get(), "rsa-1"}},
      {JwsAlgorithm::kPS384, {k.rsa.get(), "rsa-1"}},
      {JwsAlgorithm::kPS512, {k.rsa.get(), "rsa-1"}},
      {JwsAlgorithm::kES256, {k.ec256.get(), "ec-256"}},
      {JwsAlgorithm::kES384, {k.ec384.get(), "ec-384"}},
      {JwsAlgorithm::kES512, {k.ec521.get(), "ec-521"}},
      {JwsAlgorithm::kEdDSA, {k.ed.get(), "ed-1"}},
  };
  for (const auto& [alg, signer] : signers) {
    const std::string name(jws_algorithm_name(alg));
    accept("accepted " + name, token(header(name, signer.second), claims(), by(alg, signer.first)));
    accept("accepted " + name + " without kid",
           token(header(name, ""), claims(), by(alg, signer.first)));
  }
  for (const JwsAlgorithm alg :
       {JwsAlgorithm::kHS256, JwsAlgorithm::kHS384, JwsAlgorithm::kHS512}) {
    const std::string name(jws_algorithm_name(alg));
    accept("accepted " + name + " with a key declared HMAC",
           token(header(name, "hmac-1"), claims(), by_hmac(alg, std::string(kHmacSecret))), true);
  }
  accept("accepted RS256 on the JWK pinned to RS256",
         token(header("RS256", "rsa-rs256"), claims(), by(JwsAlgorithm::kRS256, k.rsa.get())));
  json within_skew = claims();
  within_skew["exp"] = kNow - 59;
  within_skew["nbf"] = kNow + 60;
  within_skew["iat"] = kNow + 60;
  accept("accepted within the clock skew", rs256(within_skew));
  json aud_in_list = claims();
  aud_in_list["aud"] = {"billing", "orders"};
  accept("accepted aud array holding ours", rs256(aud_in_list));
  json fractional = claims();
  fractional["exp"] = static_cast<double>(kNow) + 300.5;
  accept("accepted fractional exp", rs256(fractional));
  json at_jwt = header("RS256", "rsa-1");
  at_jwt["typ"] = "application/at+JWT";
  accept("accepted typ application/at+jwt", rs256(claims(), at_jwt));
  json untyped = header("RS256", "rsa-1");
  untyped.erase("typ");
  accept("accepted without typ", rs256(claims(), untyped));
  json ignored_x5c = header("RS256", "rsa-1");
  ignored_x5c["x5c"] = json::array({base64url_encode(public_key_der(k.attacker_rsa.get()))});
  ignored_x5c["jku"] = "https://attacker.example/jwks.json";
  accept("accepted with jku and x5c present (ignored)", rs256(claims(), ignored_x5c));
  return t;
}

TEST(CraftedTokens, EachIsRefusedWithItsReasonOrAccepted) {
  const std::vector<Case> table = cases();
  size_t refusals = 0;
  for (const Case& c : table) {
    SCOPED_TRACE(c.name);
    const JwkSet& set = c.hmac_set ? *keys().hmac_set : *keys().public_set;
    const auto result = verify_jwt(c.token, set, policy(), kNowTime);
    if (c.expected) {
      ++refusals;
      ASSERT_FALSE(result.ok());
      EXPECT_EQ(failure_label(result.failure()), failure_label(*c.expected));
    } else {
      ASSERT_TRUE(result.ok()) << failure_label(result.failure());
      EXPECT_EQ(result->claims.at("sub"), "user-1");
    }
  }
  EXPECT_GE(refusals, 40u);
}

}  // namespace
}  // namespace archway::identity
