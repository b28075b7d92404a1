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
  tables_[id] = fresh;
  return fresh;
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
