#include "proxy/tls/client_tls.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <string>

namespace archway::tls {

Result<SslCtxPtr> make_client_context(const config::Cluster& cluster,
                                      const std::vector<config::CertificatePtr>& trust_anchors) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return invalid("clusters." + cluster.name, "cannot create a TLS context");
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  static constexpr unsigned char kAlpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx.get(), kAlpn, sizeof kAlpn);
  if (!cluster.tls_verify) {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    return ctx;
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_default_verify_paths(ctx.get());
  if (cluster.tls_ca_pem) {
    X509_STORE* store = SSL_CTX_get_cert_store(ctx.get());
    int added = 0;
    for (const config::CertificatePtr& cert : trust_anchors) {
      added += X509_STORE_add_cert(store, cert.get());  // takes its own reference
    }
    ERR_clear_error();  // a certificate listed twice leaves "already in hash table"
    if (added == 0) return invalid("clusters." + cluster.name + ".tlsCaPem", "no certificate");
  }
  return ctx;
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
