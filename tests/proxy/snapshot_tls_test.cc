// TLS material in a snapshot: certificates and keys are parsed with OpenSSL
// once, at validation, and must belong together. Keys are generated per test run (no key files in
// the repository).

#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "proxy/config/snapshot_parser.h"
#include "proxy/config/tls_check.h"
#include "tests/proxy/self_signed_cert.h"

namespace archway::config {
namespace {

using Pair = test_tls::CertPair;

Pair self_signed(const char* common_name) { return test_tls::self_signed_cert(common_name); }

TEST(TlsCheckTest, AcceptsMatchingPairAndChain) {
  const Pair a = self_signed("a.example.com");
  const Pair b = self_signed("b.example.com");
  EXPECT_TRUE(parse_certificate_and_key(a.cert, a.key).ok());
  EXPECT_TRUE(parse_certificate_and_key(a.cert + b.cert, a.key).ok());  // leaf first
  EXPECT_TRUE(parse_ca_bundle(a.cert + b.cert).ok());
}

TEST(TlsCheckTest, Rejections) {
  const Pair a = self_signed("a.example.com");
  const Pair b = self_signed("b.example.com");
  const auto message = [](const auto& r) { return r.ok() ? "ok" : r.error().to_string(); };
  EXPECT_EQ(message(parse_certificate_and_key(a.cert, b.key)),
            "privateKey: does not match the certificate");
  EXPECT_EQ(message(parse_certificate_and_key(b.cert + a.cert, a.key)),
            "privateKey: does not match the certificate");  // the leaf decides
  EXPECT_EQ(message(parse_certificate_and_key("", a.key)), "certificate: invalid PEM certificate");
  EXPECT_EQ(message(parse_certificate_and_key(a.key, a.key)),
            "certificate: invalid PEM certificate");
  EXPECT_EQ(
      message(parse_certificate_and_key(a.cert + "-----BEGIN CERTIFICATE-----\nAAAA\n", a.key)),
      "certificate: invalid PEM certificate");  // truncated second block
  EXPECT_EQ(message(parse_certificate_and_key(a.cert, a.cert)),
            "privateKey: invalid PEM private key");
  EXPECT_EQ(message(parse_certificate_and_key(a.cert, "")), "privateKey: invalid PEM private key");
  EXPECT_EQ(message(parse_ca_bundle("not pem")), "invalid PEM certificate");
}

TEST(TlsCheckTest, SnapshotNamesTheVirtualHost) {
  const Pair a = self_signed("a.example.com");
  const Pair b = self_signed("b.example.com");
  nlohmann::json doc = {{"version", "1"},
                        {"virtualHosts",
                         {{{"name", "ok"},
                           {"domains", {"a.example.com"}},
                           {"tls", {{"certificate", a.cert}, {"privateKey", a.key}}}},
                          {{"name", "bad"},
                           {"domains", {"b.example.com"}},
                           {"tls", {{"certificate", b.cert}, {"privateKey", a.key}}}}}}};
  auto parsed = parse_snapshot_json(doc.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().to_string(),
            "virtualHosts[1].tls.privateKey: does not match the certificate");
  doc["virtualHosts"].erase(1);
  auto ok = parse_snapshot_json(doc.dump());
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ((*ok)->virtual_hosts[0].tls->certificate_pem, a.cert);
  EXPECT_EQ(parse_snapshot_json(to_json(*ok))->snapshot(), ok->snapshot());
}

}  // namespace
}  // namespace archway::config
