#pragma once
// RESP2, the Redis protocol (docs/ratelimit.md "The Redis client"): commands
// as arrays of bulk strings, replies parsed from a byte buffer. Pure. We
// speak RESP2 to every Redis from 2.6 on; RESP3 would buy push messages we
// do not use.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace archway::redis {

struct Reply {
  enum class Type { kStatus, kError, kInteger, kBulk, kNil, kArray };
  Type type = Type::kNil;
  std::string text;  // status, error or bulk string
  int64_t integer = 0;
  std::vector<Reply> elements;

  [[nodiscard]] bool is_error() const { return type == Type::kError; }
};

// `*N\r\n$len\r\narg\r\n...`: binary-safe, so keys and values need no escaping.
[[nodiscard]] std::string encode_command(std::span<const std::string_view> args);
void append_command(std::string& out, std::span<const std::string_view> args);

enum class ParseStatus { kComplete, kIncomplete, kMalformed };

// Limits a reply must stay within; a peer that breaks them is not a Redis
// we can trust, and its connection is closed.
struct ParseLimits {
  size_t max_bulk = 1 << 20;
  size_t max_elements = 1 << 16;
  int max_depth = 8;
};

// One reply from the front of `data`. kComplete: `out` is set and
// `consumed` bytes belong to it; kIncomplete: call again with more bytes
// (nothing is consumed); kMalformed: the stream cannot be read further.
[[nodiscard]] ParseStatus parse_reply(std::string_view data, Reply& out, size_t& consumed,
                                      const ParseLimits& limits = {});

}  // namespace archway::redis
