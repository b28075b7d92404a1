#pragma once
// Cross-namespace references (docs/apiroute.md "Cross-namespace references"):
// an APIRoute may name a Service or a Secret of another namespace only when a
// ReferenceGrant (archway.dev/v1alpha1, in the spirit of Gateway API's) in
// that namespace lets it. The grant lives with what is referenced, so the
// owner of a namespace decides who may read from it; a route alone can never
// reach across. A reference within the route's own namespace needs no grant.

#include <optional>
#include <string>
#include <string_view>

#include "controller/compile/translated.h"
#include "controller/model/cluster_state.h"

namespace archway::controller::compile {

// Who refers: the referring object's kind ("APIRoute") and namespace.
struct Referrer {
  std::string_view kind;
  std::string_view ns;
};

// What is referred to: "Secret" or "Service", its namespace and name.
struct Referent {
  std::string_view kind;
  std::string_view ns;
  std::string_view name;
};

// True when `to` is in the referrer's own namespace, or when a ReferenceGrant
// in `to.ns` holds a `from` entry {kind, namespace} equal to the referrer and
// a `to` entry {kind, name?} matching `to` (no name: every object of that
// kind in the namespace).
[[nodiscard]] bool reference_permitted(const ClusterState& state, const Referrer& from,
                                       const Referent& to);

// RefNotPermitted ("Service other/api: a reference from namespace shop to
// namespace other needs a ReferenceGrant in other"), or nothing when permitted.
[[nodiscard]] std::optional<Problem> check_reference(const ClusterState& state,
                                                     const Referrer& from, const Referent& to);

}  // namespace archway::controller::compile
