// The route part of the snapshot decoder: matches, actions, rewrites,
// header operations, timeouts and the typed policies (policies/codec.h).

#include "proxy/config/policies/codec.h"
#include "proxy/config/snapshot_decode.h"
#include "proxy/config/snapshot_names.h"

namespace archway::config {
namespace {

void decode_value_match(Decoder& d, const Json& json, const std::string& path, ValueMatch& out) {
  ObjectReader r(d, json, path, {"name", "type", "value"});
  r.get("name", out.name, /*required=*/true);
  get_enum(d, r, "type", out.type, value_match_type, "Exact, RegularExpression, Present");
  r.get("value", out.value);
}

void decode_match(Decoder& d, const Json& json, const std::string& path, Match& out) {
  ObjectReader r(d, json, path, {"path", "methods", "headers", "queryParams", "version"});
  if (const Json* p = r.child("path")) {
    ObjectReader pr(d, *p, r.field("path"), {"type", "value"});
    get_enum(d, pr, "type", out.path.type, path_match_type,
             "Exact, PathPrefix, RegularExpression, Template");
    pr.get("value", out.path.value);
  }
  r.get_strings("methods", out.methods);
  r.each("headers", [&](const Json& element, const std::string& p) {
    decode_value_match(d, element, p, out.headers.emplace_back());
  });
  r.each("queryParams", [&](const Json& element, const std::string& p) {
    decode_value_match(d, element, p, out.query_params.emplace_back());
  });
  r.get("version", out.version);
}

void decode_header_ops(Decoder& d, const Json& json, const std::string& path, HeaderOps& out) {
  ObjectReader r(d, json, path, {"set", "add", "remove"});
  const auto values = [&](std::string_view key, std::vector<HeaderValue>& list) {
    r.each(key, [&](const Json& element, const std::string& p) {
      ObjectReader h(d, element, p, {"name", "value"});
      HeaderValue& header = list.emplace_back();
      h.get("name", header.name, /*required=*/true);
      h.get("value", header.value);
    });
  };
  values("set", out.set);
  values("add", out.add);
  r.get_strings("remove", out.remove);
}

void decode_redirect(Decoder& d, const Json& json, const std::string& path, Redirect& out) {
  ObjectReader r(d, json, path, {"scheme", "hostname", "port", "path", "statusCode"});
  r.get("scheme", out.scheme);
  r.get("hostname", out.hostname);
  r.get("port", out.port, 1, 65535);
  r.get("path", out.path);
  r.get("statusCode", out.status_code, 0, 65535);
}

}  // namespace

void decode_route(Decoder& d, const Json& json, const std::string& path, Route& out) {
  ObjectReader r(d, json, path,
                 {"name", "routeName", "ruleName", "matches", "backends", "redirect",
                  "directResponse", "rewrite", "requestHeaders", "responseHeaders", "timeouts",
                  "policies", "singleLabelWildcard", "httpsRedirect"});
  r.get("name", out.name, /*required=*/true);
  r.get("routeName", out.route_name);
  r.get("ruleName", out.rule_name);
  r.get("singleLabelWildcard", out.single_label_wildcard);
  r.each("matches", [&](const Json& element, const std::string& p) {
    decode_match(d, element, p, out.matches.emplace_back());
  });
  r.each("backends", [&](const Json& element, const std::string& p) {
    ObjectReader b(d, element, p, {"cluster", "weight"});
    WeightedBackend& backend = out.backends.emplace_back();
    b.get("cluster", backend.cluster, /*required=*/true);
    b.get("weight", backend.weight, 0, 1000000);
  });
  if (const Json* redirect = r.child("redirect")) {
    decode_redirect(d, *redirect, r.field("redirect"), out.redirect.emplace());
  }
  r.get("httpsRedirect", out.https_redirect, 0, 65535);
  if (const Json* direct = r.child("directResponse")) {
    ObjectReader dr(d, *direct, r.field("directResponse"), {"status", "body", "contentType"});
    DirectResponse& response = out.direct_response.emplace();
    dr.get("status", response.status, 200, 599);
    dr.get("body", response.body);
    dr.get("contentType", response.content_type);
  }
  if (const Json* rewrite = r.child("rewrite")) {
    ObjectReader rw(d, *rewrite, r.field("rewrite"), {"pathPrefix", "fullPath", "hostname"});
    rw.get("pathPrefix", out.rewrite.path_prefix);
    rw.get("fullPath", out.rewrite.full_path);
    rw.get("hostname", out.rewrite.hostname);
  }
  if (const Json* ops = r.child("requestHeaders")) {
    decode_header_ops(d, *ops, r.field("requestHeaders"), out.request_headers);
  }
  if (const Json* ops = r.child("responseHeaders")) {
    decode_header_ops(d, *ops, r.field("responseHeaders"), out.response_headers);
  }
  if (const Json* timeouts = r.child("timeouts")) {
    ObjectReader t(d, *timeouts, r.field("timeouts"), {"request", "backendRequest", "idle"});
    t.get_duration("request", out.timeouts.request);
    t.get_duration("backendRequest", out.timeouts.backend_request);
    t.get_duration("idle", out.timeouts.idle);
  }
  if (const Json* policies = r.child("policies")) {
    decode(d, *policies, r.field("policies"), out.policies);
  }
}

}  // namespace archway::config
