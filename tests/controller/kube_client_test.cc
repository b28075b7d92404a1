// The cpprestsdk client's edges that need no API server: time formats,
// TLS material checks, and errors as values on an unreachable server.
// The real API server is exercised by kube_client_live_test.cc.

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <gtest/gtest.h>

#include "controller/k8s/kube_client.h"
#include "controller/k8s/kube_tls.h"
#include "controller/k8s/time_format.h"

namespace archway::controller::k8s {
namespace {

using namespace std::chrono_literals;

TEST(TimeFormat, RoundTripsMicroTime) {
  const TimePoint t = TimePoint(1714564800s + 123456us);  // 2024-05-01T12:00:00.123456Z
  EXPECT_EQ(format_micro_time(t), "2024-05-01T12:00:00.123456Z");
  EXPECT_EQ(format_time(t), "2024-05-01T12:00:00Z");
  EXPECT_EQ(parse_time("2024-05-01T12:00:00.123456Z"), t);
  EXPECT_EQ(parse_time("2024-05-01T12:00:00Z"), TimePoint(1714564800s));
  EXPECT_EQ(parse_time("2024-05-01T14:00:00.123456789+02:00"), t);  // nanos truncated
}

TEST(TimeFormat, RejectsMalformed) {
  for (const char* bad : {"", "2024-05-01", "2024-05-01T12:00:00", "2024-13-01T00:00:00Z",
                          "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00Zjunk"}) {
    EXPECT_FALSE(parse_time(bad).has_value()) << bad;
  }
}

// A self-signed EC certificate and its key, as PEM.
std::pair<std::string, std::string> make_cert() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("test"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  auto to_pem = [](auto write) {
    BIO* bio = BIO_new(BIO_s_mem());
    write(bio);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<size_t>(n));
    BIO_free(bio);
    return out;
  };
  std::string cert_pem = to_pem([&](BIO* b) { PEM_write_bio_X509(b, cert); });
  std::string key_pem = to_pem(
      [&](BIO* b) { PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); });
  X509_free(cert);
  EVP_PKEY_free(key);
  return {cert_pem, key_pem};
}

TEST(KubeTls, AcceptsGoodPemAndNamesBadPem) {
  auto [cert, key] = make_cert();
  KubeConfig good;
  good.ca_pem = cert + cert;  // a bundle
  good.client_cert_pem = cert;
  good.client_key_pem = key;
  EXPECT_TRUE(check_tls(good).ok());

  KubeConfig bad_ca = good;
  bad_ca.ca_pem = "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n";
  auto r = check_tls(bad_ca);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "certificate-authority");

  KubeConfig bad_key = good;
  bad_key.client_key_pem = "garbage";
  r = check_tls(bad_key);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "client-key");
}

TEST(KubeClient, BadTlsMaterialIsAnErrorOnEveryCall) {
  KubeConfig config;
  config.server = "https://127.0.0.1:1";
  config.ca_pem = "not pem";
  auto client = make_kube_client(config);
  auto r = client->get("/api");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "certificate-authority");
  auto w = client->watch(
      "/api/v1/pods?watch=1", [](const WatchEvent&) {}, [] { return false; });
  EXPECT_FALSE(w.ok());
}

TEST(KubeClient, UnreachableServerIsUnavailable) {
  KubeConfig config;
  config.server = "https://127.0.0.1:1";  // nothing listens on port 1
  auto client = make_kube_client(config);
  auto r = client->get("/api");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Error::Code::kUnavailable);
  auto w = client->watch(
      "/api/v1/pods?watch=1", [](const WatchEvent&) {}, [] { return false; });
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, Error::Code::kUnavailable);
}

TEST(KubeClient, BadServerUrlIsInvalid) {
  KubeConfig config;
  config.server = "not a url";
  auto r = make_kube_client(config)->get("/api");
  ASSERT_FALSE(r.ok());
}

}  // namespace
}  // namespace archway::controller::k8s
