// DELETE /cache on the admin endpoints (proxy/admin/cache_purge.h): the query
// is parsed strictly and the purge callback gets exactly what was asked.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

#include "proxy/admin/cache_purge.h"

namespace archway::admin {
namespace {

TEST(CachePurgeQuery, ExactPathAndPrefixAreParsedAndDecoded) {
  auto exact = parse_cache_purge_query("host=API.Example.com&path=/v1/a%20b");
  ASSERT_TRUE(exact.ok()) << exact.error().to_string();
  EXPECT_EQ(*exact, (CachePurgeQuery{"api.example.com", "/v1/a b", false}));

  auto prefix = parse_cache_purge_query("prefix=%2Fv1%2F&host=api.example.com:8080");
  ASSERT_TRUE(prefix.ok()) << prefix.error().to_string();
  EXPECT_EQ(*prefix, (CachePurgeQuery{"api.example.com:8080", "/v1/", true}));
}

TEST(CachePurgeQuery, DefaultPortsAreDroppedLikeTheCacheKeyDoes) {
  EXPECT_EQ(parse_cache_purge_query("host=a.example:80&path=/")->host, "a.example");
  EXPECT_EQ(parse_cache_purge_query("host=a.example:443&path=/")->host, "a.example");
  EXPECT_EQ(parse_cache_purge_query("host=a.example:8443&path=/")->host, "a.example:8443");
}

TEST(CachePurgeQuery, PlusIsNotASpace) {
  EXPECT_EQ(parse_cache_purge_query("host=h&path=/a+b")->path, "/a+b");
}

TEST(CachePurgeQuery, BadQueriesAreRefusedWithTheirField) {
  struct Case {
    const char* query;
    const char* field;
  };
  for (const Case& c : std::vector<Case>{
           {"", "host"},
           {"path=/x", "host"},
           {"host=&path=/x", "host"},
           {"host=h", "path"},
           {"host=h&path=/x&prefix=/y", "path"},
           {"host=h&path=x", "path"},
           {"host=h&prefix=x", "prefix"},
           {"host=h&path=/x&path=/y", "path"},
           {"host=h&host=g&path=/x", "host"},
           {"host=h&path=/x&query=a", "query"},
       }) {
    auto parsed = parse_cache_purge_query(c.query);
    ASSERT_FALSE(parsed.ok()) << c.query;
    EXPECT_EQ(parsed.error().field, c.field) << c.query << ": " << parsed.error().to_string();
  }
}

TEST(CachePurgeEndpoint, DeleteCallsThePurgeAndAnswersTheCount) {
  std::optional<CachePurgeQuery> asked;
  const PurgeCache purge = [&](const CachePurgeQuery& q) {
    asked = q;
    return size_t{3};
  };
  const auto answer = handle_cache_purge("DELETE", "/cache?host=h&prefix=/v1", purge);
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.content_type, "application/json");
  EXPECT_EQ(nlohmann::json::parse(answer.body), (nlohmann::json{{"purged", 3}}));
  ASSERT_TRUE(asked);
  EXPECT_EQ(*asked, (CachePurgeQuery{"h", "/v1", true}));
}

TEST(CachePurgeEndpoint, MissingHostIs400AndPurgesNothing) {
  bool called = false;
  const PurgeCache purge = [&](const CachePurgeQuery&) {
    called = true;
    return size_t{0};
  };
  const auto answer = handle_cache_purge("DELETE", "/cache?path=/v1", purge);
  EXPECT_EQ(answer.status, 400);
  const auto body = nlohmann::json::parse(answer.body);
  EXPECT_EQ(body["status"], 400);
  EXPECT_NE(body["error"].get<std::string>().find("host"), std::string::npos) << answer.body;
  EXPECT_EQ(handle_cache_purge("DELETE", "/cache", purge).status, 400);
  EXPECT_FALSE(called);
}

TEST(CachePurgeEndpoint, OtherMethodsAre405) {
  bool called = false;
  const PurgeCache purge = [&](const CachePurgeQuery&) {
    called = true;
    return size_t{0};
  };
  for (const char* method : {"GET", "POST", "PUT", "PURGE"}) {
    EXPECT_EQ(handle_cache_purge(method, "/cache?host=h&path=/", purge).status, 405) << method;
  }
  EXPECT_FALSE(called);
}

TEST(CachePurgeEndpoint, WithoutACacheNothingIsPurged) {
  const auto answer = handle_cache_purge("DELETE", "/cache?host=h&path=/", PurgeCache{});
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(nlohmann::json::parse(answer.body), (nlohmann::json{{"purged", 0}}));
}

}  // namespace
}  // namespace archway::admin
