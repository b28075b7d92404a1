#pragma once
// Private to nginx_annotations/: the state that reads one Ingress's
// annotations (nginx_import.cc) and the sections that read them, one file
// each. The first bad value rejects the Ingress.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "controller/compile/nginx_annotations/annotation_values.h"
#include "controller/compile/nginx_annotations/nginx_import.h"

namespace archway::controller::compile::nginx {

struct Reader {
  const std::map<std::string, std::string>& all;  // short name → value
  Settings& out;
  std::set<std::string> used;  // short names read; the rest are classified
  std::optional<Problem> rejection;

  bool reject(const std::string& name, const std::string& message,
              Reason reason = Reason::kInvalidValue) {
    if (!rejection) {
      rejection =
          Problem{reason, "metadata.annotations[" + std::string(kPrefix) + name + "]: " + message};
    }
    return false;
  }

  // The value of `name`, marking it read; null when absent.
  const std::string* get(const std::string& name) {
    auto it = all.find(name);
    if (it == all.end()) return nullptr;
    used.insert(name);
    return &it->second;
  }

  // `name` read by `read_fn` into `into`; absent leaves `into` alone.
  template <typename T, typename ReadFn>
  bool read(const std::string& name, ReadFn read_fn, std::optional<T>& into) {
    const std::string* v = get(name);
    if (v == nullptr) return true;
    auto parsed = read_fn(*v);
    if (!parsed.ok()) return reject(name, parsed.error().message);
    into = std::move(*parsed);
    return true;
  }

  void not_honoured(const std::string& name) {
    out.not_honoured.push_back(std::string(kPrefix) + name);
  }
};

// Each returns false with the Reader's rejection set.
bool read_routing(Reader& r);     // routing_annotations.cc
bool read_backend(Reader& r);     // routing_annotations.cc
bool read_resilience(Reader& r);  // policy_annotations.cc: retries, rate limits, balancing
bool read_cors(Reader& r);        // policy_annotations.cc
bool read_canary(Reader& r);      // canary_annotations.cc

}  // namespace archway::controller::compile::nginx
