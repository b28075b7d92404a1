#pragma once
// Which ingress-nginx annotations this import knows, by what it does with
// them (nginx_import.h): the ones it maps are read in nginx_import.cc;
// the lists here are the rest. docs/migration.md is the same catalogue for
// people; a name in neither is "unknown".

#include <string_view>

namespace archway::controller::compile::nginx {

// nginx configuration pasted verbatim: never honoured.
[[nodiscard]] bool is_snippet(std::string_view name);

// A security control Archway cannot enforce (source ranges, client
// certificates, external or basic auth): the Ingress is refused rather than
// served without it.
[[nodiscard]] bool is_unenforceable_control(std::string_view name);

// Known ingress-nginx annotations Archway does not implement, whose absence
// changes no access decision: flagged, the rest of the Ingress serves.
[[nodiscard]] bool is_known_unsupported(std::string_view name);

}  // namespace archway::controller::compile::nginx
