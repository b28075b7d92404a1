// The cache filter through a real chain (registry-compiled) and a fake
// exchange: hit, miss and store, HEAD, 304, bypass, coalescing (delivered
// and released), stale-if-error, only-if-cached and the body limit. No
// worker loop: a waiter's completion runs in place.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "proxy/cache/cache_key.h"
#include "proxy/cache/entry.h"
#include "proxy/cache/policy.h"
#include "proxy/cache/store.h"
#include "proxy/filters/registry.h"
#include "tests/proxy/filter_test_util.h"

namespace archway::filters {
namespace {

using testing::field;
using Clock = std::chrono::system_clock;

config::Cache cache_policy(uint64_t max_body_bytes = 1048576) {
  config::Cache policy;
  policy.ttl = std::chrono::seconds(60);
  policy.max_body_bytes = max_body_bytes;
  return policy;
}

// One rule with a cache policy, its compiled chain and the process state.
struct Rule {
  explicit Rule(config::Cache policy = cache_policy(), bool store_on = true) {
    route.name = "shop/orders/read";
    route.route_name = "shop/orders";
    route.rule_name = "read";
    route.backends.push_back({.cluster = "orders", .weight = 1});
    route.policies.cache = policy;
    if (store_on) shared.cache_store = std::make_shared<cache::Store>(1 << 20);
    chain = compile_chain(route, shared);
  }
  config::Route route;
  SharedPolicyState shared;
  CompiledChain chain;
  routing::CompiledRoute compiled{.route = route,
                                  .virtual_host_index = 0,
                                  .index = 0,
                                  .cumulative_weights = {},
                                  .total_weight = 0};
};

// One exchange: its context, its chain run, and what came of it.
struct Exchange final : ChainOwner {
  Exchange(Rule& rule, std::string method, http::Headers headers = {},
           std::string target_path = "/v1/orders") {
    request.method = std::move(method);
    request.scheme = "http";
    request.authority = "api.example.com";
    request.target = target_path;
    request.headers = std::move(headers);
    path = target_path;
    match.route = &rule.compiled;
    runner.start(rule.chain, ctx);
  }
  void on_chain_continue() override { continued = true; }
  void on_chain_local_reply(LocalReply r) override {
    reply = std::move(r);
    response.status = reply->status;
    response.headers = reply->headers;
    runner.on_response_head(response);
  }
  // The backend's answer, whole.
  void backend(int status, http::Headers headers, std::string body) {
    response.status = status;
    response.headers = std::move(headers);
    response.content_length = body.size();
    runner.on_response_head(response);
    runner.on_response_data(body);
    runner.on_response_end(true);
  }
  uint64_t count(metrics::PolicyCounter counter) const {
    uint64_t n = 0;
    for (const auto& [key, value] : stats.snapshot().policy_events) {
      if (std::get<2>(key) == static_cast<int>(counter)) n += value;
    }
    return n;
  }

