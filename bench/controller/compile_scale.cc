// Times each stage between "one object changed" and "the proxy serves it"
// at N APIRoutes + N Ingresses + N Services + 5N EndpointSlices (5 endpoints
// each), the objects shaped as the API server sends them (managedFields
// included). No API server and no sockets: it calls the same functions the
// controller and the proxy call, so a change to compile or to the push is
// judged in seconds. Usage: compile_scale [N] [repeats]
//
// Not a test: it prints figures and asserts nothing but that the stages
// succeed (bench/controller/run.sh is the end-to-end measure).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controller/compile/compile.h"
#include "proxy/config/snapshot_parser.h"
#include "proxy/exchange/table_context.h"

namespace {

using archway::controller::ClusterState;
using archway::controller::ObjectKey;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

json managed_fields(const char* manager) {
  // What `kubectl apply` leaves on every object: often larger than the spec.
  return json::array(
      {{{"manager", manager},
        {"operation", "Update"},
        {"apiVersion", "v1"},
        {"time", "2026-12-07T10:00:00Z"},
        {"fieldsType", "FieldsV1"},
        {"fieldsV1",
         {{"f:metadata", {{"f:labels", {{".", json::object()}}}}},
          {"f:spec", {{"f:rules", json::object()}, {"f:hostnames", json::object()}}}}}}});
}

json metadata(const std::string& ns, const std::string& name, int i, const char* manager) {
  return {{"namespace", ns},
          {"name", name},
          {"uid", "0000" + std::to_string(i) + "-uid-" + name},
          {"resourceVersion", std::to_string(1000 + i)},
          {"generation", 1},
          {"creationTimestamp", "2026-12-07T10:00:00Z"},
          {"managedFields", managed_fields(manager)}};
}

ClusterState synthesize(int n) {
  const std::string ns = "scale";
  ClusterState s;
  s.ingress_classes[ObjectKey{"", "archway"}] =
      json{{"apiVersion", "networking.k8s.io/v1"},
           {"kind", "IngressClass"},
           {"metadata", {{"name", "archway"}, {"uid", "ic"}, {"generation", 1}}},
           {"spec", {{"controller", "archway.dev/ingress-controller"}}}};
  for (int i = 0; i < n; ++i) {
    const std::string id = std::to_string(i);
    const std::string svc = "svc" + id;
    s.services[ObjectKey{ns, svc}] = json{
        {"apiVersion", "v1"},
        {"kind", "Service"},
        {"metadata", metadata(ns, svc, i, "kubectl")},
        {"spec",
         {{"clusterIP", "10.96." + std::to_string(i / 250) + "." + std::to_string(i % 250)},
          {"ports",
           json::array(
               {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}, {"targetPort", 8080}}})}}}};
    for (int j = 0; j < 5; ++j) {
      const std::string slice = svc + "-" + std::to_string(j);
      json endpoints = json::array();
      for (int e = 0; e < 5; ++e) {
        const int a = (i * 25) + (j * 5) + e;
        endpoints.push_back(
            {{"addresses",
              json::array({"10." + std::to_string((a >> 16) & 255) + "." +
                           std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255)})},
             {"conditions", {{"ready", true}, {"serving", true}, {"terminating", false}}},
             {"nodeName", "node-" + std::to_string(e)},
             {"targetRef",
              {{"kind", "Pod"},
               {"name", svc + "-pod-" + std::to_string(j * 5 + e)},
               {"namespace", ns},
               {"uid", "pod-uid-" + std::to_string(a)}}},
             {"zone", "zone-a"}});
      }
      json meta = metadata(ns, slice, i, "endpointslice-controller.k8s.io");
      meta["labels"] = {
          {"kubernetes.io/service-name", svc},
          {"endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io"}};
      s.endpoint_slices[ObjectKey{ns, slice}] =
          json{{"apiVersion", "discovery.k8s.io/v1"},
               {"kind", "EndpointSlice"},
               {"metadata", meta},
               {"addressType", "IPv4"},
               {"endpoints", endpoints},
               {"ports", json::array({{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}})}};
    }
    const std::string route = "r" + id;
    s.api_routes[ObjectKey{ns, route}] = json{
        {"apiVersion", "archway.dev/v1alpha1"},
        {"kind", "APIRoute"},
        {"metadata", metadata(ns, route, i, "kubectl")},
        {"spec",
         {{"hostnames", json::array({route + ".scale.example.com"})},
          {"rules",
           json::array(
               {{{"name", "v"},
                 {"matches", json::array({{{"path", {{"type", "PathPrefix"}, {"value", "/v"}}}}})},
                 {"directResponse", {{"status", 200}, {"body", "0"}}}},
                {{"name", "b"},
                 {"matches", json::array({{{"path", {{"type", "PathPrefix"}, {"value", "/"}}}}})},
                 {"backends", json::array({{{"name", svc}, {"port", 80}}})}}})}}}};
    const std::string ing = "i" + id;
    s.ingresses[ObjectKey{ns, ing}] = json{
        {"apiVersion", "networking.k8s.io/v1"},
        {"kind", "Ingress"},
        {"metadata", metadata(ns, ing, i, "kubectl")},
        {"spec",
         {{"ingressClassName", "archway"},
          {"rules",
           json::array(
               {{{"host", ing + ".scale.example.com"},
                 {"http",
                  {{"paths",
                    json::array(
                        {{{"path", "/"},
                          {"pathType", "Prefix"},
                          {"backend",
                           {{"service", {{"name", svc}, {"port", {{"number", 80}}}}}}}}})}}}}})}}}};
  }
  return s;
}

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::stoi(argv[1]) : 10000;
  const int repeats = argc > 2 ? std::stoi(argv[2]) : 3;
  const long rss_start = rss_kib();
  ClusterState state = synthesize(n);
  const long rss_state = rss_kib();
  archway::controller::compile::CompileOptions options;
  options.version = "bench";
  std::vector<double> copy_ms, compile_ms, cached_ms, unchecked_ms, json_ms, text_ms, parse_ms,
      table_ms;
  archway::controller::compile::TranslationCache cache;
  (void)archway::controller::compile::compile(state, options, {}, &cache);
  // The same compile without the proxy's validation of the whole snapshot:
  // what that check costs inside compile.
  auto unchecked = options;
  unchecked.check_snapshot = [](const archway::config::Snapshot&) -> archway::Result<void> {
    return {};
  };
  size_t bytes = 0;
  for (int r = 0; r < repeats; ++r) {
    // One object changes between rounds, as in the e2e bench.
    json changed = state.api_routes[ObjectKey{"scale", "r0"}].json();
    changed["spec"]["rules"][0]["directResponse"]["body"] = std::to_string(r);
    state.api_routes[ObjectKey{"scale", "r0"}] = std::move(changed);
    auto t = Clock::now();
    const ClusterState copy = state;
    copy_ms.push_back(ms_since(t));
    t = Clock::now();
    auto result = archway::controller::compile::compile(copy, options, {});
    compile_ms.push_back(ms_since(t));
    t = Clock::now();
    auto incremental = archway::controller::compile::compile(copy, options, {}, &cache);
    cached_ms.push_back(ms_since(t));
    if (archway::config::to_json(incremental.snapshot) !=
        archway::config::to_json(result.snapshot)) {
      std::fprintf(stderr, "the compile with the cache differs from the one without\n");
      return 1;
    }
    t = Clock::now();
    (void)archway::controller::compile::compile(copy, unchecked, {});
    unchecked_ms.push_back(ms_since(t));
    t = Clock::now();
    const std::string text = archway::config::to_json(result.snapshot);
    json_ms.push_back(ms_since(t));
    bytes = text.size();
    t = Clock::now();
    const json reparsed = json::parse(text);
    if (reparsed.is_null()) return 1;
    text_ms.push_back(ms_since(t));
    t = Clock::now();
    auto parsed = archway::config::parse_snapshot_json(text);
    parse_ms.push_back(ms_since(t));
    if (!parsed.ok()) {
      std::fprintf(stderr, "parse: %s\n", parsed.error().to_string().c_str());
      return 1;
    }
    t = Clock::now();
    auto table = archway::exchange::build_table_context(*parsed, 1);
    table_ms.push_back(ms_since(t));
    if (!table.ok()) {
      std::fprintf(stderr, "table: %s\n", table.error().to_string().c_str());
      return 1;
    }
    if (r == 0) {
      std::printf("objects %d+%d+%d: %zu virtual hosts, %zu clusters, snapshot %.1f MiB\n", n, n,
                  5 * n, result.snapshot.virtual_hosts.size(), result.snapshot.clusters.size(),
                  static_cast<double>(bytes) / (1 << 20));
    }
  }
  std::printf(
      "medians of %d (ms): state copy %.1f | compile %.1f (one object changed, with the "
      "translation cache: %.1f; without the proxy check %.1f) | to_json %.1f | JSON parse alone "
      "%.1f | proxy parse+validate %.1f | proxy table %.1f\n",
      repeats, median(copy_ms), median(compile_ms), median(cached_ms), median(unchecked_ms),
      median(json_ms), median(text_ms), median(parse_ms), median(table_ms));
  std::printf("RSS: %.1f MiB for the cluster state, %.1f MiB at the end\n",
              static_cast<double>(rss_state - rss_start) / 1024,
              static_cast<double>(rss_kib()) / 1024);
  return 0;
}
