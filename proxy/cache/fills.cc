#include "proxy/cache/fills.h"

#include <algorithm>

namespace archway::cache {

Fills::Join Fills::join(std::string_view key, Waiter waiter) {
  std::lock_guard lock(mutex_);
  auto it = fills_.find(key);
  if (it == fills_.end()) {
    fills_.emplace(std::string(key), Fill{});
    return Join{.filler = true, .ticket = 0};
  }
  const uint64_t ticket = next_ticket_++;
  it->second.waiters.emplace_back(ticket, std::move(waiter));
  return Join{.filler = false, .ticket = ticket};
}

std::optional<uint64_t> Fills::join_waiting(std::string_view key, Waiter waiter) {
  std::lock_guard lock(mutex_);
  auto it = fills_.find(key);
  if (it == fills_.end()) return std::nullopt;
  const uint64_t ticket = next_ticket_++;
  it->second.waiters.emplace_back(ticket, std::move(waiter));
  return ticket;
}

void Fills::leave(std::string_view key, uint64_t ticket) {
  Waiter gone;  // destroyed after the lock: its captures may be heavy
  std::lock_guard lock(mutex_);
  auto it = fills_.find(key);
  if (it == fills_.end()) return;
  auto& waiters = it->second.waiters;
  auto w = std::find_if(waiters.begin(), waiters.end(),
                        [&](const auto& pair) { return pair.first == ticket; });
  if (w == waiters.end()) return;
  gone = std::move(w->second);
  waiters.erase(w);
}

void Fills::complete(std::string_view key, std::shared_ptr<const Entry> entry) {
  std::vector<std::pair<uint64_t, Waiter>> waiters;
  {
    std::lock_guard lock(mutex_);
    auto it = fills_.find(key);
    if (it == fills_.end()) return;
    waiters = std::move(it->second.waiters);
    fills_.erase(it);
  }
  for (auto& [ticket, waiter] : waiters) {
    if (waiter) waiter(entry);
  }
}

size_t Fills::waiting(std::string_view key) const {
  std::lock_guard lock(mutex_);
  auto it = fills_.find(key);
  return it == fills_.end() ? 0 : it->second.waiters.size();
}

size_t Fills::in_flight() const {
  std::lock_guard lock(mutex_);
  return fills_.size();
}

}  // namespace archway::cache
