#pragma once
// ingress-nginx's canary-* annotations as read (canary_annotations.cc), and
// what canary_merge.h folds into the main Ingress. Plain values.

#include <cstdint>
#include <optional>
#include <string>

namespace archway::controller::compile::nginx {

struct Canary {
  uint32_t weight = 0;  // canary-weight, out of weight_total
  uint32_t weight_total = 100;
  std::optional<std::string> header;          // canary-by-header (lower case)
  std::optional<std::string> header_value;    // canary-by-header-value
  std::optional<std::string> header_pattern;  // canary-by-header-pattern (RE2)
  std::optional<std::string> cookie;          // canary-by-cookie

  bool operator==(const Canary&) const = default;
};

}  // namespace archway::controller::compile::nginx
