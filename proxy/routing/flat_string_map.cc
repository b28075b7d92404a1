#include "proxy/routing/flat_string_map.h"

namespace archway::routing {

uint32_t FlatStringMap::insert(uint32_t parent, std::string_view key, uint32_t value) {
  const uint64_t kh = key_hash(key);
  if (const uint32_t existing = find(parent, key, kh); existing != kNone) return existing;
  if ((size_ + 1) * 2 > slots_.size()) grow();
  const uint64_t h = slot_hash(parent, kh);
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  while (slots_[i].value != kNone) i = (i + 1) & mask;
  Slot& slot = slots_[i];
  slot.tag = static_cast<uint32_t>(h >> 32);
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
    // Only the tag is stored: rehash the key for its position (build time only).
    size_t i = slot_hash(s.parent, key_hash(key_of(s))) & mask;
    while (slots_[i].value != kNone) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

}  // namespace archway::routing
