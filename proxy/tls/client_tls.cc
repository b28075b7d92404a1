#include "proxy/tls/client_tls.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <string>

namespace archway::tls {

Result<SslCtxPtr> make_client_context(bool verify,
                                      const std::vector<config::CertificatePtr>& extra_anchors,
                                      const std::string& field) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return invalid(field, "cannot create a TLS context");
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  static constexpr unsigned char kAlpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx.get(), kAlpn, sizeof kAlpn);
  if (!verify) {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    return ctx;
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_default_verify_paths(ctx.get());
  X509_STORE* store = SSL_CTX_get_cert_store(ctx.get());
  for (const config::CertificatePtr& cert : extra_anchors) {
    X509_STORE_add_cert(store, cert.get());  // takes its own reference
  }
  // A certificate listed twice leaves "already in hash table", a missing
  // system store its own error: neither is ours.
  ERR_clear_error();
  return ctx;
}

Result<SslCtxPtr> make_client_context(const config::Cluster& cluster,
                                      const std::vector<config::CertificatePtr>& trust_anchors) {
  if (cluster.tls_verify && cluster.tls_ca_pem && trust_anchors.empty()) {
    return invalid("clusters." + cluster.name + ".tlsCaPem", "no certificate");
  }
  return make_client_context(cluster.tls_verify, trust_anchors, "clusters." + cluster.name);
}

void prepare_client_ssl(SSL* ssl, std::string_view server_name, bool verify) {
  if (server_name.empty()) return;
  const std::string name(server_name);  // once per connection
  SSL_set_tlsext_host_name(ssl, name.c_str());
  if (verify) SSL_set1_host(ssl, name.c_str());
}

void offer_http1_only(SSL* ssl) {
  static constexpr unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_set_alpn_protos(ssl, kAlpn, sizeof kAlpn);
}

}  // namespace archway::tls
