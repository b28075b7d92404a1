#pragma once
// Strict readers for the values of ingress-nginx annotations
// (docs/migration.md). ingress-nginx pasted these values into nginx.conf
// text, so a value that would have been harmless there may still be a
// payload (CVE-2025-1974); here every value is read by a small grammar into
// a number, a flag or a checked token, and anything outside the grammar is
// an error naming the annotation. Nothing read here is ever pasted into text.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace archway::controller::compile::nginx {

// An error's text (the caller prefixes the annotation's name).
struct ValueError {
  std::string message;
};

// The longest value any reader accepts: more is refused before parsing.
inline constexpr size_t kMaxValueLength = 1024;

// Control characters, or one of  { } ; " ' ` \  : the characters that
// carried nginx and Lua syntax. Every reader refuses them first.
[[nodiscard]] bool has_hostile_character(std::string_view value);

// "true" or "false" (as ingress-nginx reads them, case-sensitive).
[[nodiscard]] Result<bool, ValueError> read_bool(std::string_view value);

// A decimal integer in [min, max]: no sign, no spaces, no leading '+'.
[[nodiscard]] Result<int64_t, ValueError> read_int(std::string_view value, int64_t min,
                                                   int64_t max);

// ingress-nginx's timeouts: whole seconds, bare ("60") or with "s" ("60s"),
// 0..86400.
[[nodiscard]] Result<std::chrono::milliseconds, ValueError> read_seconds(std::string_view value);

// nginx sizes: a number with an optional k/K, m/M or g/G suffix, at most
// 64 GiB; "0" means no limit.
[[nodiscard]] Result<uint64_t, ValueError> read_size(std::string_view value);

// A comma-separated list, each item trimmed of spaces; empty items refused.
[[nodiscard]] Result<std::vector<std::string>, ValueError> read_list(std::string_view value);

}  // namespace archway::controller::compile::nginx
