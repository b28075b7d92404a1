#include "controller/cli/precedence.h"

#include "controller/cli/route_probe.h"

namespace archway::controller::cli {
namespace {

using config::PathMatchType;

int path_rank(PathMatchType type) {
  switch (type) {
    case PathMatchType::kExact:
      return 0;
    case PathMatchType::kTemplate:
      return 1;
    case PathMatchType::kRegularExpression:
      return 2;
    case PathMatchType::kPathPrefix:
      return 3;
  }
  return 3;
}

}  // namespace

int domain_rank(const std::string& domain, const std::string& host) {
  if (domain == "*") return 0;
  if (domain.starts_with("*.")) {
    const std::string suffix = domain.substr(1);
    return host.size() > suffix.size() && host.ends_with(suffix)
               ? 1 + static_cast<int>(suffix.size())
               : -1;
  }
  return domain == host ? 1 << 20 : -1;
}

bool single_label_excludes(const config::Route& route, const std::string& domain,
                           const std::string& host) {
  if (!route.single_label_wildcard || !domain.starts_with("*.")) return false;
  const std::string label = host.substr(0, host.size() - (domain.size() - 1));
  return label.find('.') != std::string::npos;
}

std::string precedence_reason(const config::Match& winner, const config::Match& loser) {
  const auto& wp = winner.path;
  const auto& lp = loser.path;
  if (path_rank(wp.type) != path_rank(lp.type)) {
    return "a " + path_type_name(wp.type) + " path beats a " + path_type_name(lp.type) + " path (" +
           describe_path(wp) + " over " + describe_path(lp) + ")";
  }
  if (wp.value != lp.value) {
    if (wp.type == PathMatchType::kPathPrefix) {
      return "shorter prefix (" + lp.value + " loses to " + wp.value + ")";
    }
    if (wp.type == PathMatchType::kTemplate) {
      return "fewer literal segments (" + lp.value + " loses to " + wp.value + ")";
    }
    return "later in the snapshot (regular expressions are tried in order)";
  }
  if (winner.headers.size() != loser.headers.size()) {
    return "fewer header conditions (" + std::to_string(loser.headers.size()) + " vs " +
           std::to_string(winner.headers.size()) + ")";
  }
  if (winner.query_params.size() != loser.query_params.size()) {
    return "fewer query conditions (" + std::to_string(loser.query_params.size()) + " vs " +
           std::to_string(winner.query_params.size()) + ")";
  }
  if (winner.methods.empty() != loser.methods.empty()) {
    return "no method list (a match that lists methods wins)";
  }
  return "an equally specific match earlier in the snapshot wins";
}

}  // namespace archway::controller::cli
