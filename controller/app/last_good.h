#pragma once
// Last known good (DESIGN.md §1): the spec of the last generation of each
// APIRoute and Ingress that a proxy ACKed, so that an invalid new generation
// keeps the old one serving until the user fixes or deletes the object —
// across any number of pushes, controller restarts and leader changes.
//
// Two places hold it: this process's memory (filled on each ACK, so a
// replica that does not lead still has it) and the annotation
// `archway.dev/last-good` on the object itself, written by the leader after
// an ACK (so a restarted controller or a new leader finds it in the
// informer cache). The newer of the two serves. Pure apart from the memory
// it owns; used from the reconciler's thread only.

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "controller/app/acked_generations.h"
#include "controller/compile/compile.h"
#include "controller/model/cluster_state.h"

namespace archway::controller::app {

inline constexpr const char* kLastGoodAnnotation = "archway.dev/last-good";

// The annotation's value for `object` (its uid, generation and spec).
[[nodiscard]] std::string last_good_annotation(const nlohmann::json& object);

// The generation recorded in `object`'s annotation, 0 when there is none
// (or it names another uid, e.g. copied with the manifest to a new object).
[[nodiscard]] int64_t annotated_generation(const nlohmann::json& object);

// An annotation the leader should write: `object` is served at its current
// generation and its annotation names another one.
struct LastGoodWrite {
  std::string kind;  // APIRoute | Ingress
  ObjectKey key;
  std::string uid;
  int64_t generation = 0;
  std::string value;  // last_good_annotation(object)
};

class LastGood {
 public:
  // The last good objects compile reads: per object in `state`, the newest
  // of memory and annotation at a generation other than the current one.
  [[nodiscard]] compile::LastGoodObjects for_compile(const ClusterState& state) const;

  // After an ACK of the snapshot `result` was compiled from: remember each
  // object served at its current generation; forget deleted objects.
  void acked(const compile::CompileResult& result, const ClusterState& state);

 private:
  using Key = std::tuple<std::string, ObjectKey>;  // kind, key
  std::map<Key, nlohmann::json> memory_;           // the objects as they were ACKed
};

// The annotation writes for the objects whose served generation a proxy
// ACKed and whose annotation names an older one: the current generation,
// or the last good one (from `last_good`, what compile read) while it serves
// in place of an invalid current one, so that a generation only this
// process remembers is recorded even when the next one came too soon.
[[nodiscard]] std::vector<LastGoodWrite> last_good_writes(const compile::CompileResult& result,
                                                          const ClusterState& state,
                                                          const compile::LastGoodObjects& last_good,
                                                          const AckedGenerations& acked);

}  // namespace archway::controller::app
