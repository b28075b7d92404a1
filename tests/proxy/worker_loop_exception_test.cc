// An exception escaping a worker's handler is a bug (request paths return
// errors as values). The worker counts it in its stats (rendered as
// archway_worker_loop_exceptions_total) and keeps serving; under
// OnLoopException::kAbort (--abort-on-loop-exception, set by the e2e
// harness) the process ends, so a test cannot miss it.

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>

#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>

#include "proxy/metrics/prometheus.h"
#include "proxy/server/worker.h"

namespace archway::server {
namespace {

// The worker's stats, read on its own thread (as a scrape does).
metrics::StatsSnapshot stats_of(Worker& worker) {
  std::promise<metrics::StatsSnapshot> copy;
  auto future = copy.get_future();
  boost::asio::post(worker.io(), [&] { copy.set_value(worker.stats().snapshot()); });
  EXPECT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  return future.get();
}

TEST(WorkerLoopException, IsCountedInMetricsAndTheLoopGoesOn) {
  Worker worker(0);
  worker.start();
  boost::asio::post(worker.io(), [] { throw std::runtime_error("bug"); });
  boost::asio::post(worker.io(), [] { throw 42; });
  const auto stats = stats_of(worker);  // runs after both: the loop went on
  EXPECT_EQ(stats.worker_loop_exceptions, 2u);
  const std::string text = metrics::render_prometheus(stats, {});
  EXPECT_NE(text.find("archway_worker_loop_exceptions_total 2\n"), std::string::npos) << text;
}

TEST(WorkerLoopExceptionDeathTest, AbortsTheProcessUnderTests) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Worker worker(0, OnLoopException::kAbort);
        worker.start();
        boost::asio::post(worker.io(), [] { throw std::runtime_error("bug"); });
        // Bounded: the abort comes long before.
        std::this_thread::sleep_for(std::chrono::seconds(10));
      },
      "");
}

}  // namespace
}  // namespace archway::server
