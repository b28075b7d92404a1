#include "proxy/outbound/client_tls_cache.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "proxy/config/tls_check.h"

namespace archway::outbound {

namespace {

Result<tls::SslCtxPtr> make_context(const TlsOptions& options) {
  tls::SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return Error{Error::Code::kInternal, "tls", "cannot create a TLS context"};
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  static constexpr unsigned char kAlpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx.get(), kAlpn, sizeof kAlpn);
  if (!options.verify) {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    return ctx;
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_default_verify_paths(ctx.get());
  if (options.extra_ca_pem) {
    auto anchors = config::parse_ca_bundle(*options.extra_ca_pem);
    if (!anchors.ok()) return invalid("tls.extraCaPem", anchors.error().to_string());
    X509_STORE* store = SSL_CTX_get_cert_store(ctx.get());
    for (const config::CertificatePtr& cert : anchors.value()) {
      X509_STORE_add_cert(store, cert.get());  // takes its own reference
    }
    ERR_clear_error();  // a certificate listed twice leaves "already in hash table"
  }
  ERR_clear_error();  // a missing system store is not an error of ours
  return ctx;
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
