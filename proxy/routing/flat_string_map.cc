#include "proxy/routing/flat_string_map.h"

#include <cstring>
#include <functional>

namespace archway::routing {

uint64_t FlatStringMap::hash(uint32_t parent, std::string_view key) {
  uint64_t h = std::hash<std::string_view>{}(key);
  h ^= (static_cast<uint64_t>(parent) + 0x9E3779B97F4A7C15ULL) * 0xBF58476D1CE4E5B9ULL;
  return h ^ (h >> 31);
}

uint32_t FlatStringMap::find(uint32_t parent, std::string_view key) const {
  if (slots_.empty()) return kNone;
  const uint64_t h = hash(parent, key);
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.value == kNone) return kNone;
    if (s.hash == h && s.parent == parent && s.length == key.size() && key_of(s) == key) {
      return s.value;
    }
  }
}

uint32_t FlatStringMap::insert(uint32_t parent, std::string_view key, uint32_t value) {
  if (const uint32_t existing = find(parent, key); existing != kNone) return existing;
  if ((size_ + 1) * 2 > slots_.size()) grow();
  const uint64_t h = hash(parent, key);
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  while (slots_[i].value != kNone) i = (i + 1) & mask;
  Slot& slot = slots_[i];
  slot.hash = h;
  slot.parent = parent;
  slot.value = value;
  slot.length = static_cast<uint32_t>(key.size());
  if (key.size() <= kInline) {
    key.copy(slot.inline_key, key.size());
  } else {
    slot.offset = static_cast<uint32_t>(arena_.size());
    arena_.append(key);
  }
  ++size_;
  return value;
}

void FlatStringMap::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.value == kNone) continue;
    size_t i = s.hash & mask;
    while (slots_[i].value != kNone) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

}  // namespace archway::routing
