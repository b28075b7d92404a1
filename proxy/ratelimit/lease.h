#pragma once
// A replica's share of a Global limit (docs/ratelimit.md "Global limits"):
// Redis holds each bucket; a replica takes tokens from it in slices
// (leases) with one atomic script call and spends them locally, so almost
// every request is decided without a round trip. What a replica does not
// spend before its lease ends goes back. A lease is sized from the key's
// recent rate and never more than a quarter of what Redis has left, so as
// the bucket runs low the slices shrink to one token and every decision
// becomes Redis's own: replicas can hold back budget for a moment, never
// hand out more than the bucket has. Pure: every `now` is a parameter; the
// caller owns the locking and the Redis calls.

#include <cstdint>

namespace archway::ratelimit {

struct LeasePolicy {
  int64_t lease_ns = 1'000'000'000;  // how long a slice may be spent
  uint64_t first_slice = 8;          // a key with no history yet
  uint64_t max_slice = 100'000;
  uint64_t share_divisor = 4;  // a slice is at most 1/divisor of what Redis has left
  // How long an empty bucket is believed without asking again: other
  // replicas may hand tokens back before the next one refills.
  int64_t max_deny_ns = 100'000'000;
};

// What Redis answered to one lease call (the script's reply).
struct Grant {
  uint64_t granted = 0;        // tokens now this replica's
  uint64_t available = 0;      // tokens left in the bucket after the grant
  int64_t retry_after_ns = 0;  // granted == 0: when the bucket has a token again
};

class Lease {
 public:
  enum class Verdict {
    kAllow,     // a token of the current slice was spent
    kDeny,      // Redis said the bucket is empty, and it still is
    kAskRedis,  // no slice: call Redis with want() and give_back()
  };

  // One request at `now`.
  Verdict spend(int64_t now_ns);
  // The call to make on kAskRedis: tokens to ask for, and the unspent
  // tokens of an ended slice to hand back in the same call (taken out of
  // this lease by the call).
  [[nodiscard]] uint64_t want(const LeasePolicy& policy, int64_t now_ns) const;
  uint64_t take_give_back(int64_t now_ns);
  // Redis's answer for the call made at `asked_ns`.
  void on_grant(const Grant& grant, int64_t asked_ns, const LeasePolicy& policy);

  [[nodiscard]] uint64_t tokens() const { return tokens_; }
  [[nodiscard]] int64_t denied_until_ns() const { return denied_until_ns_; }
  // When Redis said its next token comes (what a refused client is told).
  [[nodiscard]] int64_t retry_at_ns() const { return retry_at_ns_; }
  // Whether there is nothing to hand back and nothing to remember: an
  // entry a table may drop.
  [[nodiscard]] bool idle(int64_t now_ns) const;

 private:
  uint64_t tokens_ = 0;
  int64_t expires_ns_ = 0;
  int64_t denied_until_ns_ = 0;
  int64_t retry_at_ns_ = 0;
  uint64_t available_ = UINT64_MAX;  // Redis's budget at the last answer (unknown: no cap)
  // The key's rate over the last slice: tokens spent since it started.
  uint64_t spent_ = 0;
  int64_t slice_start_ns_ = 0;
  uint64_t last_slice_ = 0;
};

}  // namespace archway::ratelimit
