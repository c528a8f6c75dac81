#include "store/write_behind.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

namespace ws::test {
namespace {

using namespace std::chrono_literals;

// A store stand-in: flush() takes the rows under its lock and counts them.
struct Sink {
  std::mutex lock;
  std::atomic<std::size_t> written{0};
  WriteBehind<int>* queue = nullptr;
  void flush(std::size_t most) {
    std::lock_guard l(lock);
    written += queue->take(most).size();
  }
};

TEST(WriteBehind, WritesWithinTheWindowWithoutAReader) {
  Sink sink;
  WriteBehind<int> queue([&](std::size_t most) { sink.flush(most); }, [](int) { return std::size_t{1024}; });
  sink.queue = &queue;
  for (int i = 0; i < 10; ++i) queue.push(i);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (sink.written < 10 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(sink.written, 10u);
}

TEST(WriteBehind, AFullQueueHoldsThePusherBackUntilTheWriterTakesIt) {
  Sink sink;
  std::unique_lock stall(sink.lock);  // the database is stuck: the writer cannot take the rows
  WriteBehind<int> queue([&](std::size_t most) { sink.flush(most); }, [](int) { return std::size_t{1024}; });
  sink.queue = &queue;
  for (std::size_t i = 0; i < WriteBehind<int>::kMaxQueuedBytes / 1024; ++i) queue.push(static_cast<int>(i));
  auto extra = std::async(std::launch::async, [&] { queue.push(-1); });
  EXPECT_EQ(extra.wait_for(100ms), std::future_status::timeout) << "a push past the bound waits";
  stall.unlock();
  EXPECT_EQ(extra.wait_for(5s), std::future_status::ready);
}

TEST(WriteBehind, DestructionWritesWhatIsQueued) {
  Sink sink;
  {
    WriteBehind<int> queue([&](std::size_t most) { sink.flush(most); }, [](int) { return std::size_t{1024}; });
    sink.queue = &queue;
    for (int i = 0; i < 3; ++i) queue.push(i);
  }
  EXPECT_EQ(sink.written, 3u);
}

}  // namespace
}  // namespace ws::test
