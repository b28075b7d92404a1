#pragma once
// Global limits for one proxy process (docs/ratelimit.md "Global limits"):
// each key's lease (lease.h) decides locally while it has tokens; when it
// needs Redis, one call per key is in flight and the key's other requests
// wait for it. Redis calls run on the limiter's own thread (never a
// worker's); their answers come back through the callback each waiting
// request gave, on that thread, for the caller to post to its worker.
// When Redis cannot be reached the answer is kUnavailable, at once and
// without a call for a short while after a failure (one probe per
// interval finds Redis again), so every rule can apply its fallback. Leases
// that end unspent are handed back by a sweep every half lease, so a
// replica whose traffic stops strands no tokens for long.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "proxy/ratelimit/gcra.h"
#include "proxy/ratelimit/lease.h"
#include "proxy/ratelimit/redis_script.h"
#include "proxy/redis/client.h"

#include <boost/asio/steady_timer.hpp>

namespace archway::ratelimit {

struct GlobalLimiterOptions {
  redis::ClientOptions redis;
  LeasePolicy lease;
  size_t max_keys = 100'000;                // leases kept; idle ones go first
  int64_t probe_interval_ns = 250'000'000;  // after a failure: no call before this
};

// A Global limit as the filter compiled it: its identity (route, rule and
// numbers), its arithmetic, and the same in the script's ticks.
struct GlobalLimit {
  std::string id;
  GcraLimit gcra;
  ScriptLimit script;
};

struct GlobalAnswer {
  enum class Outcome { kAllow, kDeny, kUnavailable };
  Outcome outcome = Outcome::kAllow;
  int64_t retry_after_ns = 0;  // kDeny
  uint64_t remaining = 0;      // kAllow: this replica's lease plus Redis's last count (approximate)
};

struct GlobalLimiterStats {
  std::atomic<uint64_t> local_decisions{0};
  std::atomic<uint64_t> redis_calls{0};
  std::atomic<uint64_t> redis_errors{0};
  std::atomic<uint64_t> redis_latency_ns_total{0};
  std::atomic<bool> redis_up{true};
};

class GlobalLimiter {
 public:
  using Done = std::function<void(GlobalAnswer)>;

  explicit GlobalLimiter(GlobalLimiterOptions options);
  ~GlobalLimiter();  // stop()
  // Stops the Redis thread; answers not given by then never are. Called
  // before the workers stop, so no answer is posted to a loop that is gone.
  void stop();
  GlobalLimiter(const GlobalLimiter&) = delete;
  GlobalLimiter& operator=(const GlobalLimiter&) = delete;

  // The answer when the lease (or a known outage) decides; nullopt when
  // Redis must, and then `done` is called once, on the Redis thread. Any
  // thread.
  std::optional<GlobalAnswer> decide(const std::shared_ptr<const GlobalLimit>& limit,
                                     std::string_view key, int64_t now_ns, Done done);

  [[nodiscard]] const GlobalLimiterStats& stats() const { return stats_; }

 private:
  struct Entry {
    std::shared_ptr<const GlobalLimit> limit;
    std::string redis_key;  // bucket_redis_key of the limit and key, made once
    Lease lease;
    bool in_flight = false;
    std::vector<Done> waiters;  // the first one asked
    int64_t last_used_ns = 0;
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, Entry> entries;
  };
  static constexpr size_t kShards = 16;

  Shard& shard_for(std::string_view entry_key);
  void make_room(Shard& shard, int64_t now_ns);
  // Redis thread.
  void call(std::shared_ptr<const GlobalLimit> limit, std::string entry_key, std::string redis_key,
            uint64_t want, uint64_t give_back, int64_t asked_ns, bool loaded);
  void complete(const std::shared_ptr<const GlobalLimit>& limit, const std::string& entry_key,
                const Result<redis::Reply>& reply, int64_t asked_ns);
  void mark_redis(bool up, const std::string& why);
  // Redis thread, every half lease: hands back what ended leases did not
  // spend, so a replica whose traffic stopped strands no tokens.
  void sweep();
  void arm_sweep();

  const GlobalLimiterOptions options_;
  const size_t per_shard_;
  const std::string script_sha1_;
  std::array<Shard, kShards> shards_;
  std::atomic<int64_t> down_until_ns_{0};
  GlobalLimiterStats stats_;
  boost::asio::io_context io_;
  std::unique_ptr<redis::Client> client_;  // Redis thread only
  boost::asio::steady_timer sweep_timer_;
  std::thread thread_;
};

}  // namespace archway::ratelimit
