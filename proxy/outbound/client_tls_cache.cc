#include "proxy/outbound/client_tls_cache.h"

#include <vector>

#include "proxy/config/tls_check.h"
#include "proxy/tls/client_tls.h"

namespace archway::outbound {

namespace {

Result<tls::SslCtxPtr> make_context(const TlsOptions& options) {
  std::vector<config::CertificatePtr> anchors;
  if (options.verify && options.extra_ca_pem) {
    auto parsed = config::parse_ca_bundle(*options.extra_ca_pem);
    if (!parsed.ok()) return invalid("tls.extraCaPem", parsed.error().to_string());
    anchors = std::move(parsed).value();
  }
  return tls::make_client_context(options.verify, anchors, "tls");
}

}  // namespace

Result<SSL_CTX*> ClientTlsCache::get(std::string_view server_name, const TlsOptions& options) {
  Key key{std::string(server_name), options.extra_ca_pem.value_or(""), options.verify};
  auto it = contexts_.find(key);
  if (it != contexts_.end()) return it->second.get();
  auto ctx = make_context(options);
  if (!ctx.ok()) return ctx.error();
  if (contexts_.size() >= kMaxContexts) contexts_.clear();
  return contexts_.emplace(std::move(key), std::move(ctx).value()).first->second.get();
}

}  // namespace archway::outbound
