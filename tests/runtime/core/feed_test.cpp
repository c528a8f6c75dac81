#include "core/feed.h"

#include <gtest/gtest.h>

#include <thread>

namespace ws {
namespace {

TEST(Feed, DeliversInOrderAndWakesTheSessionOnce) {
  Feed feed(8);
  std::deque<std::string> batch;
  int wakes = 0;
  EXPECT_TRUE(feed.take(batch, [&] { ++wakes; })) << "open and empty: the waker is kept";
  EXPECT_TRUE(batch.empty());
  EXPECT_TRUE(feed.push("a"));
  EXPECT_TRUE(feed.push("b"));
  EXPECT_EQ(wakes, 1) << "called once, then forgotten";
  EXPECT_TRUE(feed.take(batch, nullptr));
  EXPECT_EQ(batch, (std::deque<std::string>{"a", "b"}));
}

TEST(Feed, AClientThatFallsBehindIsDroppedAfterWhatIsQueued) {
  Feed feed(3);
  for (const char* m : {"1", "2", "3"}) EXPECT_TRUE(feed.push(m));
  EXPECT_FALSE(feed.push("4")) << "full: the feed closes instead of growing";
  EXPECT_TRUE(feed.closed());
  EXPECT_TRUE(feed.overflowed());
  EXPECT_FALSE(feed.push("5"));
  std::deque<std::string> batch;
  EXPECT_TRUE(feed.take(batch, nullptr)) << "what was queued is still delivered";
  EXPECT_EQ(batch.size(), 3u);
  batch.clear();
  EXPECT_FALSE(feed.take(batch, nullptr)) << "then the stream ends";
}

TEST(Feed, CloseWakesAndDetachForgets) {
  Feed feed;
  std::deque<std::string> batch;
  bool woken = false;
  feed.take(batch, [&] { woken = true; });
  feed.close();
  EXPECT_TRUE(woken);
  EXPECT_FALSE(feed.take(batch, nullptr));
  Feed other;
  bool called = false;
  other.take(batch, [&] { called = true; });
  other.detach();
  EXPECT_FALSE(other.push("x"));
  EXPECT_FALSE(called) << "a detached session's waker is never called";
}

TEST(Feed, ManyProducersOneConsumer) {
  Feed feed(100000);
  std::vector<std::thread> producers;
  for (int p = 0; p < 4; ++p)
    producers.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) feed.push("m");
    });
  for (auto& t : producers) t.join();
  std::deque<std::string> batch;
  feed.take(batch, nullptr);
  EXPECT_EQ(batch.size(), 4000u);
}

}  // namespace
}  // namespace ws
