#pragma once
// The guard between compile and push (DESIGN.md §1 "one bad object never
// breaks the others"): the snapshot is checked with the proxy's own
// validator before it is pushed, and an object whose output the validator
// refuses is left out with Accepted=False reason=InvalidForProxy and the
// validator's message, instead of having the proxy NACK the whole snapshot
// (which would freeze every other object at its previous version). The one
// place the controller calls the proxy's validator. Pure.

#include <functional>
#include <optional>
#include <string>

#include "common/result.h"
#include "proxy/config/snapshot.h"

namespace archway::controller::compile {

// Judges a whole snapshot the way the proxy's PUT /config does.
using SnapshotCheck = std::function<Result<void>(const config::Snapshot&)>;

// The proxy's validator (config::validate_snapshot); it requires a version.
[[nodiscard]] Result<void> proxy_validates(const config::Snapshot& snapshot);

// `error`, with a leading `virtualHosts[i].routes[j]` replaced by the route's
// name, so the message still means something outside `snapshot` (which held
// only one object's output when it was checked).
[[nodiscard]] std::string describe_refusal(const config::Snapshot& snapshot, const Error& error);

}  // namespace archway::controller::compile
