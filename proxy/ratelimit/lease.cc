#include "proxy/ratelimit/lease.h"

#include <algorithm>

namespace archway::ratelimit {

Lease::Verdict Lease::spend(int64_t now_ns) {
  if (tokens_ > 0 && now_ns < expires_ns_) {
    --tokens_;
    ++spent_;
    return Verdict::kAllow;
  }
  if (now_ns < denied_until_ns_) return Verdict::kDeny;
  return Verdict::kAskRedis;
}

uint64_t Lease::want(const LeasePolicy& policy, int64_t now_ns) const {
  uint64_t slice = policy.first_slice;
  if (last_slice_ > 0) {
    // Tokens the key spent per lease period, over the last slice's life
    // (at least a millisecond, so one burst does not read as infinite);
    // doubled so a growing rate is not always one call behind.
    const int64_t elapsed = std::max<int64_t>(now_ns - slice_start_ns_, 1'000'000);
    const double per_lease =
        static_cast<double>(spent_) * static_cast<double>(policy.lease_ns) / elapsed;
    slice = static_cast<uint64_t>(std::min(per_lease * 2 + 1, 1e18));
  }
  // Never more than a share of what is left, so other replicas find some;
  // at least one, so a replica can always ask for its own request.
  const uint64_t share = available_ == UINT64_MAX ? UINT64_MAX : available_ / policy.share_divisor;
  return std::clamp<uint64_t>(std::min(slice, share), 1, std::max<uint64_t>(policy.max_slice, 1));
}

uint64_t Lease::take_give_back(int64_t now_ns) {
  // An unexpired slice is only asked about when it is empty: nothing to
  // give back. An ended one hands back whatever it did not spend.
  if (now_ns < expires_ns_) return 0;
  const uint64_t unused = tokens_;
  tokens_ = 0;
  return unused;
}

void Lease::on_grant(const Grant& grant, int64_t asked_ns, const LeasePolicy& policy) {
  available_ = grant.available;
  last_slice_ = std::max<uint64_t>(grant.granted, 1);
  spent_ = 0;
  slice_start_ns_ = asked_ns;
  if (grant.granted == 0) {
    tokens_ = 0;
    retry_at_ns_ = asked_ns + std::max<int64_t>(grant.retry_after_ns, 1);
    denied_until_ns_ = asked_ns + std::clamp<int64_t>(grant.retry_after_ns, 1,
                                                      std::max<int64_t>(policy.max_deny_ns, 1));
    return;
  }
  denied_until_ns_ = 0;
  // One token of the grant is the asking request's own.
  tokens_ += grant.granted - 1;
  spent_ = 1;
  expires_ns_ = asked_ns + policy.lease_ns;
}

bool Lease::idle(int64_t now_ns) const {
  return tokens_ == 0 && now_ns >= denied_until_ns_ && now_ns >= expires_ns_;
}

}  // namespace archway::ratelimit
