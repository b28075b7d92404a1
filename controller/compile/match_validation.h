#pragma once
// Checks the API server's schema cannot express: regexes compile under RE2
// (the proxy's engine, so what passes here compiles there) and path templates
// are well formed. Each returns an empty string when valid, else the reason
// text for a condition message.

#include <set>
#include <string>

namespace archway::controller::compile {

[[nodiscard]] std::string regex_error(const std::string& pattern);

// "/v1/orders/{id}": segments are literal or exactly "{name}" with name
// [A-Za-z_][A-Za-z0-9_]*, each name once.
[[nodiscard]] std::string template_error(const std::string& path_template);

// The capture names of a valid template, e.g. {"id"}.
[[nodiscard]] std::set<std::string> template_names(const std::string& path_template);

// The {name} placeholders a rewrite.fullPath uses; "" error when malformed.
[[nodiscard]] std::string placeholders(const std::string& text, std::set<std::string>& names);

}  // namespace archway::controller::compile
