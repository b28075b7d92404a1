#pragma once
// Standard base64 (RFC 4648 §4) decoding for kubeconfig *-data fields and
// Secret data. Whitespace is skipped (kubeconfigs wrap long values). In
// common/ because both the Kubernetes client and the pure compile need it,
// and the pure compile must not see the client (DESIGN.md §1).

#include <optional>
#include <string>
#include <string_view>

namespace archway {

[[nodiscard]] std::optional<std::string> base64_decode(std::string_view in);

}  // namespace archway
