// Every rejection of the snapshot parser, with its exact message: a valid
// base document, one edit per row, the message a person would read in a NACK.

#include <functional>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "proxy/config/snapshot_parser.h"

namespace archway::config {
namespace {

using Json = nlohmann::json;

const char* const kBase = R"({
  "version": "1",
  "listeners": [{"name": "http", "port": 8080}],
  "virtualHosts": [{
    "name": "api", "domains": ["api.example.com"],
    "routes": [{
      "name": "r0",
      "matches": [{"path": {"type": "PathPrefix", "value": "/v1"}}],
      "backends": [{"cluster": "c0"}]
    }]
  }],
  "clusters": [{"name": "c0", "endpoints": [{"address": "10.0.0.1", "port": 80}]}]
})";

struct Case {
  const char* name;
  std::function<void(Json&)> edit;
  const char* message;
};

Json& route0(Json& j) { return j["virtualHosts"][0]["routes"][0]; }
Json& match0(Json& j) { return route0(j)["matches"][0]; }

// Route-level shorthands keep the table readable.
std::function<void(Json&)> in_route(const char* key, Json value) {
  return [key, value](Json& j) { route0(j)[key] = value; };
}
std::function<void(Json&)> in_match(const char* key, Json value) {
  return [key, value](Json& j) { match0(j)[key] = value; };
}
std::function<void(Json&)> path_is(const char* type, const char* value) {
  return [type, value](Json& j) { match0(j)["path"] = {{"type", type}, {"value", value}}; };
}
std::function<void(Json&)> in_cluster(const char* key, Json value) {
  return [key, value](Json& j) { j["clusters"][0][key] = value; };
}
std::function<void(Json&)> redirect_with(Json fields) {
  return [fields](Json& j) {
    route0(j).erase("backends");
    route0(j)["redirect"] = fields;
  };
}

