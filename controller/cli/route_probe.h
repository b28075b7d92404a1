#pragma once
// Why one route does or does not match a request, judged with the proxy's
// own matcher: each condition of a Match (the path, the methods, each
// header, each query parameter) is compiled alone into a one-route table
// (routing::RouteTable, the proxy's) and the request is matched against it.
// So "header X did not match" means exactly what the proxy would decide for
// that header, regular expressions included. Pure.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "proxy/config/snapshot.h"

namespace archway::controller::cli {

// A request as the proxy matches it: host and path already normalised,
// header names lower-case.
struct ProbeRequest {
  std::string method = "GET";
  std::string host;
  std::string path = "/";
  std::string query;  // without '?'
  std::vector<std::pair<std::string, std::string>> headers;
};

// The first condition of `match` the request fails, as a sentence
// ("method POST is not one of GET, HEAD"); nullopt when all hold. A `version`
// condition is not judged (it needs the route's versioning policy).
[[nodiscard]] std::optional<std::string> failed_condition(const config::Match& match,
                                                          const ProbeRequest& request);

// Whether only the path condition holds (the others may fail).
[[nodiscard]] bool path_matches(const config::PathMatch& path, const ProbeRequest& request);

// The Match of `route` the request satisfies alone (index), or nullopt.
[[nodiscard]] std::optional<size_t> matching_index(const config::Route& route,
                                                   const ProbeRequest& request);

// "PathPrefix /api", "Exact /v1", ...
[[nodiscard]] std::string describe_path(const config::PathMatch& path);
// "PathPrefix /api, GET|HEAD, header x-env=Exact:a, query v=Present"
[[nodiscard]] std::string describe_match(const config::Match& match);
[[nodiscard]] std::string path_type_name(config::PathMatchType type);
[[nodiscard]] std::string value_type_name(config::ValueMatchType type);

}  // namespace archway::controller::cli
