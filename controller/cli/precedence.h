#pragma once
// The proxy's precedence rules (docs/routing.md, routing/route_table.h)
// spelled out for explain: which host a domain covers and how specifically,
// and why one matching rule loses to another. Pure.

#include <string>

#include "proxy/config/snapshot.h"

namespace archway::controller::cli {

// How specifically `domain` names `host` (the proxy's host lookup order:
// exact, then the longest wildcard suffix, then "*"); -1 when it does not.
[[nodiscard]] int domain_rank(const std::string& domain, const std::string& host);

// An Ingress wildcard ("*" is exactly one label) that does not cover `host`.
[[nodiscard]] bool single_label_excludes(const config::Route& route, const std::string& domain,
                                         const std::string& host);

// Why `loser` lost to `winner` when both match the request, in the order
// the proxy ranks matches: path type, path length, header, query and method
// conditions, then snapshot order.
[[nodiscard]] std::string precedence_reason(const config::Match& winner,
                                            const config::Match& loser);

}  // namespace archway::controller::cli
