#pragma once
// Which generation of each object the proxy last ACKed, so that Programmed
// is per generation (docs/status.md): True only when an ACKed snapshot holds
// the object's current generation, whatever happened to later pushes (a
// failed or NACKed push leaves the previous snapshot live, and with it the
// generations it held). Used from the reconciler's thread only.

#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "controller/compile/compile.h"

namespace archway::controller::app {

class AckedGenerations {
 public:
  // The proxy ACKed the snapshot compiled as `result`: it now holds exactly
  // the generations `result` served.
  void acked(const compile::CompileResult& result) {
    any_ = true;
    served_.clear();
    for (const auto& v : result.verdicts) {
      if (v.served_generation > 0) served_[{v.kind, v.key}] = {v.uid, v.served_generation};
    }
  }
  // What a snapshot compiled as `result` would hold once ACKed.
  [[nodiscard]] static AckedGenerations of(const compile::CompileResult& result) {
    AckedGenerations g;
    g.acked(result);
    return g;
  }
  // Names exactly the generations held, so replicas can say what their proxy
  // serves in a few bytes (replicas/replica_report.h) and the leader can
  // look it up among the sets it compiled itself (GenerationHistory). "" when
  // nothing was ACKed. FNV-1a 64 over the sorted entries: not a security
  // boundary (every replica is ours), only a name.
  [[nodiscard]] std::string digest() const {
    if (served_.empty() && !any_) return "";
    uint64_t h = 1469598103934665603ull;
    auto mix = [&](const std::string& s) {
      for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
      h = (h ^ 0x1f) * 1099511628211ull;  // field separator
    };
    for (const auto& [id, held] : served_) {
      mix(std::get<0>(id));
      mix(std::get<1>(id).ns);
      mix(std::get<1>(id).name);
      mix(held.first);
      mix(std::to_string(held.second));
    }
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
    return out;
  }
  // True when an ACKed snapshot holds `v`'s current generation.
  [[nodiscard]] bool holds(const compile::ObjectVerdict& v) const { return holds(v, v.generation); }
  // True when an ACKed snapshot holds `generation` of `v`'s object.
  [[nodiscard]] bool holds(const compile::ObjectVerdict& v, int64_t generation) const {
    auto it = served_.find({v.kind, v.key});
    return it != served_.end() && it->second == std::make_pair(v.uid, generation);
  }

 private:
  // (kind, key) → (uid, generation) in the live snapshot.
  std::map<std::tuple<std::string, ObjectKey>, std::pair<std::string, int64_t>> served_;
  bool any_ = false;  // an (empty) snapshot was ACKed
};

// The generation sets this replica compiled lately, by digest: a peer's
// digest names one of them when it compiled the same objects (replicas see
// the same watch events; their debounced batches may differ, so a peer's
// intermediate set may be unknown here until both settle on the same one).
class GenerationHistory {
 public:
  static constexpr size_t kKept = 64;
  void add(AckedGenerations generations) {
    std::string digest = generations.digest();
    if (digest.empty() || by_digest_.count(digest) != 0) return;
    order_.push_back(digest);
    by_digest_.emplace(std::move(digest), std::move(generations));
    if (order_.size() > kKept) {
      by_digest_.erase(order_.front());
      order_.pop_front();
    }
  }
  [[nodiscard]] const AckedGenerations* find(const std::string& digest) const {
    const auto it = by_digest_.find(digest);
    return it == by_digest_.end() ? nullptr : &it->second;
  }

 private:
  std::deque<std::string> order_;
  std::map<std::string, AckedGenerations> by_digest_;
};

}  // namespace archway::controller::app
