#pragma once
// What translating an APIRoute or Ingress reads besides the object itself
// (object_translate.h): IngressClasses, Services, Secrets and
// ReferenceGrants — never EndpointSlices (endpoint_index.h). The
// TranslationCache (compile.h) keeps these from the compile that filled it
// and reuses translations only while they are the same shared Objects.

#include "controller/model/cluster_state.h"

namespace archway::controller::compile {

// A ClusterState holding only the kinds translation reads (pointer copies).
[[nodiscard]] ClusterState translation_inputs(const ClusterState& state);

// True when those kinds hold the same shared Objects under the same keys.
[[nodiscard]] bool same_translation_inputs(const ClusterState& a, const ClusterState& b);

}  // namespace archway::controller::compile
