#pragma once
// Request coalescing (docs/cache.md "Coalescing"): one fill in flight per
// primary key per process. The first eligible miss becomes the filler and
// goes to the backend; later misses for the key wait and are answered from
// what the filler stored, or sent to the backend themselves when there is
// nothing to answer with. Thread-safe; waiters are called outside the lock.
//
// Adjusted from the first interface: join_waiting() (a HEAD miss may wait on
// a GET fill but never fills), Join::ticket is 0 for the filler.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "proxy/cache/entry.h"

namespace archway::cache {

class Fills {
 public:
  // Called once, with the entry the filler stored, or nullptr: go to the
  // backend yourself (not storable, failed, cancelled). Called on the
  // filler's thread, outside any lock: a waiter posts to its own worker's
  // loop. The entry may be a variant this waiter's request does not select
  // (the response's Vary): the waiter checks vary_matches() and goes to
  // the backend when it does not.
  using Waiter = std::function<void(std::shared_ptr<const Entry>)>;

  struct Join {
    bool filler = false;  // true: go to the backend and complete() when done
    uint64_t ticket = 0;  // a waiter's ticket, for leave()
  };

  Fills() = default;
  Fills(const Fills&) = delete;
  Fills& operator=(const Fills&) = delete;

  // The first caller for `key` becomes the filler (its waiter is unused);
  // the others are queued.
  [[nodiscard]] Join join(std::string_view key, Waiter waiter);
  // Queues `waiter` only when a fill of `key` is in flight; nullopt
  // otherwise (the caller goes to the backend without filling).
  [[nodiscard]] std::optional<uint64_t> join_waiting(std::string_view key, Waiter waiter);
  // A waiter's exchange ended before the fill did: it is not called.
  void leave(std::string_view key, uint64_t ticket);
  // The filler is done: every waiter is called with `entry` (nullptr
  // releases them to the backend) and the next join() starts a new fill.
  // The filler calls it once, also when it is cancelled (from its
  // destructor); with no fill of `key` in flight it does nothing.
  void complete(std::string_view key, std::shared_ptr<const Entry> entry);

  [[nodiscard]] size_t waiting(std::string_view key) const;
  [[nodiscard]] size_t in_flight() const;

 private:
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Fill {
    std::vector<std::pair<uint64_t, Waiter>> waiters;
  };

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Fill, KeyHash, std::equal_to<>> fills_;
  uint64_t next_ticket_ = 1;
};

}  // namespace archway::cache
