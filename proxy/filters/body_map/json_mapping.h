#pragma once
// Body mapping's pure core (docs/transform.md "Operations"): a route's
// typed operations, compiled once per snapshot, applied in order to one
// parsed JSON document. No I/O, no HTTP: the filter decides which bodies
// reach it; the unit tables exercise every operation here.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "proxy/config/policies/body_mapping.h"

namespace archway::filters {

// Why a body was not mapped, for the filter's answer and its metrics.
enum class MappingResult {
  kMapped,
  kNotJson,        // syntax, or nesting deeper than kMaxJsonDepth
  kShapeMismatch,  // an operation does not fit the document (docs/transform.md)
};

// Deeper documents are treated as not JSON: the serialiser recurses once
// per level, and no API body we map needs more.
inline constexpr size_t kMaxJsonDepth = 64;

class JsonMapping {
 public:
  // `mapping` was validated (config/policies/body_mapping.cc): every
  // pointer parses, every Set value is JSON.
  explicit JsonMapping(const config::BodyMapping& mapping);

  // Applies every operation, in order, to `doc`. On kShapeMismatch `doc` is
  // left partly changed: callers keep the original bytes, never `doc`.
  [[nodiscard]] MappingResult apply(nlohmann::json& doc) const;
  // Parses `body`, maps it and writes the compact result into `out`; `out`
  // is untouched unless kMapped.
  [[nodiscard]] MappingResult map(std::string_view body, std::string& out) const;

 private:
  struct Operation {
    config::BodyOpKind op;
    std::vector<std::string> path;
    std::vector<std::string> from;
    std::string key;
    nlohmann::json value;
  };
  std::vector<Operation> operations_;
};

}  // namespace archway::filters
