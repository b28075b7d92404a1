#pragma once
// metav1.Condition bookkeeping for APIRoute status, pure (no I/O):
// lastTransitionTime moves only when a condition's status flips, conditions of
// types we do not own are kept (ours that apply only at times, JWKSReady, are
// removed when not desired), and the order of existing conditions is kept
// so that an unchanged status compares equal (and the write is skipped).

#include <vector>

#include <nlohmann/json.hpp>

#include "controller/k8s/time_format.h"
#include "controller/status/status_writer.h"

namespace archway::controller::status {

// `current`: status.conditions as read (null or an array). Returns the
// conditions to write.
[[nodiscard]] nlohmann::json merge_conditions(const nlohmann::json& current,
                                              const std::vector<Condition>& desired,
                                              int64_t observed_generation, k8s::TimePoint now);

}  // namespace archway::controller::status
