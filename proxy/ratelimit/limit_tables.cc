#include "proxy/ratelimit/limit_tables.h"

#include <iterator>

namespace archway::ratelimit {

std::shared_ptr<BucketTable> LimitTables::table(const std::string& id, const GcraLimit& limit) {
  std::lock_guard lock(mutex_);
  // Forget tables no snapshot holds any more: compile time is rare and the
  // map small, so a sweep here bounds it without a timer.
  for (auto it = tables_.begin(); it != tables_.end();) {
    it = it->second.expired() ? tables_.erase(it) : std::next(it);
  }
  if (auto it = tables_.find(id); it != tables_.end()) {
    if (auto kept = it->second.lock(); kept && kept->limit() == limit) return kept;
  }
  auto fresh = std::make_shared<BucketTable>(limit, max_keys_);
  if (auto saved = to_restore_.find(id); saved != to_restore_.end()) {
    // No clock here: every saved bucket goes back (one that is full by now
    // behaves as a full one), and the entry is used once.
    fresh->restore(saved->second, 0);
    to_restore_.erase(saved);
  }
  tables_[id] = fresh;
  return fresh;
}

LimitTables::Debts LimitTables::debts(int64_t now_ns) const {
  std::lock_guard lock(mutex_);
  Debts out;
  for (const auto& [id, weak] : tables_) {
    if (auto table = weak.lock()) {
      auto saved = table->buckets_with_debt(now_ns);
      if (!saved.empty()) out.emplace(id, std::move(saved));
    }
  }
  // Restored debts no snapshot has asked for yet are kept too: a restart
  // before the controller pushed again must not lose them.
  // (Only what is still in debt: ticks are nanoseconds for any real limit.)
  for (const auto& [id, saved] : to_restore_) {
    std::vector<BucketTable::Saved> left;
    for (const auto& bucket : saved) {
      if (bucket.tat > now_ns) left.push_back(bucket);
    }
    if (!left.empty()) out.emplace(id, std::move(left));
  }
  return out;
}

void LimitTables::restore_when_made(Debts debts) {
  std::lock_guard lock(mutex_);
  to_restore_ = std::move(debts);
}

LimitTables::Evictions LimitTables::evictions() const {
  std::lock_guard lock(mutex_);
  Evictions out;
  for (const auto& [id, weak] : tables_) {
    if (auto table = weak.lock()) {
      out.with_debt += table->evictions_with_debt();
      out.full += table->evictions() - table->evictions_with_debt();
    }
  }
  return out;
}

size_t LimitTables::live() const {
  std::lock_guard lock(mutex_);
  size_t count = 0;
  for (const auto& [id, table] : tables_) count += !table.expired();
  return count;
}

}  // namespace archway::ratelimit
