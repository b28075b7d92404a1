#include "proxy/resilience/endpoint_choice.h"

namespace archway::resilience {

size_t choose_endpoint(size_t picked, size_t endpoints, const OutlierDetector* outlier,
                       const HealthState* health, std::chrono::steady_clock::time_point now) {
  const bool ejecting = outlier != nullptr && outlier->ejecting(now);
  const bool unhealthy = health != nullptr && health->unhealthy_count() > 0;
  if (endpoints == 0 || (!ejecting && !unhealthy)) return picked;
  auto usable = [&](size_t i) {
    return !(ejecting && outlier->ejected(i, now)) && !(unhealthy && !health->healthy(i));
  };
  size_t count = 0;
  for (size_t i = 0; i < endpoints; ++i) count += usable(i) ? 1 : 0;
  if (count * 100 < kPanicUsablePercent * endpoints) return picked;  // panic: every endpoint
  for (size_t k = 0; k < endpoints; ++k) {
    const size_t i = (picked + k) % endpoints;
    if (usable(i)) return i;
  }
  return picked;
}

}  // namespace archway::resilience
