// TLS material in a snapshot: certificates and keys are parsed with OpenSSL
// and must belong together. Keys are generated per test run (no key files in
// the repository).

#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "proxy/config/snapshot_parser.h"
#include "proxy/config/tls_check.h"

namespace archway::config {
namespace {

struct Pair {
  std::string cert;
  std::string key;
};

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

Pair self_signed(const char* common_name) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_set_pubkey(cert, key);
  X509_sign(cert, key, EVP_sha256());
  BIO* cert_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cert_bio, cert);
  BIO* key_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  X509_free(cert);
  EVP_PKEY_free(key);
  return {bio_string(cert_bio), bio_string(key_bio)};
}

TEST(TlsCheckTest, AcceptsMatchingPairAndChain) {
  const Pair a = self_signed("a.example.com");
  const Pair b = self_signed("b.example.com");
  EXPECT_TRUE(check_certificate_and_key(a.cert, a.key).ok());
  EXPECT_TRUE(check_certificate_and_key(a.cert + b.cert, a.key).ok());  // leaf first
  EXPECT_TRUE(check_ca_bundle(a.cert + b.cert).ok());
}

TEST(TlsCheckTest, Rejections) {
  const Pair a = self_signed("a.example.com");
  const Pair b = self_signed("b.example.com");
  const auto message = [](const Result<void>& r) { return r.ok() ? "ok" : r.error().to_string(); };
  EXPECT_EQ(message(check_certificate_and_key(a.cert, b.key)),
            "privateKey: does not match the certificate");
  EXPECT_EQ(message(check_certificate_and_key(b.cert + a.cert, a.key)),
            "privateKey: does not match the certificate");  // the leaf decides
  EXPECT_EQ(message(check_certificate_and_key("", a.key)), "certificate: invalid PEM certificate");
  EXPECT_EQ(message(check_certificate_and_key(a.key, a.key)),
            "certificate: invalid PEM certificate");
  EXPECT_EQ(message(check_certificate_and_key(a.cert + "-----BEGIN CERTIFICATE-----\nAAAA\n",
                                              a.key)),
            "certificate: invalid PEM certificate");  // truncated second block
  EXPECT_EQ(message(check_certificate_and_key(a.cert, a.cert)),
            "privateKey: invalid PEM private key");
  EXPECT_EQ(message(check_certificate_and_key(a.cert, "")), "privateKey: invalid PEM private key");
  EXPECT_EQ(message(check_ca_bundle("not pem")), "invalid PEM certificate");
}

TEST(TlsCheckTest, SnapshotNamesTheVirtualHost) {
  const Pair a = self_signed("a.example.com");
  const Pair b = self_signed("b.example.com");
  nlohmann::json doc = {
      {"version", "1"},
      {"virtualHosts",
       {{{"name", "ok"}, {"domains", {"a.example.com"}},
         {"tls", {{"certificate", a.cert}, {"privateKey", a.key}}}},
        {{"name", "bad"}, {"domains", {"b.example.com"}},
         {"tls", {{"certificate", b.cert}, {"privateKey", a.key}}}}}}};
  auto parsed = parse_snapshot_json(doc.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().to_string(),
            "virtualHosts[1].tls.privateKey: does not match the certificate");
  doc["virtualHosts"].erase(1);
  auto ok = parse_snapshot_json(doc.dump());
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ(ok->virtual_hosts[0].tls->certificate_pem, a.cert);
  EXPECT_EQ(parse_snapshot_json(to_json(*ok)).value(), *ok);
}

}  // namespace
}  // namespace archway::config
