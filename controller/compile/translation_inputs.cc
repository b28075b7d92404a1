#include "controller/compile/translation_inputs.h"

#include <algorithm>

namespace archway::controller::compile {
namespace {

// The one list of the kinds translation reads.
constexpr ObjectMap ClusterState::*kInputs[] = {&ClusterState::ingress_classes,
                                                &ClusterState::services, &ClusterState::secrets,
                                                &ClusterState::reference_grants};

bool same_objects(const ObjectMap& a, const ObjectMap& b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](const auto& x, const auto& y) {
           return x.first == y.first && x.second.same(y.second);
         });
}

}  // namespace

ClusterState translation_inputs(const ClusterState& state) {
  ClusterState inputs;
  for (auto member : kInputs) inputs.*member = state.*member;
  return inputs;
}

bool same_translation_inputs(const ClusterState& a, const ClusterState& b) {
  return std::all_of(std::begin(kInputs), std::end(kInputs),
                     [&](auto member) { return same_objects(a.*member, b.*member); });
}

}  // namespace archway::controller::compile
