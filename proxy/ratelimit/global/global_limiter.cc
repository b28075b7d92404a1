#include "proxy/ratelimit/global/global_limiter.h"

#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <chrono>

namespace archway::ratelimit {
namespace {

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string sha1_hex(std::string_view text) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char byte : digest) {
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 15]);
  }
  return out;
}

// The script's reply {granted, available, retry-after µs}, or nothing when
// it is not one (a Redis error reply included).
std::optional<Grant> read_grant(const redis::Reply& reply) {
  if (reply.type != redis::Reply::Type::kArray || reply.elements.size() != 3) return std::nullopt;
  for (const auto& e : reply.elements) {
    if (e.type != redis::Reply::Type::kInteger || e.integer < 0) return std::nullopt;
  }
  Grant g;
  g.granted = static_cast<uint64_t>(reply.elements[0].integer);
  g.available = static_cast<uint64_t>(reply.elements[1].integer);
  g.retry_after_ns = reply.elements[2].integer * 1000;
  return g;
}

}  // namespace

GlobalLimiter::GlobalLimiter(GlobalLimiterOptions options)
    : options_(std::move(options)),
      per_shard_(std::max<size_t>(options_.max_keys / kShards, 1)),
      script_sha1_(sha1_hex(kLeaseScript)),
      client_(std::make_unique<redis::Client>(io_, options_.redis)),
      sweep_timer_(io_) {
  arm_sweep();
  thread_ = std::thread([this] {
    auto work = boost::asio::make_work_guard(io_);
    io_.run();
  });
}

GlobalLimiter::~GlobalLimiter() { stop(); }

void GlobalLimiter::stop() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

GlobalLimiter::Shard& GlobalLimiter::shard_for(std::string_view entry_key) {
  return shards_[(std::hash<std::string_view>{}(entry_key) >> 56) % kShards];
}

void GlobalLimiter::make_room(Shard& shard, int64_t now_ns) {
  // Rare (only past the cap), so a sweep: idle leases first, then the
  // least recently used of those without a call in flight, down to 90 %.
  const size_t target = per_shard_ - per_shard_ / 10;
  for (auto it = shard.entries.begin(); it != shard.entries.end();) {
    const bool drop = !it->second.in_flight && it->second.lease.idle(now_ns);
    it = drop ? shard.entries.erase(it) : std::next(it);
  }
  while (shard.entries.size() > target) {
    auto oldest = shard.entries.end();
    for (auto it = shard.entries.begin(); it != shard.entries.end(); ++it) {
      if (!it->second.in_flight && (oldest == shard.entries.end() ||
                                    it->second.last_used_ns < oldest->second.last_used_ns)) {
        oldest = it;
      }
    }
    if (oldest == shard.entries.end()) return;  // everything waits on Redis
    // Its unspent tokens are lost until its Redis bucket refills: fewer
    // requests pass, never more.
    shard.entries.erase(oldest);
  }
}

