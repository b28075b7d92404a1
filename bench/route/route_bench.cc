// Route-table benchmark (docs/routing.md "Performance"): for tables of 1k,
// 10k and 100k routes of a realistic mix (many hosts, prefixes, templates,
// some regexes and header matches) it prints
//   - match time per lookup: median of 5 runs over a fixed mix of hits and
//     misses (ns/op);
//   - memory of the compiled table: heap bytes in use (mallinfo2) and RSS
//     growth (/proc/self/statm; 0 when malloc reuses memory freed earlier);
//   - time to parse the snapshot's JSON, to validate it, and to compile it
//     (compile includes its own validation).
// Targets: match < 1 µs at 10k routes, 10k compile < 50 ms.
//
// Usage: route_bench [sizes...]   (default: 1000 10000 100000)
//        route_bench --snapshot N    writes the N-route snapshot (JSON) to stdout,
//                                    e.g. for archway-proxy --config (RSS check)

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
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

constexpr size_t kRoutesPerHost = 50;

// CPU time of this thread, not wall time: benchmarks here share cores with
// builds, and a descheduled thread is not a slow route table.
struct Clock {
  using time_point = double;  // milliseconds
  static time_point now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
  }
};

double ms_since(Clock::time_point start) { return Clock::now() - start; }

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
    case 0:
    case 1:
    case 2:
      m.path = {PathMatchType::kRegularExpression, "/regex/res" + std::to_string(j) + "/[0-9]+"};
      break;
    case 3:
    case 4:
    case 5:
    case 6:
    case 7:
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
  std::vector<HeaderField> headers;  // views into the snapshot
};

// 80 % requests that hit a route (of whichever kind the route is), 20 %
// misses (unknown host, unknown path on a known host).
std::vector<Lookup> make_lookups(const Snapshot& s, size_t count) {
  std::mt19937_64 rng(42);
  std::vector<Lookup> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const VirtualHost& vh = s.virtual_hosts[rng() % s.virtual_hosts.size()];
    Lookup l;
    l.host = vh.domains[0].starts_with("*.") ? "www" + vh.domains[0].substr(1) : vh.domains[0];
    const Match& m = vh.routes[rng() % vh.routes.size()].matches[0];
    const std::string n = std::to_string(rng() % 100000);
    switch (rng() % 10) {
      case 0:
        l.host = "unknown" + n + ".example.net";
        l.path = m.path.value;
        out.push_back(std::move(l));
        continue;
      case 1:
        l.path = "/nothing/here/" + n;
        out.push_back(std::move(l));
        continue;
      default:
        break;
    }
    switch (m.path.type) {
      case PathMatchType::kExact:
        l.path = m.path.value;
        break;
      case PathMatchType::kPathPrefix:
        l.path = m.path.value + "/deeper/x" + n;
        break;
      case PathMatchType::kRegularExpression:
        l.path = m.path.value.substr(0, m.path.value.size() - 6) + n;  // strip "[0-9]+"
        break;
      case PathMatchType::kTemplate: {
        l.path = m.path.value;
        for (size_t at; (at = l.path.find('{')) != std::string::npos;) {
          l.path.replace(at, l.path.find('}', at) - at + 1, n);
        }
        break;
      }
    }
    for (const auto& h : m.headers) l.headers.push_back({h.name, h.value});
    out.push_back(std::move(l));
  }
  return out;
}

// table == nullptr: the baseline, reading each request's bytes (hashing
// host and path) without matching. The lookups are 200k heap strings, cold in
// cache, unlike a request the codec has just parsed; the baseline shows what
// that alone costs so the match figure can be read net of it.
double median_ns_per_match(const RouteTable* table, const std::vector<Lookup>& lookups,
                           size_t* hits) {
  std::vector<double> runs;
  for (int run = 0; run < 5; ++run) {
    size_t found = 0;
    const auto start = Clock::now();
    for (const Lookup& l : lookups) {
      if (table == nullptr) {
        found += (std::hash<std::string>{}(l.host) ^ std::hash<std::string>{}(l.path)) & 1;
        continue;
      }
      const RequestHead head{"GET", l.host, l.path, "", l.headers};
      found += table->match(head).has_value() ? 1 : 0;
    }
    runs.push_back(ms_since(start) * 1e6 / static_cast<double>(lookups.size()));
    *hits = found;
  }
  std::sort(runs.begin(), runs.end());
  return runs[runs.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string_view(argv[1]) == "--snapshot") {
    const std::string json =
        archway::config::to_json(make_snapshot(std::strtoul(argv[2], nullptr, 10)));
    std::fwrite(json.data(), 1, json.size(), stdout);
    return 0;
  }
  std::vector<size_t> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::strtoul(argv[i], nullptr, 10));
  if (sizes.empty()) sizes = {1000, 10000, 100000};

  std::printf("%8s %7s %9s %9s %11s %10s %9s %8s %11s %11s %5s\n", "routes", "hosts", "json_KiB",
              "parse_ms", "validate_ms", "compile_ms", "heap_KiB", "rss_KiB", "match_ns/op",
              "read_ns/op", "hit%");
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
    const size_t heap_before = mallinfo2().uordblks;
    start = Clock::now();
    auto table = RouteTable::compile(*parsed);
    const double compile_ms = ms_since(start);
    const long rss_delta = rss_kib() - rss_before;
    const long heap_kib = static_cast<long>(mallinfo2().uordblks - heap_before) / 1024;
    if (!table.ok()) {
      std::fprintf(stderr, "compile: %s\n", table.error().to_string().c_str());
      return 1;
    }
    const auto lookups = make_lookups(*parsed, 200000);
    size_t hits = 0;
    const double ns = median_ns_per_match(table->get(), lookups, &hits);
    size_t ignored = 0;
    const double read_ns = median_ns_per_match(nullptr, lookups, &ignored);
    std::printf("%8zu %7zu %9zu %9.1f %11.1f %10.1f %9ld %8ld %11.0f %11.0f %4.0f%%\n",
                (*table)->size(), (*parsed)->virtual_hosts.size(), json.size() / 1024, parse_ms,
                validate_ms, compile_ms, heap_kib, rss_delta, ns, read_ns,
                100.0 * static_cast<double>(hits) / static_cast<double>(lookups.size()));
  }
  return 0;
}
