#pragma once
// The policy interface (DESIGN.md §1, docs/layout.md). A policy is two
// objects, after Envoy's filters:
//   - a FilterConfig, compiled once per snapshot from the route's typed
//     policy and shared read-only by every worker (state shared across
//     workers — counters, caches, keys — hangs off it, never globals);
//   - an ExchangeFilter, made by the config for one exchange, small, on the
//     exchange's worker only.
// The request-phase call continues, answers locally, or suspends; a
// suspended filter resumes the chain later, from the worker's loop, through
// the Resume handle it was given.

#include <memory>
#include <string>

#include "proxy/http/message.h"

namespace archway::filters {

// An answer the chain gives itself, without a backend. Errors carry the
// small JSON body of DESIGN.md §4 ({"error": "...", "status": N}).
struct LocalReply {
  int status = 0;
  http::Headers headers;
  std::string body;
};

// What a request-phase call decided.
enum class FilterStatus {
  kContinue,    // next filter (or the backend once the chain ends)
  kLocalReply,  // stop: answer with the reply set through the out-parameter
  kSuspend,     // stop until the filter calls its Resume handle
};

class FilterChain;

// Handed to a filter that suspends. Calling it resumes the chain on the
// calling thread, which must be the exchange's worker (post the completion
// there first), and never from inside on_request. Safe to call after the
// exchange is gone: it does nothing then. At most one call counts.
class Resume {
 public:
  Resume() = default;
  // The filter's decision once its wait is over (kContinue or kLocalReply).
  void operator()(FilterStatus status, LocalReply reply = {});
  [[nodiscard]] bool active() const { return !chain_.expired(); }

 private:
  friend class FilterChain;
  explicit Resume(std::weak_ptr<FilterChain*> chain) : chain_(std::move(chain)) {}
  std::weak_ptr<FilterChain*> chain_;
};

class ExchangeFilter {
 public:
  virtual ~ExchangeFilter() = default;
  // The request head is complete. On kLocalReply the filter fills `reply`;
  // on kSuspend it keeps `resume` (and whatever it waits on).
  [[nodiscard]] virtual FilterStatus on_request(http::Request& request, LocalReply& reply,
                                                Resume resume) = 0;
  // The exchange ends while this filter is suspended (client gone, timeout,
  // snapshot swap): release what is in flight. The Resume handle is already
  // inert when this runs.
  virtual void on_cancel() {}
};

class FilterConfig {
 public:
  virtual ~FilterConfig() = default;
  // One per exchange; worker thread.
  [[nodiscard]] virtual std::unique_ptr<ExchangeFilter> create() const = 0;
};

}  // namespace archway::filters
