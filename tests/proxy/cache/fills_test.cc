// Coalescing: one fill per key in flight, waiters answered or released.

#include "proxy/cache/fills.h"

#include <gtest/gtest.h>

namespace archway::cache {
namespace {

// Records what a waiter was called with.
struct Answer {
  int calls = 0;
  std::shared_ptr<const Entry> entry;

  Fills::Waiter waiter() {
    return [this](std::shared_ptr<const Entry> e) {
      ++calls;
      entry = std::move(e);
    };
  }
};

std::shared_ptr<const Entry> entry_with(std::string body) {
  auto e = std::make_shared<Entry>();
  e->body = std::move(body);
  return e;
}

TEST(Fills, TheFirstJoinerIsTheFiller) {
  Fills fills;
  Answer a, b;
  EXPECT_TRUE(fills.join("k", a.waiter()).filler);
  EXPECT_FALSE(fills.join("k", b.waiter()).filler);
  EXPECT_TRUE(fills.join("other", a.waiter()).filler);
  EXPECT_EQ(fills.waiting("k"), 1u);
  EXPECT_EQ(fills.in_flight(), 2u);
  EXPECT_EQ(a.calls, 0);  // the filler's waiter is never called
}

TEST(Fills, WaitersGetTheStoredEntry) {
  Fills fills;
  Answer filler, w1, w2;
  ASSERT_TRUE(fills.join("k", filler.waiter()).filler);
  ASSERT_FALSE(fills.join("k", w1.waiter()).filler);
  ASSERT_FALSE(fills.join("k", w2.waiter()).filler);
  fills.complete("k", entry_with("body"));
  for (Answer* w : {&w1, &w2}) {
    EXPECT_EQ(w->calls, 1);
    ASSERT_NE(w->entry, nullptr);
    EXPECT_EQ(w->entry->body, "body");
  }
  EXPECT_EQ(filler.calls, 0);
  EXPECT_EQ(fills.in_flight(), 0u);
}

TEST(Fills, NullptrReleasesWaitersToTheBackend) {
  Fills fills;
  Answer filler, w;
  ASSERT_TRUE(fills.join("k", filler.waiter()).filler);
  ASSERT_FALSE(fills.join("k", w.waiter()).filler);
  fills.complete("k", nullptr);
  EXPECT_EQ(w.calls, 1);
  EXPECT_EQ(w.entry, nullptr);
}

TEST(Fills, LeaveRemovesAWaiter) {
  Fills fills;
  Answer filler, gone, stays;
  ASSERT_TRUE(fills.join("k", filler.waiter()).filler);
  const auto g = fills.join("k", gone.waiter());
  ASSERT_FALSE(fills.join("k", stays.waiter()).filler);
  fills.leave("k", g.ticket);
  EXPECT_EQ(fills.waiting("k"), 1u);
  fills.complete("k", entry_with("x"));
  EXPECT_EQ(gone.calls, 0);
  EXPECT_EQ(stays.calls, 1);
  fills.leave("k", g.ticket);  // after the fill: nothing to do
}

TEST(Fills, CompleteWithNoWaiters) {
  Fills fills;
  Answer filler;
  ASSERT_TRUE(fills.join("k", filler.waiter()).filler);
  fills.complete("k", entry_with("x"));
  EXPECT_EQ(fills.in_flight(), 0u);
  fills.complete("k", nullptr);  // a second call with no fill in flight does nothing
  EXPECT_EQ(filler.calls, 0);
}

TEST(Fills, AJoinAfterCompleteStartsANewFill) {
  Fills fills;
  Answer first, old_waiter, second, new_waiter;
  ASSERT_TRUE(fills.join("k", first.waiter()).filler);
  ASSERT_FALSE(fills.join("k", old_waiter.waiter()).filler);
  fills.complete("k", nullptr);
  EXPECT_TRUE(fills.join("k", second.waiter()).filler);
  ASSERT_FALSE(fills.join("k", new_waiter.waiter()).filler);
  EXPECT_EQ(old_waiter.calls, 1);  // released once, not again
  fills.complete("k", entry_with("y"));
  EXPECT_EQ(old_waiter.calls, 1);
  EXPECT_EQ(new_waiter.calls, 1);
}

TEST(Fills, JoinWaitingOnlyWaitsOnAFillInFlight) {
  Fills fills;
  Answer head;
  EXPECT_FALSE(fills.join_waiting("k", head.waiter()));
  EXPECT_EQ(fills.in_flight(), 0u);  // and starts no fill
  Answer filler;
  ASSERT_TRUE(fills.join("k", filler.waiter()).filler);
  EXPECT_TRUE(fills.join_waiting("k", head.waiter()));
  fills.complete("k", entry_with("z"));
  EXPECT_EQ(head.calls, 1);
}

TEST(Fills, AWaiterMayJoinAgainFromItsCallback) {
  // A released waiter that goes to the backend may become the next filler
  // from inside the callback: complete() calls waiters outside its lock.
  Fills fills;
  Answer filler;
  bool became_filler = false;
  ASSERT_TRUE(fills.join("k", filler.waiter()).filler);
  ASSERT_FALSE(fills
                   .join("k",
                         [&](std::shared_ptr<const Entry> e) {
                           if (!e) became_filler = fills.join("k", nullptr).filler;
                         })
                   .filler);
  fills.complete("k", nullptr);
  EXPECT_TRUE(became_filler);
  EXPECT_EQ(fills.in_flight(), 1u);
}

}  // namespace
}  // namespace archway::cache
