#include "proxy/routing/route_actions.h"

#include <algorithm>

namespace archway::routing {
namespace {

std::string substitute_captures(std::string_view text, const RouteMatch& match) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find('{', i);
    if (open == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, open - i));
    const size_t close = text.find('}', open);
    if (close == std::string_view::npos) {
      out.append(text.substr(open));
      break;
    }
    const std::string_view name = text.substr(open + 1, close - open - 1);
    const auto it = std::find_if(match.captures.begin(), match.captures.end(),
                                 [&](const auto& c) { return c.first == name; });
    // Validation guarantees every reference is captured; keep text otherwise.
    if (it != match.captures.end()) {
      out.append(it->second);
    } else {
      out.append(text.substr(open, close - open + 1));
    }
    i = close + 1;
  }
  return out;
}

}  // namespace

const config::WeightedBackend* pick_backend(const CompiledRoute& route, uint64_t random) {
  if (route.total_weight == 0) return nullptr;
  const auto point = static_cast<uint32_t>(random % route.total_weight);
  // First backend whose cumulative weight exceeds the point; zero-weight
  // backends have an empty interval and are never chosen.
  const auto it =
      std::upper_bound(route.cumulative_weights.begin(), route.cumulative_weights.end(), point);
  return &route.route.backends[static_cast<size_t>(it - route.cumulative_weights.begin())];
}

std::string rewrite_path(const RouteMatch& match, std::string_view path) {
  if (match.route == nullptr) return std::string(path);
  const config::Rewrite& rw = match.route->route.rewrite;
  if (rw.full_path) return substitute_captures(*rw.full_path, match);
  if (!rw.path_prefix) return std::string(path);
  // matched_prefix excludes any trailing '/', so the rest is "" or "/...".
  const std::string_view rest = path.substr(std::min(match.matched_prefix.size(), path.size()));
  std::string_view replacement = *rw.path_prefix;
  if (rest.empty()) return replacement.empty() ? "/" : std::string(replacement);
  while (!replacement.empty() && replacement.back() == '/') replacement.remove_suffix(1);
  std::string out(replacement);
  out.append(rest);
  return out;
}

}  // namespace archway::routing
