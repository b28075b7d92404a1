#pragma once
// Standard base64 (RFC 4648 §4) decoding for kubeconfig *-data fields and
// Secret data. Whitespace is skipped (kubeconfigs wrap long values).

#include <optional>
#include <string>
#include <string_view>

namespace archway::controller::k8s {

[[nodiscard]] std::optional<std::string> base64_decode(std::string_view in);

}  // namespace archway::controller::k8s
