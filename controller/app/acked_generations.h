#pragma once
// Which generation of each object the proxy last ACKed, so that Programmed
// is per generation (docs/status.md): True only when an ACKed snapshot holds
// the object's current generation, whatever happened to later pushes (a
// failed or NACKed push leaves the previous snapshot live, and with it the
// generations it held). Used from the reconciler's thread only.

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
    served_.clear();
    for (const auto& v : result.verdicts) {
      if (v.served_generation > 0) served_[{v.kind, v.key}] = {v.uid, v.served_generation};
    }
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
};

}  // namespace archway::controller::app
