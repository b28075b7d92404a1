// Arbitrary bytes as a snapshot, in both syntaxes. Properties checked on
// every accepted input (a violation aborts, which libFuzzer reports):
//   - an accepted snapshot compiles into a RouteTable (parse validates all
//     that compile needs);
//   - to_json round-trips: parse(to_json(s)) == s, and to_json is a fixed point;
//   - matching arbitrary requests against the table never crashes.
// The input is also fed to normalize_path / normalize_host, whose results
// must be stable (normalising twice changes nothing).

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "proxy/config/snapshot_parser.h"
#include "proxy/routing/path_normalize.h"
#include "proxy/routing/route_actions.h"
#include "proxy/routing/route_table.h"

namespace {

using archway::config::Snapshot;
using archway::routing::RouteTable;

void check(bool condition) {
  if (!condition) std::abort();
}

void exercise_table(const RouteTable& table, std::string_view input) {
  const std::string_view paths[] = {"/", "/v1/orders/42", "/a/b/", std::string_view()};
  for (const auto& vh : table.snapshot().virtual_hosts) {
    for (const std::string& domain : vh.domains) {
      std::string host = domain;
      if (host.starts_with("*")) host = "x" + host.substr(1);
      for (std::string_view path : paths) {
        std::string normal = "/";
        if (path.empty()) {
          auto n = archway::routing::normalize_path(input);
          if (!n.ok()) continue;
          normal = *n;
        } else {
          normal = std::string(path);
        }
        archway::routing::HeaderField header{"x-api-version", input.substr(0, 8)};
        const archway::routing::RequestHead head{
            "GET", host, normal, input.substr(0, 16), {&header, 1}};
        if (auto m = table.match(head)) {
          (void)archway::routing::rewrite_path(*m, normal);
          (void)archway::routing::pick_backend(*m->route, input.size());
        }
      }
    }
  }
}

void round_trip(const archway::config::ValidatedSnapshot& snapshot, std::string_view input) {
  auto table = RouteTable::compile(snapshot);
  check(table.ok());
  exercise_table(**table, input);
  const std::string json = archway::config::to_json(snapshot);
  auto again = archway::config::parse_snapshot_json(json);
  check(again.ok());
  check(again->snapshot() == snapshot.snapshot());
  check(archway::config::to_json(*again) == json);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto s = archway::config::parse_snapshot_json(text); s.ok()) round_trip(*s, text);
  if (auto s = archway::config::parse_snapshot_yaml(text); s.ok()) round_trip(*s, text);

  if (auto once = archway::routing::normalize_path(text); once.ok()) {
    auto twice = archway::routing::normalize_path(*once);
    check(twice.ok() && *twice == *once);
  }
  const std::string host = archway::routing::normalize_host(text);
  (void)archway::config::parse_duration(text);
  (void)host;
  return 0;
}
