#pragma once
// Checks on single snapshot values, shared by validation of every part of the
// document. Each returns nullopt when the value is fine, else the message
// (without the field; the caller knows where the value came from).
//
// These are what keeps a user's text from ever becoming protocol text with a
// meaning it should not have (DESIGN.md §1): header names are tokens, values
// carry no CR/LF/NUL, paths are normalised and hosts are DNS names.

#include <optional>
#include <string>
#include <string_view>

namespace archway::config {

using Problem = std::optional<std::string>;

// RFC 9110 token (header names, methods).
[[nodiscard]] bool is_token(std::string_view text);
[[nodiscard]] Problem check_header_name(std::string_view name);
[[nodiscard]] Problem check_header_value(std::string_view value);
[[nodiscard]] Problem check_method(std::string_view method);
// A DNS host name (lowercase LDH labels, ≤ 253 bytes) or an IP literal is
// not needed here: hostnames for rewrite, redirect and SNI.
[[nodiscard]] Problem check_hostname(std::string_view host);
// Virtual host domains: an exact host name, "*.suffix", or "*".
[[nodiscard]] Problem check_domain(std::string_view domain);
// A path as routes and rewrites use it: starts with '/', only RFC 3986 pchar
// characters (plus '{' '}' when `allow_braces`), and already in the form
// normalize_path gives, since requests are matched after normalising.
[[nodiscard]] Problem check_path(std::string_view path, bool allow_braces);
// RE2 syntax; nullopt when `pattern` compiles, else RE2's reason (callers
// say "invalid regular expression" with the field). The controller checks
// APIRoute regexes with this too, so both sides accept the same patterns.
[[nodiscard]] Problem check_regex(std::string_view pattern);
// How many capturing groups `pattern` has; -1 when it does not compile.
[[nodiscard]] int regex_group_count(std::string_view pattern);

}  // namespace archway::config
