#pragma once
// Template paths ("/v1/orders/{id}"): each segment is either literal text or
// a whole-segment capture "{name}". Parsed here once, both to validate the
// snapshot and to build the route trie (routing/route_trie.h).

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace archway::config {

struct TemplateSegment {
  bool capture = false;
  std::string text;  // the literal, or the capture's name
};

// Segments of a path: "/a/b" → ["a", "b"], "/" → [""], "/a/" → ["a", ""].
// The same split is used for requests so that trailing slashes stay exact.
[[nodiscard]] std::vector<std::string_view> split_path(std::string_view path);

// Errors (field empty): "segment \"x{id}\" mixes text and a capture",
// "capture name \"1x\" is not an identifier", "duplicate capture \"id\"".
[[nodiscard]] Result<std::vector<TemplateSegment>> parse_path_template(std::string_view path);

// "1".."9": a reference to a RegularExpression match's numbered group
// (`{2}`), rather than to a Template capture.
[[nodiscard]] bool is_group_number(std::string_view name);

// Names in `{name}` references of a rewrite fullPath, in order (identifiers
// and group numbers); an error for an unbalanced or malformed brace.
[[nodiscard]] Result<std::vector<std::string>> template_references(std::string_view text);

}  // namespace archway::config
