#pragma once
// A route's compiled filters (CompiledChain, built once per snapshot by the
// registry) and one exchange's run through them (FilterChain), in the order
// of DESIGN.md §1: CORS → authentication → rate limit → cache lookup →
// request transformation → [backend] → response transformation → cache
// store → log/metrics (docs/policies.md).
//
// The chain tells its owner how the request phase ended: every filter
// continued (go to the backend), or one answered locally. Response heads
// then pass, in reverse order, through the filters whose request phase ran
// before the answer was decided. A suspended chain holds only its filters;
// cancelling it (the exchange ends) calls on_cancel on the suspended filter
// and makes its Resume inert, so a late completion finds nothing to touch.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/filters/filter.h"

namespace archway::filters {

// The most filters one route can have: one per policy in the registry's
// list (registry.cc checks it). Fixed so the chain's storage lives inside
// the exchange and a request allocates nothing for it.
inline constexpr size_t kMaxFiltersPerRoute = 12;

// One route's filters, in chain order. Immutable; owned by the table
// context the exchange pins.
struct CompiledChain {
  std::vector<std::unique_ptr<const FilterConfig>> filters;
  // A CORS policy is on: a preflight is routed with the method it names
  // (Access-Control-Request-Method), as the real request will be.
  bool routes_preflight_by_requested_method = false;

  [[nodiscard]] bool empty() const { return filters.empty(); }
};

// The exchange's side of the chain.
class ChainOwner {
 public:
  // Every filter continued.
  virtual void on_chain_continue() = 0;
  virtual void on_chain_local_reply(LocalReply reply) = 0;

 protected:
  ~ChainOwner() = default;
};

class FilterChain {
 public:
  explicit FilterChain(ChainOwner& owner) : owner_(owner) {}
  ~FilterChain() {
    cancel();
    on_response_end(false);
  }
  FilterChain(const FilterChain&) = delete;
  FilterChain& operator=(const FilterChain&) = delete;

  // Runs the request phase from the first filter. `chain` and `ctx` outlive
  // this object's use of them (the exchange pins the table that owns the
  // chain and owns the context). Called once per exchange.
  void start(const CompiledChain& chain, FilterContext& ctx);
  // A response head goes to the client: the response hooks of the filters
  // that ran, last first. Nothing to do before start or for an empty chain.
  void on_response_head(http::Response& response);
  // The body hooks (filter.h) of the filters that ran and asked for them.
  // on_response_end is delivered at most once; the chain's destruction
  // delivers it (complete = false) when the exchange never did.
  void on_response_data(std::string_view data);
  void on_response_trailers(const http::Headers& trailers);
  void on_response_end(bool complete);
  // The backend failed or answered 500/502/503/504 with `status`: a reply
  // a filter gives instead (filter.h on_backend_error), or nullopt. After a
  // reply only the filters before the one that gave it see the response.
  [[nodiscard]] std::optional<LocalReply> on_backend_error(int status);
  // The whole-body hooks (filter.h) of the route's body-transforming
  // filter, when it ran; otherwise the defaults (stream, pass).
  // has_body_transform() is the exchange's one check on routes without.
  [[nodiscard]] bool has_body_transform() const { return body_slot_ < ran_; }
  [[nodiscard]] BodyPlan plan_request_body();
  [[nodiscard]] BodyVerdict on_request_body(std::string& body, LocalReply& reply);
  [[nodiscard]] BodyPlan plan_response_body(const http::Response& head);
  [[nodiscard]] BodyVerdict on_response_body(http::Response& head, std::string& body);
  // The exchange ends (client gone, timeout): a suspended filter is
  // cancelled and its Resume made inert; no hook is called after this
  // except on_response_head for filters that had finished their request phase.
  void cancel();

  [[nodiscard]] bool suspended() const { return suspended_; }

 private:
  friend class Resume;
  friend class FilterContext;
  struct Slot {
    FilterPtr filter;
    const FilterConfig* config = nullptr;
    uintptr_t state = 0;  // FilterContext::state
  };

  void run();
  void resume(FilterStatus status, LocalReply reply);
  void local_reply(LocalReply reply);
  Resume make_resume();

  ChainOwner& owner_;
  FilterContext* ctx_ = nullptr;
  std::array<Slot, kMaxFiltersPerRoute> slots_{};
  size_t count_ = 0;
  size_t next_ = 0;  // the filter to call (or the suspended one)
  size_t ran_ = 0;   // filters [0, ran_) get response hooks
  // The filter whose config has_body_transform(); kMaxFiltersPerRoute: none.
  size_t body_slot_ = kMaxFiltersPerRoute;
  bool suspended_ = false;
  bool response_ended_ = false;  // on_response_end delivered
  // What Resume handles point at: made only when a filter suspends, reset
  // when the chain resumes or is cancelled, so a handle outliving either is
  // inert.
  std::shared_ptr<FilterChain*> alive_;
};

}  // namespace archway::filters
