// One parse and one validation per PUT /config (issue 10, item 13): the
// route compiler and the server's swap accept only a ValidatedSnapshot,
// which only validate_snapshot (and parse_snapshot_*, through it) makes, and
// the TLS contexts are built from the certificates and keys that validation
// parsed instead of parsing the PEM again.

#include <openssl/ssl.h>

#include <type_traits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "proxy/config/snapshot_parser.h"
#include "proxy/config/validated_snapshot.h"
#include "proxy/exchange/table_context.h"
#include "proxy/routing/route_table.h"
#include "tests/proxy/self_signed_cert.h"

namespace archway::config {
namespace {

TEST(ValidatedSnapshotTest, OnlyValidationMakesOne) {
  EXPECT_FALSE((std::is_constructible_v<ValidatedSnapshot, Snapshot>));
  EXPECT_FALSE((std::is_constructible_v<ValidatedSnapshot, const Snapshot&>));
  EXPECT_FALSE(std::is_default_constructible_v<ValidatedSnapshot>);
}

TEST(ValidatedSnapshotTest, RouteCompilerAndSwapAcceptOnlyAValidatedSnapshot) {
  using routing::RouteTable;
  EXPECT_FALSE((std::is_invocable_v<decltype(&RouteTable::compile), const Snapshot&>));
  EXPECT_TRUE((std::is_invocable_v<decltype(&RouteTable::compile), const ValidatedSnapshot&>));
  EXPECT_FALSE(
      (std::is_invocable_v<decltype(&exchange::build_table_context), const Snapshot&, uint64_t>));
}

TEST(ValidatedSnapshotTest, RouteTableSharesTheValidatedSnapshotInsteadOfCopyingIt) {
  Snapshot snapshot;
  snapshot.version = "1";
  auto validated = validate_snapshot(snapshot);
  ASSERT_TRUE(validated.ok()) << validated.error().to_string();
  auto table = routing::RouteTable::compile(*validated);
  ASSERT_TRUE(table.ok()) << table.error().to_string();
  EXPECT_EQ(&(*table)->snapshot(), &validated->snapshot());
}

TEST(ValidatedSnapshotTest, ValidationRejectsWhatParsingRejects) {
  Snapshot snapshot;  // no version
  auto validated = validate_snapshot(snapshot);
  ASSERT_FALSE(validated.ok());
  EXPECT_EQ(validated.error().to_string(), "version: must not be empty");
}

TEST(ValidatedSnapshotTest, ServerTlsUsesTheCertificateAndKeyValidationParsed) {
  const auto pair = test_tls::self_signed_cert("a.example.com");
  const nlohmann::json doc = {
      {"version", "1"},
      {"virtualHosts",
       {{{"name", "a"},
         {"domains", {"a.example.com"}},
         {"tls", {{"certificate", pair.cert}, {"privateKey", pair.key}}}}}}};
  auto parsed = parse_snapshot_json(doc.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  const CertificateChain* chain = parsed->server_certificate(0);
  ASSERT_NE(chain, nullptr);
  auto context = exchange::build_table_context(*parsed, 1);
  ASSERT_TRUE(context.ok()) << context.error().to_string();
  ASSERT_NE((*context)->tls, nullptr);
  SSL_CTX* ssl_ctx = (*context)->tls->default_context();
  // The very objects validation made: the PEM was not read a second time.
  EXPECT_EQ(SSL_CTX_get0_certificate(ssl_ctx), chain->leaf.get());
  EXPECT_EQ(SSL_CTX_get0_privatekey(ssl_ctx), chain->key.get());
}

}  // namespace
}  // namespace archway::config
