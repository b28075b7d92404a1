#include "controller/k8s/kube_tls.h"

#include <boost/asio/buffer.hpp>
#include <boost/system/system_error.hpp>

namespace archway::controller::k8s {

Result<void> apply_tls(boost::asio::ssl::context& ctx, const KubeConfig& config) {
  const char* step = "certificate-authority";
  try {
    if (!config.ca_pem.empty()) {
      // Boost 1.74 adds every certificate in the buffer (a CA bundle works).
      ctx.add_certificate_authority(boost::asio::buffer(config.ca_pem));
    }
    if (!config.client_cert_pem.empty()) {
      step = "client-certificate";
      ctx.use_certificate_chain(boost::asio::buffer(config.client_cert_pem));
      step = "client-key";
      ctx.use_private_key(boost::asio::buffer(config.client_key_pem),
                          boost::asio::ssl::context::pem);
    }
    return {};
  } catch (const boost::system::system_error& e) {
    return invalid(step, std::string("bad PEM: ") + e.what());
  } catch (const std::exception& e) {
    return invalid(step, e.what());
  }
}

Result<void> check_tls(const KubeConfig& config) {
  try {
    boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_client);
    return apply_tls(ctx, config);
  } catch (const std::exception& e) {
    return Error{Error::Code::kInternal, "tls", e.what()};
  }
}

}  // namespace archway::controller::k8s
