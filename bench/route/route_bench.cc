// Route-table benchmark (docs/routing.md "Performance"): for tables of 1k,
// 10k and 100k routes of a realistic mix (many hosts, prefixes, templates,
// some regexes and header matches) it prints
//   - match time per lookup: median of 5 runs over a fixed mix of hits and
//     misses (ns/op);
//   - RSS growth from compiling the table (/proc/self/statm);
//   - time to parse the snapshot's JSON, to validate it, and to compile it
//     (compile includes its own validation).
// Targets: match < 1 µs at 10k routes, 10k compile < 50 ms.
//
// Usage: route_bench [sizes...]   (default: 1000 10000 100000)

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "proxy/config/snapshot_parser.h"
#include "proxy/routing/route_table.h"

namespace {

using archway::config::Match;
using archway::config::PathMatchType;
using archway::config::Route;
using archway::config::Snapshot;
using archway::config::VirtualHost;
using archway::routing::HeaderField;
using archway::routing::RequestHead;
using archway::routing::RouteTable;
using Clock = std::chrono::steady_clock;

constexpr size_t kRoutesPerHost = 50;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

long rss_kib() {
  std::ifstream statm("/proc/self/statm");
  long size = 0;
  long resident = 0;
  statm >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// Route j of host h; the kind cycles so every host has every kind:
// 40 % PathPrefix, 24 % Template, 20 % Exact, 6 % RegularExpression,
// 10 % PathPrefix with a header match.
Route make_route(size_t h, size_t j) {
  Route r;
  r.name = "ns" + std::to_string(h) + "/route/" + std::to_string(j);
  r.backends = {{"c" + std::to_string(h % 100), 1}};
  Match m;
  const std::string base = "/api/v" + std::to_string(j % 3 + 1) + "/res" + std::to_string(j);
  switch (j % 50) {
    case 0: case 1: case 2:
      m.path = {PathMatchType::kRegularExpression, "/regex/res" + std::to_string(j) + "/[0-9]+"};
      break;
    case 3: case 4: case 5: case 6: case 7:
      m.path = {PathMatchType::kPathPrefix, base};
      m.headers = {{"x-tenant", archway::config::ValueMatchType::kExact, "t" + std::to_string(j)}};
      break;
    default:
      if (j % 5 < 2) {
        m.path = {PathMatchType::kPathPrefix, base};
      } else if (j % 5 == 2) {
        m.path = {PathMatchType::kExact, base + "/status"};
      } else {
        m.path = {PathMatchType::kTemplate, base + "/{id}" + (j % 5 == 4 ? "/items/{item}" : "")};
      }
  }
  r.matches.push_back(std::move(m));
  return r;
}

Snapshot make_snapshot(size_t routes) {
  Snapshot s;
  s.version = "bench-" + std::to_string(routes);
  for (size_t c = 0; c < 100; ++c) {
    archway::config::Cluster cluster;
    cluster.name = "c" + std::to_string(c);
    cluster.endpoints = {{"10.0." + std::to_string(c) + ".1", 8080}};
    s.clusters.push_back(std::move(cluster));
  }
  const size_t hosts = std::max<size_t>(1, routes / kRoutesPerHost);
  for (size_t h = 0; h < hosts; ++h) {
    VirtualHost vh;
    vh.name = "vh" + std::to_string(h);
    // Every 10th host is a wildcard tenant host.
    vh.domains = {h % 10 == 9 ? "*.tenant" + std::to_string(h) + ".example.org"
                              : "svc" + std::to_string(h) + ".example.com"};
    for (size_t j = 0; j < kRoutesPerHost && s.virtual_hosts.size() * kRoutesPerHost + j < routes;
         ++j) {
      vh.routes.push_back(make_route(h, j));
    }
    s.virtual_hosts.push_back(std::move(vh));
  }
  return s;
}

struct Lookup {
  std::string host;
  std::string path;
  std::vector<HeaderField> headers;
};

// 80 % requests for existing routes of every kind, 20 % misses (unknown host,
// unknown path on a known host).
std::vector<Lookup> make_lookups(const Snapshot& s, size_t count) {
  std::mt19937_64 rng(42);
  std::vector<Lookup> out;
  out.reserve(count);
  static const HeaderField kTenant{"x-tenant", "t5"};
  for (size_t i = 0; i < count; ++i) {
    const size_t h = rng() % s.virtual_hosts.size();
    const VirtualHost& vh = s.virtual_hosts[h];
    Lookup l;
    l.host = vh.domains[0].starts_with("*.") ? "www" + vh.domains[0].substr(1) : vh.domains[0];
    const size_t j = rng() % vh.routes.size();
    const std::string base = "/api/v" + std::to_string(j % 3 + 1) + "/res" + std::to_string(j);
    switch (rng() % 10) {
      case 0: l.host = "unknown" + std::to_string(i) + ".example.net"; l.path = base; break;
      case 1: l.path = "/nothing/here/" + std::to_string(i); break;
      case 2: l.path = "/regex/res" + std::to_string(j) + "/" + std::to_string(i); break;
      case 3: l.path = base + "/status"; break;
      case 4: l.path = base + "/" + std::to_string(i); break;
      case 5: l.path = base + "/" + std::to_string(i) + "/items/9"; break;
      case 6: l.path = base; l.headers = {kTenant}; break;
      default: l.path = base + "/deeper/path/x"; break;
    }
    out.push_back(std::move(l));
  }
  return out;
}

double median_ns_per_match(const RouteTable& table, const std::vector<Lookup>& lookups,
                           size_t* hits) {
  std::vector<double> runs;
  for (int run = 0; run < 5; ++run) {
    size_t found = 0;
    const auto start = Clock::now();
    for (const Lookup& l : lookups) {
      const RequestHead head{"GET", l.host, l.path, "", l.headers};
      found += table.match(head).has_value() ? 1 : 0;
    }
    runs.push_back(ms_since(start) * 1e6 / static_cast<double>(lookups.size()));
    *hits = found;
  }
  std::sort(runs.begin(), runs.end());
  return runs[runs.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<size_t> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::strtoul(argv[i], nullptr, 10));
  if (sizes.empty()) sizes = {1000, 10000, 100000};

  std::printf("%8s %7s %10s %10s %11s %11s %9s %11s %6s\n", "routes", "hosts", "json_KiB",
              "parse_ms", "validate_ms", "compile_ms", "rss_KiB", "match_ns/op", "hit%");
  for (size_t n : sizes) {
    const Snapshot built = make_snapshot(n);
    const std::string json = archway::config::to_json(built);

    auto start = Clock::now();
    auto parsed = archway::config::parse_snapshot_json(json);
    const double parse_ms = ms_since(start);
    if (!parsed.ok()) {
      std::fprintf(stderr, "parse: %s\n", parsed.error().to_string().c_str());
      return 1;
    }
    start = Clock::now();
    if (auto v = archway::config::validate_snapshot(*parsed); !v.ok()) return 1;
    const double validate_ms = ms_since(start);

    const long rss_before = rss_kib();
    start = Clock::now();
    auto table = RouteTable::compile(*parsed);
    const double compile_ms = ms_since(start);
    const long rss_delta = rss_kib() - rss_before;
    if (!table.ok()) {
      std::fprintf(stderr, "compile: %s\n", table.error().to_string().c_str());
      return 1;
    }
    const auto lookups = make_lookups(*parsed, 200000);
    size_t hits = 0;
    const double ns = median_ns_per_match(**table, lookups, &hits);
    std::printf("%8zu %7zu %10zu %10.1f %11.1f %11.1f %9ld %11.0f %5.0f%%\n", (*table)->size(),
                parsed->virtual_hosts.size(), json.size() / 1024, parse_ms, validate_ms,
                compile_ms, rss_delta, ns,
                100.0 * static_cast<double>(hits) / static_cast<double>(lookups.size()));
  }
  return 0;
}
