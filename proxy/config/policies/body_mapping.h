#pragma once
// The `requestBody` and `responseBody` policies as the snapshot carries them
// (docs/snapshot.md "requestBody / responseBody", docs/transform.md): typed
// operations on a JSON body, addressed by JSON Pointer (RFC 6901), applied
// in order by filters/body_map/. Plain values; body_mapping.cc (codec.h)
// fills and checks them, so the filter may assume what the comments promise.

#include <cstdint>
#include <string>
#include <vector>

namespace archway::config {

enum class BodyOpKind { kSet, kRemove, kMove, kWrap };

struct BodyOperation {
  BodyOpKind op = BodyOpKind::kSet;
  // A valid JSON Pointer (json_pointer.h). Set, Remove, Move: never "" for
  // Remove and Move (the whole body cannot be removed or moved away). Wrap:
  // "" (the default) wraps the whole body.
  std::string path;
  std::string from;   // Move only: a valid pointer, never "", not a prefix of `path`
  std::string key;    // Wrap only: the member name the value goes under, not empty
  std::string value;  // Set only: the value as compact JSON text (any JSON value)

  bool operator==(const BodyOperation&) const = default;
};

// What a body that cannot be mapped gets: not JSON (content type, coding,
// syntax), over maxBytes, or an operation that does not fit its shape.
enum class BodyMismatch { kPass, kReject };

inline constexpr uint64_t kDefaultBodyMaxBytes = 64 * 1024;
inline constexpr uint64_t kBodyMaxBytesCap = 1024 * 1024;

struct BodyMapping {
  std::vector<BodyOperation> operations;      // 1..32, applied in order
  uint64_t max_bytes = kDefaultBodyMaxBytes;  // 1..kBodyMaxBytesCap
  BodyMismatch on_mismatch = BodyMismatch::kPass;

  bool operator==(const BodyMapping&) const = default;
};

}  // namespace archway::config
