#pragma once
// Which objects are ours (DESIGN.md §3): the IngressClass rules Kubernetes
// defines, plus the legacy `kubernetes.io/ingress.class` annotation.

#include <nlohmann/json.hpp>

#include "controller/compile/compile.h"
#include "controller/model/cluster_state.h"

namespace archway::controller::compile {

// An Ingress is ours when spec.ingressClassName names an IngressClass whose
// spec.controller is ours (or names our class), when it has no class and our
// class is the cluster default (ingressclass.kubernetes.io/is-default-class),
// or when the legacy annotation names our class.
[[nodiscard]] bool ingress_is_ours(const nlohmann::json& ingress, const ClusterState& state,
                                   const CompileOptions& options);

// Whether ingress-nginx annotations are imported for this Ingress (one of
// ours): the --nginx-annotations flag, or its IngressClass (named, legacy or
// default) annotated archway.dev/nginx-annotations: "true".
[[nodiscard]] bool nginx_import_enabled(const nlohmann::json& ingress, const ClusterState& state,
                                        const CompileOptions& options);

// An APIRoute is ours when spec.ingressClassName names our class (or a class
// whose controller is ours), or it names none and no *other* controller's
// class is the cluster default: APIRoute is Archway's own kind, so a cluster
// without any IngressClass still routes it.
[[nodiscard]] bool api_route_is_ours(const nlohmann::json& route, const ClusterState& state,
                                     const CompileOptions& options);

}  // namespace archway::controller::compile
