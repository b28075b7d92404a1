#include "controller/compile/nginx_annotations/nginx_import.h"

#include <algorithm>

#include "controller/compile/nginx_annotations/annotation_catalog.h"
#include "controller/compile/nginx_annotations/reader.h"

namespace archway::controller::compile::nginx {

std::vector<std::string> annotation_names(const nlohmann::json& annotations) {
  std::vector<std::string> names;
  if (!annotations.is_object()) return names;
  for (auto it = annotations.begin(); it != annotations.end(); ++it) {
    if (it.key().starts_with(kPrefix)) names.push_back(it.key());
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<Settings, Problem> read_annotations(const nlohmann::json& annotations) {
  std::map<std::string, std::string> all;
  for (const std::string& name : annotation_names(annotations)) {
    const nlohmann::json& value = annotations.at(name);
    const std::string short_name = name.substr(kPrefix.size());
    if (!value.is_string()) {
      return Problem{Reason::kInvalidValue, "metadata.annotations[" + name + "]: must be a string"};
    }
    all.emplace(short_name, value.get<std::string>());
  }
  Settings settings;
  Reader r{all, settings, {}, {}};
  // Refused first: a control the proxy cannot enforce is never dropped.
  for (const auto& [name, value] : all) {
    if (is_unenforceable_control(name)) {
      r.reject(name,
               "Archway cannot enforce this access control (docs/migration.md); the Ingress "
               "is not served rather than served without it",
               Reason::kPolicyNotEnforced);
      return *std::move(r.rejection);
    }
  }
  if (!read_routing(r) || !read_backend(r) || !read_resilience(r) || !read_cors(r) ||
      !read_canary(r)) {
    return *std::move(r.rejection);
  }
  for (const auto& [name, value] : all) {
    if (r.used.count(name)) continue;
    const std::string full = std::string(kPrefix) + name;
    if (is_snippet(name)) {
      settings.snippets.push_back(full);
    } else if (is_known_unsupported(name)) {
      settings.not_honoured.push_back(full);
    } else {
      settings.unknown.push_back(full);
    }
  }
  std::sort(settings.not_honoured.begin(), settings.not_honoured.end());
  return settings;
}

}  // namespace archway::controller::compile::nginx
