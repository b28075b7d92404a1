#include "controller/compile/ingress_class.h"

#include <string>

#include "controller/compile/json_access.h"

namespace archway::controller::compile {
namespace {

constexpr const char* kDefaultClassAnnotation = "ingressclass.kubernetes.io/is-default-class";
constexpr const char* kLegacyClassAnnotation = "kubernetes.io/ingress.class";
constexpr const char* kNginxImportAnnotation = "archway.dev/nginx-annotations";

bool class_is_ours(const std::string& name, const ClusterState& state,
                   const CompileOptions& options) {
  auto it = state.ingress_classes.find(ObjectKey{"", name});
  if (it != state.ingress_classes.end()) {
    return str(object(it->second, "spec"), "controller") == options.controller_name;
  }
  // The class object may not exist yet (installed after the routes, or not
  // at all in a bare cluster): our own class name still selects us.
  return name == options.ingress_class;
}

bool is_default(const nlohmann::json& ingress_class) {
  const auto& annotations = object(object(ingress_class, "metadata"), "annotations");
  return str(annotations, kDefaultClassAnnotation) == "true";
}

// nullopt-like tri-state: 1 = our class is default, -1 = another controller's
// class is default, 0 = no default class.
int default_class_owner(const ClusterState& state, const CompileOptions& options) {
  int result = 0;
  for (const auto& [key, ingress_class] : state.ingress_classes) {
    if (!is_default(ingress_class)) continue;
    if (str(object(ingress_class, "spec"), "controller") == options.controller_name) return 1;
    result = -1;
  }
  return result;
}

}  // namespace

bool ingress_is_ours(const nlohmann::json& ingress, const ClusterState& state,
                     const CompileOptions& options) {
  const std::string class_name = str(object(ingress, "spec"), "ingressClassName");
  if (!class_name.empty()) return class_is_ours(class_name, state, options);
  const auto& annotations = object(object(ingress, "metadata"), "annotations");
  if (const Json* legacy = member(annotations, kLegacyClassAnnotation)) {
    return legacy->is_string() && legacy->get<std::string>() == options.ingress_class;
  }
  return options.watch_ingresses_without_class || default_class_owner(state, options) == 1;
}

bool nginx_import_enabled(const nlohmann::json& ingress, const ClusterState& state,
                          const CompileOptions& options) {
  if (options.nginx_annotations) return true;
  std::string class_name = str(object(ingress, "spec"), "ingressClassName");
  if (class_name.empty()) {
    class_name = str(object(object(ingress, "metadata"), "annotations"), kLegacyClassAnnotation);
  }
  auto opted_in = [](const nlohmann::json& ingress_class) {
    return str(object(object(ingress_class, "metadata"), "annotations"), kNginxImportAnnotation) ==
           "true";
  };
  if (class_name.empty()) {
    for (const auto& [key, ingress_class] : state.ingress_classes) {
      if (is_default(ingress_class) &&
          str(object(ingress_class, "spec"), "controller") == options.controller_name) {
        return opted_in(ingress_class);
      }
    }
    return false;
  }
  auto it = state.ingress_classes.find(ObjectKey{"", class_name});
  return it != state.ingress_classes.end() && opted_in(it->second);
}

bool api_route_is_ours(const nlohmann::json& route, const ClusterState& state,
                       const CompileOptions& options) {
  const std::string class_name = str(object(route, "spec"), "ingressClassName");
  if (!class_name.empty()) return class_is_ours(class_name, state, options);
  return default_class_owner(state, options) >= 0;
}

}  // namespace archway::controller::compile
