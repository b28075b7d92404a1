#pragma once
// The cookie of ConsistentHash on a cookie (docs/resilience.md "Cookie
// affinity"): finding it in a request's Cookie header (RFC 6265 §5.4:
// "name=value" pairs separated by ";") and the Set-Cookie the proxy sends
// when a request had none. Pure string work; names and paths were
// validated with the snapshot, the value is the proxy's own hex.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace archway::balancing {

// The value of cookie `name` in one Cookie header's text, the first if it
// appears more than once; nullopt when absent. Surrounding quotes stay (the
// value is only hashed).
[[nodiscard]] std::optional<std::string_view> find_cookie(std::string_view header,
                                                          std::string_view name);

// A fresh cookie value: 16 lower-case hex digits of `random`.
[[nodiscard]] std::string cookie_value(uint64_t random);

// "name=value; Path=/p; Max-Age=N; HttpOnly" (Max-Age left out for a
// session cookie, ttl 0).
[[nodiscard]] std::string set_cookie(std::string_view name, std::string_view value,
                                     std::chrono::milliseconds ttl, std::string_view path);

}  // namespace archway::balancing