std::optional<GlobalAnswer> GlobalLimiter::decide(const std::shared_ptr<const GlobalLimit>& limit,
                                                  std::string_view key, int64_t now_ns, Done done) {
  std::string entry_key;
  entry_key.reserve(limit->id.size() + 1 + key.size());
  entry_key.append(limit->id).push_back('\0');
  entry_key.append(key);
  Shard& shard = shard_for(entry_key);
  uint64_t want = 0;
  uint64_t give_back = 0;
  std::string redis_key;
  {
    std::lock_guard lock(shard.mutex);
    auto it = shard.entries.find(entry_key);
    if (it == shard.entries.end()) {
      if (shard.entries.size() >= per_shard_) make_room(shard, now_ns);
      it = shard.entries.emplace(entry_key, Entry{}).first;
      it->second.limit = limit;
      it->second.redis_key = bucket_redis_key(limit->id, key);
    }
    Entry& e = it->second;
    e.last_used_ns = now_ns;
    switch (e.lease.spend(now_ns)) {
      case Lease::Verdict::kAllow:
        stats_.local_decisions.fetch_add(1, std::memory_order_relaxed);
        return GlobalAnswer{GlobalAnswer::Outcome::kAllow, 0, e.lease.tokens()};
      case Lease::Verdict::kDeny:
        stats_.local_decisions.fetch_add(1, std::memory_order_relaxed);
        return GlobalAnswer{GlobalAnswer::Outcome::kDeny,
                            std::max<int64_t>(e.lease.retry_at_ns() - now_ns, 1), 0};
      case Lease::Verdict::kAskRedis:
        break;
    }
    if (steady_ns() < down_until_ns_.load(std::memory_order_relaxed)) {
      return GlobalAnswer{GlobalAnswer::Outcome::kUnavailable, 0, 0};
    }
    e.waiters.push_back(std::move(done));
    if (e.in_flight) return std::nullopt;
    e.in_flight = true;
    want = e.lease.want(options_.lease, now_ns);
    give_back = e.lease.take_give_back(now_ns);
    redis_key = e.redis_key;
  }
  boost::asio::post(io_, [this, limit, entry_key = std::move(entry_key),
                          redis_key = std::move(redis_key), want, give_back, now_ns]() mutable {
    call(std::move(limit), std::move(entry_key), std::move(redis_key), want, give_back, now_ns,
         true);
  });
  return std::nullopt;
}

void GlobalLimiter::call(std::shared_ptr<const GlobalLimit> limit, std::string entry_key,
                         std::string redis_key, uint64_t want, uint64_t give_back, int64_t asked_ns,
                         bool loaded) {
  stats_.redis_calls.fetch_add(1, std::memory_order_relaxed);
  // EVALSHA first; a Redis that has not seen the script (a restart, a new
  // cluster node) answers NOSCRIPT and gets it whole once.
  std::vector<std::string> args = {loaded ? "EVALSHA" : "EVAL",
                                   loaded ? script_sha1_ : std::string(kLeaseScript), "1",
                                   redis_key};
  for (auto& a : lease_script_args(limit->script, want, give_back)) args.push_back(std::move(a));
  const int64_t started = steady_ns();
  client_->send(
      redis_key, std::move(args),
      [this, limit, entry_key, redis_key, want, give_back, asked_ns, loaded,
       started](Result<redis::Reply> reply) mutable {
        if (loaded && reply.ok() && reply->is_error() && reply->text.rfind("NOSCRIPT", 0) == 0) {
          return call(std::move(limit), std::move(entry_key), std::move(redis_key), want, give_back,
                      asked_ns, false);
        }
        stats_.redis_latency_ns_total.fetch_add(static_cast<uint64_t>(steady_ns() - started),
                                                std::memory_order_relaxed);
        complete(limit, entry_key, reply, asked_ns);
      });
}