  http::Request request;
  routing::RouteMatch match;
  std::string path;
  std::string client_authority;
  metrics::WorkerStats stats;
  FilterContext ctx{request, match, path, "", client_authority, stats};
  FilterChain runner{*this};
  bool continued = false;
  std::optional<LocalReply> reply;
  http::Response response;
};

const http::Headers kCacheable = {{"cache-control", "max-age=60"}, {"etag", "\"v1\""}};

TEST(CacheFilter, AMissIsStoredAndTheNextRequestIsAHit) {
  Rule rule;
  Exchange first(rule, "GET");
  ASSERT_TRUE(first.continued);
  first.backend(200, kCacheable, "orders");
  EXPECT_EQ(field(first.response.headers, "x-cache"), "MISS");
  EXPECT_EQ(field(first.response.headers, "cache-status"),
            "archway; fwd=uri-miss; fwd-status=200; stored");
  EXPECT_EQ(first.count(metrics::PolicyCounter::kCacheMiss), 1u);

  Exchange second(rule, "GET");
  EXPECT_FALSE(second.continued);
  ASSERT_TRUE(second.reply.has_value());
  EXPECT_EQ(second.reply->status, 200);
  EXPECT_EQ(second.reply->body, "orders");
  EXPECT_EQ(field(second.reply->headers, "x-cache"), "HIT");
  EXPECT_EQ(field(second.reply->headers, "age"), "0");
  EXPECT_TRUE(field(second.reply->headers, "cache-status")->starts_with("archway; hit; ttl="));
  EXPECT_EQ(field(second.reply->headers, "etag"), "\"v1\"");
  EXPECT_EQ(second.count(metrics::PolicyCounter::kCacheHit), 1u);
}

// A local answer of a filter after the cache (the route's action:
// directResponse here, an aggregate's composed JSON alike) is stored as a
// backend's answer is, and the next request is a hit that reaches no
// later filter.
TEST(CacheFilter, ALaterFiltersLocalReplyIsStoredAndServed) {
  Rule rule;
  rule.route.backends.clear();
  rule.route.direct_response = config::DirectResponse{200, R"({"order":{}})", "application/json"};
  rule.chain = compile_chain(rule.route, rule.shared);
  Exchange first(rule, "GET");
  ASSERT_TRUE(first.reply.has_value());
  // The rest of the local answer, as the exchange sends it (exchange.cc respond).
  first.runner.on_response_data(first.reply->body);
  first.runner.on_response_end(true);
  EXPECT_EQ(field(first.response.headers, "x-cache"), "MISS");
  EXPECT_EQ(field(first.response.headers, "cache-status"),
            "archway; fwd=uri-miss; fwd-status=200; stored");

  Exchange second(rule, "GET");
  ASSERT_TRUE(second.reply.has_value());
  EXPECT_EQ(field(second.reply->headers, "x-cache"), "HIT");
  EXPECT_EQ(second.reply->body, R"({"order":{}})");
  EXPECT_EQ(field(second.reply->headers, "content-type"), "application/json");
}

TEST(CacheFilter, HeadIsAnsweredFromTheGetEntryAndAHeadMissIsNotStored) {
  Rule rule;
  Exchange head_miss(rule, "HEAD");
  ASSERT_TRUE(head_miss.continued);
  head_miss.backend(200, kCacheable, "");
  EXPECT_EQ(field(head_miss.response.headers, "x-cache"), "MISS");
  EXPECT_EQ(rule.shared.cache_store->entries(), 0u);

  Exchange get(rule, "GET");
  get.backend(200, kCacheable, "orders");
  Exchange head(rule, "HEAD");
  ASSERT_TRUE(head.reply.has_value());
  EXPECT_EQ(head.reply->status, 200);
  EXPECT_EQ(field(head.reply->headers, "x-cache"), "HIT");
  // The body's size for Content-Length; the exchange sends no body to a HEAD.
  EXPECT_EQ(head.reply->body.size(), 6u);
}

TEST(CacheFilter, AMatchingIfNoneMatchGetsA304FromTheEntry) {
  Rule rule;
  Exchange(rule, "GET").backend(200, kCacheable, "orders");
  Exchange conditional(rule, "GET", {{"if-none-match", "W/\"v1\""}});
  ASSERT_TRUE(conditional.reply.has_value());
  EXPECT_EQ(conditional.reply->status, 304);
  EXPECT_EQ(conditional.reply->body, "");
  EXPECT_EQ(field(conditional.reply->headers, "etag"), "\"v1\"");
  EXPECT_EQ(field(conditional.reply->headers, "x-cache"), "HIT");
  Exchange other(rule, "GET", {{"if-none-match", "\"v2\""}});
  ASSERT_TRUE(other.reply.has_value());
  EXPECT_EQ(other.reply->status, 200);
}

TEST(CacheFilter, IneligibleRequestsBypassWithCacheStatusOnly) {
  Rule rule;
  for (const auto& [method, headers] : {std::pair<std::string, http::Headers>{"POST", {}},
                                        {"GET", {{"authorization", "Bearer x"}}},
                                        {"GET", {{"range", "bytes=0-1"}}},
                                        {"GET", {{"cache-control", "no-store"}}}}) {
    Exchange exchange(rule, method, headers);
    ASSERT_TRUE(exchange.continued) << method;
    exchange.backend(200, kCacheable, "orders");
    EXPECT_EQ(field(exchange.response.headers, "cache-status"), "archway; fwd=bypass");
    EXPECT_EQ(field(exchange.response.headers, "x-cache"), std::nullopt);
  }
  EXPECT_EQ(rule.shared.cache_store->entries(), 0u);
}

TEST(CacheFilter, WithCachingOffEveryRequestBypasses) {
  Rule rule(cache_policy(), /*store_on=*/false);
  Exchange exchange(rule, "GET");
  ASSERT_TRUE(exchange.continued);
  exchange.backend(200, kCacheable, "orders");
  EXPECT_EQ(field(exchange.response.headers, "cache-status"), "archway; fwd=bypass");
}

TEST(CacheFilter, ConcurrentMissesWaitForTheFillAndAreAnsweredFromIt) {
  Rule rule;
  Exchange filler(rule, "GET");
  ASSERT_TRUE(filler.continued);
  Exchange waiter(rule, "GET");
  EXPECT_FALSE(waiter.continued);
  EXPECT_FALSE(waiter.reply.has_value());
  EXPECT_TRUE(waiter.runner.suspended());
  Exchange head_waiter(rule, "HEAD");
  EXPECT_TRUE(head_waiter.runner.suspended());

  filler.backend(200, kCacheable, "orders");
  ASSERT_TRUE(waiter.reply.has_value());
  EXPECT_EQ(waiter.reply->body, "orders");
  EXPECT_EQ(field(waiter.reply->headers, "x-cache"), "HIT");
  EXPECT_NE(field(waiter.reply->headers, "cache-status")->find("collapsed"), std::string::npos);
  EXPECT_EQ(waiter.count(metrics::PolicyCounter::kCacheCoalesced), 1u);
  ASSERT_TRUE(head_waiter.reply.has_value());
  EXPECT_EQ(head_waiter.reply->status, 200);
}

TEST(CacheFilter, AnUnstorableFillReleasesTheWaitersToTheBackend) {
  Rule rule;
  Exchange filler(rule, "GET");
  Exchange waiter(rule, "GET");
  ASSERT_TRUE(waiter.runner.suspended());
  filler.backend(200, {{"cache-control", "no-store"}}, "orders");
  EXPECT_TRUE(waiter.continued);
  EXPECT_FALSE(waiter.reply.has_value());
  waiter.backend(200, {{"cache-control", "no-store"}}, "orders");
  EXPECT_EQ(field(waiter.response.headers, "x-cache"), "MISS");
  EXPECT_EQ(waiter.count(metrics::PolicyCounter::kCacheMiss), 1u);
}

TEST(CacheFilter, AFillerGoneMidBodyReleasesTheWaitersAndStoresNothing) {
  Rule rule;
  auto filler = std::make_unique<Exchange>(rule, "GET");
  Exchange waiter(rule, "GET");
  filler->response.headers = kCacheable;
  filler->response.content_length = 100;
  filler->runner.on_response_head(filler->response);
  filler->runner.on_response_data("part of it");
  filler.reset();  // client gone: the exchange dies without ending the response
  EXPECT_TRUE(waiter.continued);
  EXPECT_EQ(rule.shared.cache_store->entries(), 0u);
}

TEST(CacheFilter, AWaiterGoneBeforeTheFillIsNotCalled) {
  Rule rule;
  Exchange filler(rule, "GET");
  auto waiter = std::make_unique<Exchange>(rule, "GET");
  waiter.reset();                             // cancelled: leaves the fill
  filler.backend(200, kCacheable, "orders");  // completes without touching it
  EXPECT_EQ(rule.shared.cache_store->entries(), 1u);
}

TEST(CacheFilter, ABodyOverMaxBodyBytesIsNotStored) {
  Rule rule(cache_policy(/*max_body_bytes=*/4));
  Exchange declared(rule, "GET");
  declared.backend(200, kCacheable, "too long");
  EXPECT_EQ(field(declared.response.headers, "cache-status"),
            "archway; fwd=uri-miss; fwd-status=200");
  Exchange streamed(rule, "GET");
  streamed.response.headers = kCacheable;  // no Content-Length: counted as it streams
  streamed.runner.on_response_head(streamed.response);
  streamed.runner.on_response_data("abc");
  streamed.runner.on_response_data("def");
  streamed.runner.on_response_end(true);
  EXPECT_EQ(rule.shared.cache_store->entries(), 0u);
}

TEST(CacheFilter, OnlyIfCachedWithNothingStoredIs504) {
  Rule rule;
  Exchange exchange(rule, "GET", {{"cache-control", "only-if-cached"}});
  ASSERT_TRUE(exchange.reply.has_value());
  EXPECT_EQ(exchange.reply->status, 504);
}

// A stale entry seeded straight into the store: fresh for 1 s, stored
// 10 s ago, with the given RFC 5861 windows.
void seed_stale(Rule& rule, std::chrono::seconds swr, std::chrono::seconds sie) {
  const http::Headers request_headers;
  cache::FillContext fill;
  fill.key = cache::primary_key("http", "api.example.com", "/v1/orders", "", request_headers,
                                rule.route.policies.cache->vary_headers, "",
                                route_cache_fingerprint(rule.route));
  fill.route_fingerprint = route_cache_fingerprint(rule.route);
  fill.host = "api.example.com";
  fill.path = "/v1/orders";
  fill.response_time = Clock::now() - std::chrono::seconds(10);
  fill.request_time = fill.response_time;
  http::Response head;
  head.headers = {{"cache-control", "max-age=1"}};
  cache::Storability storability;
  storability.lifetime = std::chrono::seconds(1);
  storability.stale_while_revalidate = swr;
  storability.stale_if_error = sie;
  rule.shared.cache_store->insert(
      cache::make_entry(std::move(fill), head, "old orders", storability));
}

TEST(CacheFilter, StaleIfErrorAnswersABackendFailureWithTheStaleEntry) {
  Rule rule;
  seed_stale(rule, std::chrono::seconds(0), std::chrono::seconds(60));
  Exchange exchange(rule, "GET");
  ASSERT_TRUE(exchange.continued);  // stale: to the backend first
  const auto reply = exchange.runner.on_backend_error(503);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->body, "old orders");
  EXPECT_EQ(field(reply->headers, "x-cache"), "STALE");
  EXPECT_NE(field(reply->headers, "cache-status")->find("detail=stale-if-error"),
            std::string::npos);
  EXPECT_EQ(exchange.count(metrics::PolicyCounter::kCacheStale), 1u);
}

TEST(CacheFilter, PastStaleIfErrorTheBackendErrorPassesThrough) {
  Rule rule;
  seed_stale(rule, std::chrono::seconds(0), std::chrono::seconds(5));
  Exchange exchange(rule, "GET");
  ASSERT_TRUE(exchange.continued);
  EXPECT_FALSE(exchange.runner.on_backend_error(502).has_value());
}

TEST(CacheFilter, StaleWhileRevalidateServesTheStaleEntry) {
  Rule rule;
  seed_stale(rule, std::chrono::seconds(60), std::chrono::seconds(0));
  Exchange exchange(rule, "GET");
  ASSERT_TRUE(exchange.reply.has_value());
  EXPECT_EQ(exchange.reply->body, "old orders");
  EXPECT_EQ(field(exchange.reply->headers, "x-cache"), "STALE");
  EXPECT_NE(field(exchange.reply->headers, "cache-status")->find("detail=stale-while-revalidate"),
            std::string::npos);
}

TEST(CacheFilter, RequestNoCacheGoesToTheBackendAndRefreshesTheEntry) {
  Rule rule;
  Exchange(rule, "GET").backend(200, kCacheable, "v1");
  Exchange forced(rule, "GET", {{"cache-control", "no-cache"}});
  ASSERT_TRUE(forced.continued);
  forced.backend(200, kCacheable, "v2");
  EXPECT_EQ(field(forced.response.headers, "cache-status"),
            "archway; fwd=request; fwd-status=200; stored");
  Exchange after(rule, "GET");
  ASSERT_TRUE(after.reply.has_value());
  EXPECT_EQ(after.reply->body, "v2");
}

}  // namespace
}  // namespace archway::filters
