#include "proxy/backend/h2_sessions.h"

namespace archway::backend {

H2Sessions::~H2Sessions() { retire(); }

server::BackendStream* H2Sessions::open(const config::Cluster&, const boost::asio::ip::tcp::endpoint&,
                                        const server::Request&, const std::string&,
                                        server::BackendEvents*) {
  return nullptr;  // HTTP/2 backends: next step
}

void H2Sessions::retire() { retired_ = true; }

void H2Sessions::forget(const H2Session*) {}

}  // namespace archway::backend