void GlobalLimiter::complete(const std::shared_ptr<const GlobalLimit>& limit,
                             const std::string& entry_key, const Result<redis::Reply>& reply,
                             int64_t asked_ns) {
  std::optional<Grant> grant;
  std::string why;
  if (!reply.ok()) {
    why = reply.error().message;
  } else if (grant = read_grant(*reply); !grant) {
    why = reply->is_error() ? "redis: " + reply->text : "redis: an answer that is not a lease";
  }
  mark_redis(grant.has_value(), why);

  std::vector<std::pair<Done, GlobalAnswer>> answers;
  bool ask_again = false;
  std::string redis_key;
  uint64_t want = 0;
  uint64_t give_back = 0;
  Shard& shard = shard_for(entry_key);
  {
    std::lock_guard lock(shard.mutex);
    const auto it = shard.entries.find(entry_key);
    if (it == shard.entries.end()) return;  // cannot happen: in-flight entries are kept
    Entry& e = it->second;
    std::vector<Done> waiters;
    waiters.swap(e.waiters);
    e.in_flight = false;
    if (!grant) {
      for (Done& d : waiters) {
        answers.emplace_back(std::move(d), GlobalAnswer{GlobalAnswer::Outcome::kUnavailable});
      }
    } else {
      e.lease.on_grant(*grant, asked_ns, options_.lease);
      const uint64_t remaining = e.lease.tokens() + grant->available;
      answers.emplace_back(
          std::move(waiters.front()),
          grant->granted > 0
              ? GlobalAnswer{GlobalAnswer::Outcome::kAllow, 0, remaining}
              : GlobalAnswer{GlobalAnswer::Outcome::kDeny, grant->retry_after_ns, 0});
      // The others spend from the new slice; the first that finds it empty
      // asks again, and those after it wait for that answer.
      for (size_t i = 1; i < waiters.size(); ++i) {
        if (ask_again) {
          e.waiters.push_back(std::move(waiters[i]));
          continue;
        }
        switch (e.lease.spend(asked_ns)) {
          case Lease::Verdict::kAllow:
            answers.emplace_back(std::move(waiters[i]),
                                 GlobalAnswer{GlobalAnswer::Outcome::kAllow, 0, e.lease.tokens()});
            break;
          case Lease::Verdict::kDeny:
            answers.emplace_back(
                std::move(waiters[i]),
                GlobalAnswer{GlobalAnswer::Outcome::kDeny,
                             std::max<int64_t>(e.lease.retry_at_ns() - asked_ns, 1), 0});
            break;
          case Lease::Verdict::kAskRedis:
            ask_again = true;
            e.in_flight = true;
            e.waiters.push_back(std::move(waiters[i]));
            want = e.lease.want(options_.lease, asked_ns);
            give_back = e.lease.take_give_back(asked_ns);
            redis_key = e.redis_key;
            break;
        }
      }
    }
  }
  for (auto& [done, answer] : answers) done(answer);
  if (ask_again) call(limit, entry_key, std::move(redis_key), want, give_back, asked_ns, true);
}

void GlobalLimiter::arm_sweep() {
  sweep_timer_.expires_after(std::chrono::nanoseconds(options_.lease.lease_ns / 2));
  sweep_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    sweep();
    arm_sweep();
  });
}

void GlobalLimiter::sweep() {
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  for (Shard& shard : shards_) {
    std::vector<std::tuple<std::shared_ptr<const GlobalLimit>, std::string, uint64_t>> returns;
    {
      std::lock_guard lock(shard.mutex);
      for (auto& entry : shard.entries) {
        Entry& e = entry.second;
        if (e.in_flight || e.lease.tokens() == 0) continue;
        if (const uint64_t back = e.lease.take_give_back(now_ns); back > 0) {
          returns.emplace_back(e.limit, e.redis_key, back);
        }
      }
    }
    // Fire and forget: a return that fails leaves the tokens to refill.
    for (auto& [limit, redis_key, back] : returns) {
      std::vector<std::string> args = {"EVAL", std::string(kLeaseScript), "1", redis_key};
      for (auto& a : lease_script_args(limit->script, 0, back)) args.push_back(std::move(a));
      client_->send(redis_key, std::move(args), [](Result<redis::Reply>) {});
    }
  }
}

void GlobalLimiter::mark_redis(bool up, const std::string& why) {
  if (!up) {
    stats_.redis_errors.fetch_add(1, std::memory_order_relaxed);
    down_until_ns_.store(steady_ns() + options_.probe_interval_ns, std::memory_order_relaxed);
  }
  // One log line per change of state, not one per failed call.
  if (stats_.redis_up.exchange(up) != up) {
    if (up) {
      spdlog::info("rate limits: Redis reachable again; Global limits shared across replicas");
    } else {
      spdlog::warn("rate limits: Redis unreachable ({}); Global limits use their fallback", why);
    }
  }
}

}  // namespace archway::ratelimit
