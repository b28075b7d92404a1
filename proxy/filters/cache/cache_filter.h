#pragma once
// One exchange's run through a `cache` rule (docs/cache.md): bypass, answer
// from the store (fresh, stale, 304), wait for a fill in flight, or go to
// the backend — as the filler that stores the response for the waiters,
// or alone. Worker thread only.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "proxy/cache/cache_control.h"
#include "proxy/cache/entry.h"
#include "proxy/cache/fills.h"
#include "proxy/cache/policy.h"
#include "proxy/cache/store.h"
#include "proxy/config/policies/cache.h"
#include "proxy/filters/filter.h"

namespace archway::filters::cache_filter {

// What every exchange of one rule shares: compiled once per snapshot.
struct RuleCache {
  config::Cache policy;
  uint64_t fingerprint = 0;
  std::shared_ptr<cache::Store> store;  // null: caching off, every request bypasses
  std::shared_ptr<cache::Fills> fills;
  std::string cluster;  // the rule's first backend's cluster, for the refresh recipe
};

class CacheFilter final : public ExchangeFilter {
 public:
  explicit CacheFilter(const RuleCache& rule) : rule_(rule) {}
  // Ends a fill still owned (waiters go to the backend) and leaves a fill
  // still waited on: no path of an exchange leaves others hanging.
  ~CacheFilter() override;

  FilterStatus on_request(FilterContext& ctx, LocalReply& reply) override;
  void on_response_head(FilterContext& ctx, http::Response& response) override;
  void on_response_data(FilterContext& ctx, std::string_view data) override;
  void on_response_trailers(FilterContext& ctx, const http::Headers& trailers) override;
  void on_response_end(FilterContext& ctx, bool complete) override;
  std::optional<LocalReply> on_backend_error(FilterContext& ctx, int status) override;
  void on_cancel() override;

 private:
  enum class Role : uint8_t {
    kBypass,   // not eligible: Cache-Status fwd=bypass only
    kForward,  // eligible, forwarded, not storing (HEAD, released waiter)
    kFill,     // forwarded and storing; owns the fill of key_ when filling_
    kWaiting,  // suspended on another request's fill
  };

  FilterStatus miss(FilterContext& ctx, bool head);
  FilterStatus wait(FilterContext& ctx, bool head);
  void waiter_done(FilterContext& ctx, std::shared_ptr<const cache::Entry> entry);
  // Ends the fill this exchange owns: waiters get `entry`, or go to the
  // backend themselves when it is null.
  void end_fill(std::shared_ptr<const cache::Entry> entry);
  void abandon_capture();
  // What a background refresh of the entry this response makes will send.
  void record_recipe(FilterContext& ctx);
  void start_refresh(FilterContext& ctx, const std::shared_ptr<const cache::Entry>& entry);

  const RuleCache& rule_;
  Role role_ = Role::kBypass;
  bool filling_ = false;          // this exchange owns the fill of key_
  bool capturing_ = false;        // the response is being copied to be stored
  bool authorized_ = false;       // the request carried Authorization
  const char* fwd_ = "uri-miss";  // RFC 9211 fwd reason of a forwarded request
  std::string key_;
  std::string host_, path_;  // the client's, before rewrite: what a purge names
  cache::RequestDirectives directives_;
  uint64_t ticket_ = 0;  // a waiter's, for Fills::leave
  std::shared_ptr<Resume> resume_;
  // A stale entry that was not served: what stale-if-error answers with.
  std::shared_ptr<const cache::Entry> stale_;
  // The response being stored.
  std::chrono::system_clock::time_point request_time_, response_time_;
  http::Response head_;
  std::string body_;
  cache::Storability storability_;
  std::vector<std::pair<std::string, std::string>> vary_;
  cache::RefreshRecipe recipe_;
};

}  // namespace archway::filters::cache_filter
