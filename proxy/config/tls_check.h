#pragma once
// TLS material in a snapshot is checked with OpenSSL at parse time, so a bad
// Secret is a NACK naming the virtual host rather than a failed handshake
// later. Errors carry a field relative to the TLS object ("certificate",
// "privateKey"); the caller prefixes it.

#include <string_view>

#include "common/result.h"

namespace archway::config {

// certificate: one or more PEM certificates (leaf first); key: a PEM private
// key that matches the leaf.
[[nodiscard]] Result<void> check_certificate_and_key(std::string_view certificate_pem,
                                                     std::string_view private_key_pem);
// One or more PEM certificates (trust anchors).
[[nodiscard]] Result<void> check_ca_bundle(std::string_view pem);

}  // namespace archway::config
