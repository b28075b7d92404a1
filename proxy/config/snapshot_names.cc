#include "proxy/config/snapshot_names.h"

namespace archway::config {

std::string_view to_string(PathMatchType type) {
  switch (type) {
    case PathMatchType::kExact: return "Exact";
    case PathMatchType::kPathPrefix: return "PathPrefix";
    case PathMatchType::kRegularExpression: return "RegularExpression";
    case PathMatchType::kTemplate: return "Template";
  }
  return "PathPrefix";
}

std::string_view to_string(ValueMatchType type) {
  switch (type) {
    case ValueMatchType::kExact: return "Exact";
    case ValueMatchType::kRegularExpression: return "RegularExpression";
    case ValueMatchType::kPresent: return "Present";
  }
  return "Exact";
}

std::string_view to_string(ClusterProtocol protocol) {
  switch (protocol) {
    case ClusterProtocol::kHttp1: return "HTTP";
    case ClusterProtocol::kH2c: return "H2C";
    case ClusterProtocol::kHttps: return "HTTPS";
  }
  return "HTTP";
}

std::optional<PathMatchType> path_match_type(std::string_view name) {
  for (auto t : {PathMatchType::kExact, PathMatchType::kPathPrefix,
                 PathMatchType::kRegularExpression, PathMatchType::kTemplate}) {
    if (to_string(t) == name) return t;
  }
  return std::nullopt;
}

std::optional<ValueMatchType> value_match_type(std::string_view name) {
  for (auto t : {ValueMatchType::kExact, ValueMatchType::kRegularExpression,
                 ValueMatchType::kPresent}) {
    if (to_string(t) == name) return t;
  }
  return std::nullopt;
}

std::optional<ClusterProtocol> cluster_protocol(std::string_view name) {
  for (auto p : {ClusterProtocol::kHttp1, ClusterProtocol::kH2c, ClusterProtocol::kHttps}) {
    if (to_string(p) == name) return p;
  }
  return std::nullopt;
}

}  // namespace archway::config
