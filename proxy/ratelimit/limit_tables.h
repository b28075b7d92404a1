#pragma once
// Every limit's bucket table in one proxy process (docs/ratelimit.md "Local
// limits"), owned by the server's shared policy state: a snapshot swap that
// keeps a limit (same route, rule and numbers) keeps its buckets, so a
// reload never hands every client a fresh bucket. A limit whose numbers
// change starts with full buckets. Tables live as long as a compiled chain
// holds them; the map keeps only weak references.

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "proxy/ratelimit/bucket_table.h"

namespace archway::ratelimit {

class LimitTables {
 public:
  static constexpr size_t kDefaultMaxKeys = 100'000;

  explicit LimitTables(size_t max_keys_per_limit = kDefaultMaxKeys)
      : max_keys_(max_keys_per_limit) {}
  // Before the first snapshot (--ratelimit-max-keys); tables made after
  // use it.
  void set_max_keys_per_limit(size_t max_keys) {
    std::lock_guard lock(mutex_);
    max_keys_ = max_keys;
  }
  LimitTables(const LimitTables&) = delete;
  LimitTables& operator=(const LimitTables&) = delete;

  // The table for the limit called `id` (who owns it: route and rule) with
  // these numbers. Called when a snapshot is compiled, never per request.
  [[nodiscard]] std::shared_ptr<BucketTable> table(const std::string& id, const GcraLimit& limit);

  // Tables still held by some snapshot.
  [[nodiscard]] size_t live() const;

  // What a restart must not forget (docs/ratelimit.md "Local limits"): the
  // buckets still in debt at `now_ns`, by limit identity; and, at start,
  // the same handed back, applied to each limit's table when a snapshot
  // first makes it (a limit whose numbers changed meanwhile has another
  // identity and starts full).
  using Debts = std::unordered_map<std::string, std::vector<BucketTable::Saved>>;
  [[nodiscard]] Debts debts(int64_t now_ns) const;
  void restore_when_made(Debts debts);

  // Keys forgotten for room by the live tables: all, and those with debt.
  struct Evictions {
    uint64_t full = 0;
    uint64_t with_debt = 0;
  };
  [[nodiscard]] Evictions evictions() const;

 private:
  size_t max_keys_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::weak_ptr<BucketTable>> tables_;
  Debts to_restore_;
};

}  // namespace archway::ratelimit
