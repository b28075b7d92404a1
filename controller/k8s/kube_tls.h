#pragma once
// TLS set-up for the API server connection: a custom CA and a client
// certificate, both from PEM in memory (kubeconfig *-data or files already
// read). Internal to controller/k8s; keeps Boost.Asio out of kube_client.h.

#include <boost/asio/ssl/context.hpp>

#include "common/result.h"
#include "controller/k8s/kube_client.h"

namespace archway::controller::k8s {

// Adds config.ca_pem (every certificate in it) to the trust store and loads
// the client certificate chain + key when set. Never throws.
[[nodiscard]] Result<void> apply_tls(boost::asio::ssl::context& ctx, const KubeConfig& config);

// Builds a throw-away context with apply_tls so that bad PEM is reported once,
// when the client is made, rather than on every connection.
[[nodiscard]] Result<void> check_tls(const KubeConfig& config);

}  // namespace archway::controller::k8s
