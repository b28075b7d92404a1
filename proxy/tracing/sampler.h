#pragma once
// Head sampling: OpenTelemetry's ParentBased(TraceIdRatioBased(ratio)).
// A request that carries a valid traceparent follows its caller's sampled
// flag; a new trace is sampled when its id falls under the ratio, the same
// way for every process that sees that id (OpenTelemetry Go's
// TraceIDRatioBased: bytes 8..15 of the trace id, big-endian, shifted right
// by one, below ratio * 2^63). Pure and immutable: shared by every worker.

#include <cstdint>
#include <optional>

#include "proxy/tracing/trace_context.h"

namespace archway::tracing {

class Sampler {
 public:
  // `ratio` is clamped to [0, 1].
  explicit Sampler(double ratio);

  // TraceIdRatioBased alone.
  [[nodiscard]] bool sample_new(const TraceId& id) const;
  // ParentBased: the parent's sampled flag when there is a parent, else
  // sample_new(id).
  [[nodiscard]] bool decide(const std::optional<TraceParent>& parent, const TraceId& id) const;

  [[nodiscard]] double ratio() const { return ratio_; }

 private:
  double ratio_;
  uint64_t bound_;  // ratio * 2^63; every id is sampled at ratio 1
};

}  // namespace archway::tracing
