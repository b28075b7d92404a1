#pragma once
// ingress-nginx canaries (docs/migration.md "Canary"): an Ingress annotated
// nginx.ingress.kubernetes.io/canary: "true" adds no routes of its own; each
// of its paths joins the route of its main Ingress (same namespace, same
// host, same path) as
//  - a weighted backend (canary-weight out of canary-weight-total), and
//  - routes of the same path that send matching requests to the canary,
//    before the weighted split: canary-by-header ("always" → canary, "never"
//    → main only; or the exact canary-by-header-value, or the regular
//    expression canary-by-header-pattern → canary), then canary-by-cookie
//    ("always" / "never" as the header).
// A path with no main route, or whose main already has a canary, is named
// in a CanaryNotMerged Warning on the canary. Pure.

#include <vector>

#include "controller/compile/translated.h"

namespace archway::controller::compile::nginx {

// `ingresses`: every translated Ingress of this compile, in a stable order.
void merge_canaries(const std::vector<TranslatedObject*>& ingresses);

}  // namespace archway::controller::compile::nginx
