#pragma once
// The 64-bit hash of balancing keys and endpoint names: FNV-1a, whose low
// bits are weak, finished with splitmix64's mixer so every bit of the
// result depends on every byte (Maglev takes `% table size` of it).
// Stable across processes and builds: two proxy replicas send a key to the
// same endpoint.

#include <cstdint>
#include <string_view>

namespace archway::balancing {

[[nodiscard]] constexpr uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

[[nodiscard]] constexpr uint64_t hash_key(std::string_view text, uint64_t seed = 0) {
  uint64_t h = 0xcbf29ce484222325ULL ^ seed;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return mix64(h);
}

}  // namespace archway::balancing
