#pragma once
// Shared by the route_*_test.cc files: compile a table from a small YAML
// snapshot and ask which route a request reaches.

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "proxy/config/snapshot_parser.h"
#include "proxy/routing/route_table.h"

// Cases use designated initializers that name only the fields they change
// (Request{.path = "/a"}); the rest keep their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace archway::routing::testing {

// `virtual_hosts` is the YAML of the virtualHosts list; one cluster "c" exists.
inline std::shared_ptr<const RouteTable> compile_yaml(const std::string& virtual_hosts) {
  const std::string doc = "version: '1'\nclusters: [{name: c}, {name: d}]\nvirtualHosts:\n" +
                          virtual_hosts;
  auto snapshot = config::parse_snapshot_yaml(doc);
  EXPECT_TRUE(snapshot.ok()) << (snapshot.ok() ? "" : snapshot.error().to_string());
  if (!snapshot.ok()) return nullptr;
  auto table = RouteTable::compile(*snapshot);
  EXPECT_TRUE(table.ok()) << (table.ok() ? "" : table.error().to_string());
  return table.ok() ? *table : nullptr;
}

struct Request {
  std::string method = "GET";
  std::string host = "example.com";
  std::string path = "/";
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;
};

inline std::optional<RouteMatch> match(const RouteTable& table, const Request& r) {
  std::vector<HeaderField> fields;
  for (const auto& [name, value] : r.headers) fields.push_back({name, value});
  return table.match(RequestHead{r.method, r.host, r.path, r.query, fields});
}

// The matched route's name, or "404".
inline std::string route_name(const RouteTable& table, const Request& r) {
  auto m = match(table, r);
  return m ? m->route->route.name : "404";
}

}  // namespace archway::routing::testing
