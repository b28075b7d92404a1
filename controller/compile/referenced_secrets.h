#pragma once
// Which Secrets the routes in a ClusterState name: what the controller
// fetches and caches (controller/informer/secret_fetcher.h), so that it
// never needs to list or watch Secrets (docs/scale.md "Least privilege").
// Pure, like the rest of compile: the same routes give the same set.

#include <set>

#include "controller/model/cluster_state.h"

namespace archway::controller::compile {

// Every Secret named by an Ingress (spec.tls[].secretName) or an APIRoute
// (spec.tls.secretName/secretNamespace, and the auth references of
// spec.defaults and spec.rules[]: jwt.jwksSecretRef,
// oauth2Introspection.clientSecretRef, apiKey.secretRef). A Secret of
// another namespace is in the set only where a ReferenceGrant permits the
// reference, so a route cannot make the controller read what it may not use.
// Routes of every IngressClass count: which class an object belongs to is
// the compile's decision, and an extra Secret cached costs only memory.
[[nodiscard]] std::set<ObjectKey> referenced_secrets(const ClusterState& state);

}  // namespace archway::controller::compile
