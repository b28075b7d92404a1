#pragma once
// Which endpoint takes a request once the balancer has picked one
// (docs/resilience.md "Health checks" and "Outlier detection"): an endpoint
// is usable when outlier detection has not ejected it and its health check
// (if any) calls it healthy. The pick stands when usable; otherwise the
// next usable endpoint in the cluster's order takes the request. When
// fewer than 50 % of the endpoints are usable the cluster is in panic and
// the pick stands whatever its state: sending everything to a few
// survivors would overload them, and a cluster mostly out is more likely
// a shared problem than a few bad endpoints.
//
// Cost on a healthy cluster: one relaxed load per mechanism the cluster
// has (the outlier detector's latest ejection end, the health state's
// unhealthy count), nothing for one it does not have. Thread: any.

#include <chrono>
#include <cstddef>

#include "proxy/resilience/health_state.h"
#include "proxy/resilience/outlier_detector.h"

namespace archway::resilience {

// Below this share of usable endpoints, every endpoint takes traffic.
inline constexpr uint32_t kPanicUsablePercent = OutlierDetector::kPanicHealthyPercent;

// `picked` in [0, endpoints); either pointer may be null (mechanism off).
[[nodiscard]] size_t choose_endpoint(size_t picked, size_t endpoints,
                                     const OutlierDetector* outlier, const HealthState* health,
                                     std::chrono::steady_clock::time_point now);

}  // namespace archway::resilience