const Case kCases[] = {
    // Types and unknown keys.
    {"root_not_object", [](Json& j) { j = Json::array(); }, "expected object"},
    {"unknown_top_level", [](Json& j) { j["listner"] = 1; }, "listner: unknown field"},
    {"version_missing", [](Json& j) { j.erase("version"); }, "version: is required"},
    {"version_type", [](Json& j) { j["version"] = 3; }, "version: expected string"},
    {"version_empty", [](Json& j) { j["version"] = ""; }, "version: must not be empty"},
    {"listeners_not_array", [](Json& j) { j["listeners"] = Json::object(); },
     "listeners: expected array"},
    {"listener_not_object", [](Json& j) { j["listeners"][0] = "http"; },
     "listeners[0]: expected object"},
    {"listener_unknown", [](Json& j) { j["listeners"][0]["host"] = "x"; },
     "listeners[0].host: unknown field"},
    {"listener_name_missing", [](Json& j) { j["listeners"][0].erase("name"); },
     "listeners[0].name: is required"},
    {"listener_name_empty", [](Json& j) { j["listeners"][0]["name"] = ""; },
     "listeners[0].name: must not be empty"},
    {"listener_port_missing", [](Json& j) { j["listeners"][0].erase("port"); },
     "listeners[0].port: is required"},
    {"listener_port_zero", [](Json& j) { j["listeners"][0]["port"] = 0; },
     "listeners[0].port: must be between 1 and 65535"},
    {"listener_port_large", [](Json& j) { j["listeners"][0]["port"] = 65536; },
     "listeners[0].port: must be between 1 and 65535"},
    {"listener_port_negative", [](Json& j) { j["listeners"][0]["port"] = -1; },
     "listeners[0].port: must be between 1 and 65535"},
    {"listener_port_float", [](Json& j) { j["listeners"][0]["port"] = 80.5; },
     "listeners[0].port: expected integer"},
    {"listener_tls_type", [](Json& j) { j["listeners"][0]["tls"] = "true"; },
     "listeners[0].tls: expected boolean"},
    {"listener_address", [](Json& j) { j["listeners"][0]["address"] = "localhost"; },
     "listeners[0].address: invalid IP address \"localhost\""},
    {"listener_duplicate_name",
     [](Json& j) {
       j["listeners"].push_back({{"name", "http"}, {"port", 81}});
     },
     "listeners[1].name: duplicate listener name \"http\""},
    {"listener_duplicate_bind",
     [](Json& j) {
       j["listeners"].push_back({{"name", "h2"}, {"port", 8080}});
     },
     "listeners[1].port: address and port already used by another listener"},
    // Clusters.
    {"cluster_unknown", in_cluster("lb", "rr"), "clusters[0].lb: unknown field"},
    {"cluster_name_missing", [](Json& j) { j["clusters"][0].erase("name"); },
     "clusters[0].name: is required"},
    {"cluster_name_empty", in_cluster("name", ""), "clusters[0].name: must not be empty"},
    {"cluster_duplicate",
     [](Json& j) {
       j["clusters"].push_back({{"name", "c0"}});
     },
     "clusters[1].name: duplicate cluster name \"c0\""},
    {"cluster_protocol", in_cluster("protocol", "HTTP2"),
     "clusters[0].protocol: must be one of HTTP, H2C, HTTPS"},
    {"endpoint_address_missing", in_cluster("endpoints", Json::parse(R"([{"port": 1}])")),
     "clusters[0].endpoints[0].address: is required"},
    {"endpoint_port_missing", in_cluster("endpoints", Json::parse(R"([{"address": "a"}])")),
     "clusters[0].endpoints[0].port: is required"},
    {"endpoint_address_bad",
     in_cluster("endpoints", Json::parse(R"([{"address": "a b", "port": 1}])")),
     "clusters[0].endpoints[0].address: must be an IP address or a host name"},
    {"connect_timeout_type", in_cluster("connectTimeout", 5),
     "clusters[0].connectTimeout: expected duration string"},
    {"connect_timeout_zero", in_cluster("connectTimeout", "0s"),
     "clusters[0].connectTimeout: must be greater than 0"},
    {"connect_timeout_junk", in_cluster("connectTimeout", "5 s"),
     "clusters[0].connectTimeout: invalid duration \"5 s\": unit must be one of ms, s, m, h"},
    {"tls_server_name_http", in_cluster("tlsServerName", "a.example"),
     "clusters[0].tlsServerName: only valid with protocol HTTPS"},
    {"tls_server_name_bad",
     [](Json& j) {
       j["clusters"][0]["protocol"] = "HTTPS";
       j["clusters"][0]["tlsServerName"] = "-a.example";
     },
     "clusters[0].tlsServerName: invalid host name \"-a.example\""},
    {"tls_ca_http", in_cluster("tlsCa", "x"), "clusters[0].tlsCa: only valid with protocol HTTPS"},
    {"tls_ca_bad",
     [](Json& j) {
       j["clusters"][0]["protocol"] = "HTTPS";
       j["clusters"][0]["tlsCa"] = "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n";
     },
     "clusters[0].tlsCa: invalid PEM certificate"},
    // Virtual hosts and domains.
    {"vhost_unknown", [](Json& j) { j["virtualHosts"][0]["hosts"] = 1; },
     "virtualHosts[0].hosts: unknown field"},
    {"vhost_name_missing", [](Json& j) { j["virtualHosts"][0].erase("name"); },
     "virtualHosts[0].name: is required"},
    {"vhost_name_empty", [](Json& j) { j["virtualHosts"][0]["name"] = ""; },
     "virtualHosts[0].name: must not be empty"},
    {"vhost_duplicate",
     [](Json& j) {
       j["virtualHosts"].push_back({{"name", "api"}, {"domains", {"b.example"}}});
     },
     "virtualHosts[1].name: duplicate virtual host name \"api\""},
    {"domains_empty", [](Json& j) { j["virtualHosts"][0]["domains"] = Json::array(); },
     "virtualHosts[0].domains: must not be empty"},
    {"domain_type", [](Json& j) { j["virtualHosts"][0]["domains"] = {1}; },
     "virtualHosts[0].domains[0]: expected string"},
    {"domain_uppercase", [](Json& j) { j["virtualHosts"][0]["domains"] = {"API.example.com"}; },
     "virtualHosts[0].domains[0]: invalid domain \"API.example.com\""},
    {"domain_inner_wildcard", [](Json& j) { j["virtualHosts"][0]["domains"] = {"a.*.com"}; },
     "virtualHosts[0].domains[0]: invalid domain \"a.*.com\""},
    {"domain_partial_wildcard", [](Json& j) { j["virtualHosts"][0]["domains"] = {"*a.com"}; },
     "virtualHosts[0].domains[0]: invalid domain \"*a.com\""},
    {"domain_port", [](Json& j) { j["virtualHosts"][0]["domains"] = {"a.com:80"}; },
     "virtualHosts[0].domains[0]: invalid domain \"a.com:80\""},
    {"domain_empty_label", [](Json& j) { j["virtualHosts"][0]["domains"] = {"a..com"}; },
     "virtualHosts[0].domains[0]: invalid domain \"a..com\""},
    {"domain_duplicate_across_hosts",
     [](Json& j) {
       j["virtualHosts"].push_back({{"name", "b"}, {"domains", {"x.example", "api.example.com"}}});
     },
     "virtualHosts[1].domains[1]: domain \"api.example.com\" already used by virtual host \"api\""},
    {"tls_missing_key",
     [](Json& j) {
       j["virtualHosts"][0]["tls"] = {{"certificate", "x"}};
     },
     "virtualHosts[0].tls.privateKey: is required"},
    {"tls_bad_certificate",
     [](Json& j) {
       j["virtualHosts"][0]["tls"] = {{"certificate", "x"}, {"privateKey", "y"}};
     },
     "virtualHosts[0].tls.certificate: invalid PEM certificate"},
    // Routes.
    {"routes_type", [](Json& j) { j["virtualHosts"][0]["routes"] = "r0"; },
     "virtualHosts[0].routes: expected array"},
    {"route_unknown", in_route("priority", 1), "virtualHosts[0].routes[0].priority: unknown field"},
    {"route_name_missing", [](Json& j) { route0(j).erase("name"); },
     "virtualHosts[0].routes[0].name: is required"},
    {"route_name_empty", in_route("name", ""), "virtualHosts[0].routes[0].name: must not be empty"},
    {"route_duplicate_across_hosts",
     [](Json& j) {
       j["virtualHosts"].push_back(
           {{"name", "b"}, {"domains", {"b.example"}}, {"routes", {route0(j)}}});
     },
     "virtualHosts[1].routes[0].name: duplicate route name \"r0\""},
    {"no_action", [](Json& j) { route0(j).erase("backends"); },
     "virtualHosts[0].routes[0]: must have exactly one of backends, redirect, directResponse"},
    {"two_actions", in_route("directResponse", Json::object()),
     "virtualHosts[0].routes[0]: must have exactly one of backends, redirect, directResponse"},
    {"backend_unknown_cluster", in_route("backends", Json::parse(R"([{"cluster": "nope"}])")),
     "virtualHosts[0].routes[0].backends[0].cluster: unknown cluster \"nope\""},
    {"backend_cluster_missing", in_route("backends", Json::parse(R"([{"weight": 1}])")),
     "virtualHosts[0].routes[0].backends[0].cluster: is required"},
    {"backend_weight_large",
     in_route("backends", Json::parse(R"([{"cluster": "c0", "weight": 1000001}])")),
     "virtualHosts[0].routes[0].backends[0].weight: must be between 0 and 1000000"},
    {"backend_weights_zero",
     in_route("backends", Json::parse(R"([{"cluster": "c0", "weight": 0}])")),
     "virtualHosts[0].routes[0].backends: weights must sum to more than 0"},
    {"matches_type", in_route("matches", Json::object()),
     "virtualHosts[0].routes[0].matches: expected array"},
    {"match_unknown", in_match("host", "x"),
     "virtualHosts[0].routes[0].matches[0].host: unknown field"},
    {"path_unknown", in_match("path", Json::parse(R"({"prefix": "/"})")),
     "virtualHosts[0].routes[0].matches[0].path.prefix: unknown field"},
    {"path_type", path_is("Prefix", "/"),
     "virtualHosts[0].routes[0].matches[0].path.type: must be one of Exact, PathPrefix, "
     "RegularExpression, Template"},
    {"path_relative", path_is("Exact", "v1"),
     "virtualHosts[0].routes[0].matches[0].path.value: must start with '/'"},
    {"path_space", path_is("PathPrefix", "/a b"),
     "virtualHosts[0].routes[0].matches[0].path.value: invalid character at offset 2"},
    {"path_query", path_is("Exact", "/a?b=1"),
     "virtualHosts[0].routes[0].matches[0].path.value: invalid character at offset 2"},
    {"path_dot_segments", path_is("PathPrefix", "/a/../b"),
     "virtualHosts[0].routes[0].matches[0].path.value: must be normalised (\"/b\")"},
    {"path_double_slash", path_is("Exact", "/a//b"),
     "virtualHosts[0].routes[0].matches[0].path.value: must be normalised (\"/a/b\")"},
    {"path_encoded_unreserved", path_is("Exact", "/%61"),
     "virtualHosts[0].routes[0].matches[0].path.value: must be normalised (\"/a\")"},
    {"path_encoded_slash", path_is("Exact", "/a%2Fb"),
     "virtualHosts[0].routes[0].matches[0].path.value: encoded '/' is not allowed"},
    {"path_bad_escape", path_is("Exact", "/a%zz"),
     "virtualHosts[0].routes[0].matches[0].path.value: invalid percent-encoding"},
    {"path_braces_outside_template", path_is("Exact", "/a/{id}"),
     "virtualHosts[0].routes[0].matches[0].path.value: invalid character at offset 3"},
    {"template_mixed", path_is("Template", "/files/{name}.json"),
     "virtualHosts[0].routes[0].matches[0].path.value: invalid template: segment "
     "\"{name}.json\" mixes text and a capture"},
    {"template_identifier", path_is("Template", "/a/{1x}"),
     "virtualHosts[0].routes[0].matches[0].path.value: invalid template: capture name \"1x\" "
     "is not an identifier"},
    {"template_empty_name", path_is("Template", "/a/{}"),
     "virtualHosts[0].routes[0].matches[0].path.value: invalid template: capture name \"\" is "
     "not an identifier"},
    {"template_duplicate", path_is("Template", "/a/{id}/b/{id}"),
     "virtualHosts[0].routes[0].matches[0].path.value: invalid template: duplicate capture "
     "\"id\""},
    {"path_regex", path_is("RegularExpression", "/v1/(orders"),
     "virtualHosts[0].routes[0].matches[0].path.value: invalid regular expression: missing ): "
     "/v1/(orders"},
    {"path_regex_backreference", path_is("RegularExpression", "/(a)\\1"),
     "virtualHosts[0].routes[0].matches[0].path.value: invalid regular expression: invalid "
     "escape sequence: \\1"},
    {"methods_type", in_match("methods", "GET"),
     "virtualHosts[0].routes[0].matches[0].methods: expected array"},
    {"method_token", in_match("methods", {"GET", "GET POST"}),
     "virtualHosts[0].routes[0].matches[0].methods[1]: invalid method \"GET POST\""},
    {"header_name", in_match("headers", Json::parse(R"([{"name": "X Y", "value": "1"}])")),
     "virtualHosts[0].routes[0].matches[0].headers[0].name: invalid header name \"X Y\""},
    {"header_name_missing", in_match("headers", Json::parse(R"([{"value": "1"}])")),
     "virtualHosts[0].routes[0].matches[0].headers[0].name: is required"},
    {"header_value_crlf", in_match("headers", Json::parse(R"([{"name": "a", "value": "1\r\n"}])")),
     "virtualHosts[0].routes[0].matches[0].headers[0].value: must not contain CR, LF or NUL"},
    {"header_type",
     in_match("headers", Json::parse(R"([{"name": "a", "type": "Prefix", "value": "1"}])")),
     "virtualHosts[0].routes[0].matches[0].headers[0].type: must be one of Exact, "
     "RegularExpression, Present"},
    {"header_regex",
     in_match("headers",
              Json::parse(R"([{"name": "a", "type": "RegularExpression", "value": "["}])")),
     "virtualHosts[0].routes[0].matches[0].headers[0].value: invalid regular expression: "
     "missing ]: ["},
    {"header_present_value",
     in_match("headers", Json::parse(R"([{"name": "a", "type": "Present", "value": "1"}])")),
     "virtualHosts[0].routes[0].matches[0].headers[0].value: must be empty for type Present"},
    {"query_name_empty", in_match("queryParams", Json::parse(R"([{"name": "", "value": "1"}])")),
     "virtualHosts[0].routes[0].matches[0].queryParams[0].name: must not be empty"},
    {"query_unknown", in_match("queryParams", Json::parse(R"([{"name": "a", "regex": "1"}])")),
     "virtualHosts[0].routes[0].matches[0].queryParams[0].regex: unknown field"},
    // Redirects and direct responses.
    {"redirect_status", redirect_with({{"statusCode", 304}}),
     "virtualHosts[0].routes[0].redirect.statusCode: must be one of 301, 302, 303, 307, 308"},
    {"redirect_scheme", redirect_with({{"scheme", "ftp"}}),
     "virtualHosts[0].routes[0].redirect.scheme: must be one of http, https"},
    {"redirect_hostname", redirect_with({{"hostname", "evil\r\nx"}}),
     "virtualHosts[0].routes[0].redirect.hostname: invalid host name \"evil\r\nx\""},
    {"redirect_port", redirect_with({{"port", 0}}),
     "virtualHosts[0].routes[0].redirect.port: must be between 1 and 65535"},
    {"redirect_path", redirect_with({{"path", "new"}}),
     "virtualHosts[0].routes[0].redirect.path: must start with '/'"},
    {"redirect_unknown", redirect_with({{"code", 301}}),
     "virtualHosts[0].routes[0].redirect.code: unknown field"},
    {"direct_status",
     [](Json& j) {
       route0(j).erase("backends");
       route0(j)["directResponse"] = {{"status", 100}};
     },
     "virtualHosts[0].routes[0].directResponse.status: must be between 200 and 599"},
    {"direct_content_type",
     [](Json& j) {
       route0(j).erase("backends");
       route0(j)["directResponse"] = {{"contentType", "text/html\r\nX: y"}};
     },
     "virtualHosts[0].routes[0].directResponse.contentType: must not contain CR, LF or NUL"},
    // Rewrites.
    {"rewrite_unknown", in_route("rewrite", {{"prefix", "/"}}),
     "virtualHosts[0].routes[0].rewrite.prefix: unknown field"},
    {"rewrite_both", in_route("rewrite", {{"pathPrefix", "/a"}, {"fullPath", "/b"}}),
     "virtualHosts[0].routes[0].rewrite: only one of pathPrefix and fullPath may be set"},
    {"rewrite_without_backends",
     [](Json& j) {
       route0(j).erase("backends");
       route0(j)["directResponse"] = Json::object();
       route0(j)["rewrite"] = {{"hostname", "a"}};
     },
     "virtualHosts[0].routes[0].rewrite: only valid with backends"},
    {"rewrite_prefix_needs_prefix_match",
     [](Json& j) {
       match0(j)["path"] = {{"type", "Exact"}, {"value", "/v1"}};
       route0(j)["rewrite"] = {{"pathPrefix", "/v2"}};
     },
     "virtualHosts[0].routes[0].rewrite.pathPrefix: requires every match to be PathPrefix"},
    {"rewrite_prefix_path", in_route("rewrite", {{"pathPrefix", "/a/./b"}}),
     "virtualHosts[0].routes[0].rewrite.pathPrefix: must be normalised (\"/a/b\")"},
    {"rewrite_full_path_capture", in_route("rewrite", {{"fullPath", "/o/{id}"}}),
     "virtualHosts[0].routes[0].rewrite.fullPath: capture \"id\" is not in every match"},
    {"rewrite_full_path_group_needs_regex", in_route("rewrite", {{"fullPath", "/o/{1}"}}),
     "virtualHosts[0].routes[0].rewrite.fullPath: capture \"1\" is not in every match"},
    {"rewrite_full_path_group_count",
     [](Json& j) {
       match0(j)["path"] = {{"type", "RegularExpression"}, {"value", "/a(.*)"}};
       route0(j)["rewrite"] = {{"fullPath", "/o/{2}"}};
     },
     "virtualHosts[0].routes[0].rewrite.fullPath: capture \"2\" is not in every match"},
    {"rewrite_full_path_group_zero", in_route("rewrite", {{"fullPath", "/o/{0}"}}),
     "virtualHosts[0].routes[0].rewrite.fullPath: capture name \"0\" is not an identifier or a "
     "group number 1..9"},
    {"https_redirect_status", in_route("httpsRedirect", 200),
     "virtualHosts[0].routes[0].httpsRedirect: must be one of 301, 302, 303, 307, 308"},
    {"rewrite_full_path_brace",
     [](Json& j) {
       match0(j)["path"] = {{"type", "Template"}, {"value", "/v1/{id}"}};
       route0(j)["rewrite"] = {{"fullPath", "/o/{id"}};
     },
     "virtualHosts[0].routes[0].rewrite.fullPath: unbalanced '{'"},
    {"rewrite_hostname", in_route("rewrite", {{"hostname", "*.example.com"}}),
     "virtualHosts[0].routes[0].rewrite.hostname: invalid host name \"*.example.com\""},
    // Header operations: no header injection through names or values.
    {"header_op_name", in_route("requestHeaders", Json::parse(R"({"set": [{"name": "X:Y"}]})")),
     "virtualHosts[0].routes[0].requestHeaders.set[0].name: invalid header name \"X:Y\""},
    {"header_op_value",
     in_route("responseHeaders", Json::parse(R"({"add": [{"name": "X", "value": "a\nb"}]})")),
     "virtualHosts[0].routes[0].responseHeaders.add[0].value: must not contain CR, LF or NUL"},
    {"header_op_nul",
     in_route("requestHeaders", Json::parse(R"({"set": [{"name": "X", "value": "a\u0000"}]})")),
     "virtualHosts[0].routes[0].requestHeaders.set[0].value: must not contain CR, LF or NUL"},
    {"header_op_remove", in_route("requestHeaders", Json::parse(R"({"remove": ["a b"]})")),
     "virtualHosts[0].routes[0].requestHeaders.remove[0]: invalid header name \"a b\""},
    {"header_op_unknown", in_route("requestHeaders", Json::parse(R"({"append": []})")),
     "virtualHosts[0].routes[0].requestHeaders.append: unknown field"},
    // Timeouts and durations.
    {"timeout_unknown", in_route("timeouts", {{"connect", "1s"}}),
     "virtualHosts[0].routes[0].timeouts.connect: unknown field"},
    {"timeout_negative", in_route("timeouts", {{"idle", "-1s"}}),
     "virtualHosts[0].routes[0].timeouts.idle: invalid duration \"-1s\": negative"},
    {"timeout_sub_millisecond", in_route("timeouts", {{"backendRequest", "1.0005s"}}),
     "virtualHosts[0].routes[0].timeouts.backendRequest: invalid duration \"1.0005s\": not a "
     "whole number of milliseconds"},
    // Policies.
    {"policies_type", in_route("policies", Json::array()),
     "virtualHosts[0].routes[0].policies: expected object"},
    {"policies_unknown", in_route("policies", {{"waf", Json::object()}}),
     "virtualHosts[0].routes[0].policies.waf: unknown policy"},
    // Limits.
    {"limits_unknown",
     [](Json& j) {
       j["limits"] = {{"maxBody", 1}};
     },
     "limits.maxBody: unknown field"},
    {"limits_zero",
     [](Json& j) {
       j["limits"] = {{"maxHeaderBytes", 0}};
     },
     "limits.maxHeaderBytes: must be between 1 and 4294967295"},
    {"limits_timeout_zero", [](Json& j) { j["limits"] = {{"idleTimeout", "0s"}}; },
     "limits.idleTimeout: must be greater than 0"},
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class SnapshotRejectionTest : public testing::TestWithParam<Case> {};

TEST_P(SnapshotRejectionTest, NamesTheField) {
  Json doc = Json::parse(kBase);
  GetParam().edit(doc);
  auto parsed = parse_snapshot_json(doc.dump());
  ASSERT_FALSE(parsed.ok()) << "accepted: " << doc.dump();
  EXPECT_EQ(parsed.error().to_string(), GetParam().message);
  EXPECT_EQ(parsed.error().code, Error::Code::kInvalidArgument);
}

TEST(SnapshotRejectionBaseTest, BaseDocumentIsValid) {
  auto parsed = parse_snapshot_json(kBase);
  EXPECT_TRUE(parsed.ok()) << parsed.error().to_string();
}

INSTANTIATE_TEST_SUITE_P(Table, SnapshotRejectionTest, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<Case>& row) {
                           return std::string(row.param.name);
                         });

// Rejections of the text itself, before any field is read.
struct SyntaxCase {
  const char* name;
  bool yaml;
  std::string text;
  const char* message;
};

const SyntaxCase kSyntaxCases[] = {
    {"json_truncated", false, R"({"version": )",
     "invalid JSON: [json.exception.parse_error.101] parse error at line 1, column 13: syntax "
     "error while parsing value - unexpected end of input; expected '[', '{', or a literal"},
    {"json_duplicate_key", false, R"({"version": "1", "version": "2"})",
     "invalid JSON: duplicate key \"version\""},
    {"json_nesting", false,
     "{\"version\": \"1\", \"x\": " + std::string(100, '[') + std::string(100, ']') + "}",
     "invalid JSON: nesting too deep"},
    {"json_infinite", false, R"({"version": "1", "limits": {"maxHeaderBytes": 1e999}})",
     "invalid JSON: [json.exception.out_of_range.406] number overflow parsing '1e999'"},
    {"yaml_syntax", true, "version: [1\n",
     "invalid YAML: yaml-cpp: error at line 2, column 1: "
     "end of sequence flow not found"},
    {"yaml_duplicate_key", true, "version: a\nversion: b\n",
     "invalid YAML: duplicate key \"version\" at line 2, column 1"},
    {"yaml_complex_key", true, "? [a]\n: b\n",
     "invalid YAML: mapping keys must be scalars at line 1, column 3"},
    {"yaml_tag", true, "version: !!binary aGVsbG8=\n",
     "invalid YAML: unsupported tag \"tag:yaml.org,2002:binary\" at line 1, column 10"},
    {"yaml_utf8", true, "version: \"\xff\"\n", "invalid YAML: invalid UTF-8 at line 1, column 10"},
    {"yaml_nesting", true, "version: " + std::string(80, '[') + std::string(80, ']') + "\n",
     "invalid YAML: nesting too deep at line 1, column 74"},
    {"yaml_not_mapping", true, "- a\n", "expected object"},
    {"yaml_empty", true, "", "expected object"},
};

void PrintTo(const SyntaxCase& c, std::ostream* os) { *os << c.name; }

class SnapshotSyntaxTest : public testing::TestWithParam<SyntaxCase> {};

TEST_P(SnapshotSyntaxTest, RejectsText) {
  const SyntaxCase& c = GetParam();
  auto parsed = c.yaml ? parse_snapshot_yaml(c.text) : parse_snapshot_json(c.text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().to_string(), c.message);
}

INSTANTIATE_TEST_SUITE_P(Table, SnapshotSyntaxTest, testing::ValuesIn(kSyntaxCases),
                         [](const testing::TestParamInfo<SyntaxCase>& row) {
                           return std::string(row.param.name);
                         });

}  // namespace
}  // namespace archway::config
