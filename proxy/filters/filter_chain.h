#pragma once
// One exchange's run through its route's filters, in the order the route's
// compiled chain lists them (DESIGN.md §1: CORS → authentication → rate
// limit → cache lookup → request transformation). Owned by the exchange;
// worker-thread only.
//
// The chain tells its owner how the request phase ended: every filter
// continued (go to the backend), or one answered locally. A suspended
// chain holds only its filters; destroying it (the exchange is cancelled)
// calls on_cancel on the suspended filter and makes its Resume inert, so a
// late completion finds nothing to touch.

#include <memory>
#include <vector>

#include "proxy/filters/filter.h"

namespace archway::filters {

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
  // `configs` are the route's compiled filters, in order; they outlive the
  // chain (the exchange pins the table that owns them).
  FilterChain(const std::vector<std::unique_ptr<const FilterConfig>>& configs, ChainOwner& owner);
  ~FilterChain();
  FilterChain(const FilterChain&) = delete;
  FilterChain& operator=(const FilterChain&) = delete;

  // Runs the request phase from the first filter. `request` outlives the
  // chain (it belongs to the codec).
  void start(http::Request& request);
  [[nodiscard]] bool suspended() const { return suspended_; }

 private:
  friend class Resume;
  void run();
  void resume(FilterStatus status, LocalReply reply);
  void cancel();

  ChainOwner& owner_;
  std::vector<std::unique_ptr<ExchangeFilter>> filters_;
  http::Request* request_ = nullptr;
  size_t next_ = 0;
  bool suspended_ = false;
  // What Resume handles point at; reset when the chain resumes or dies, so a
  // handle outliving either is inert.
  std::shared_ptr<FilterChain*> alive_;
};

}  // namespace archway::filters
