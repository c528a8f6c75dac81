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

// Under steady load the writer waits a window per transaction rather than committing whatever
// arrived during the previous one: with a 1 ms commit and a row every 100 us, draining straight
// away would commit about ten rows at a time.
TEST(WriteBehind, SteadyLoadIsWrittenInWindowSizedTransactions) {
  Sink sink;
  std::atomic<int> transactions{0};
  WriteBehind<int> queue(
      [&](std::size_t most) {
        sink.flush(most);  // takes the rows, then commits them
        std::this_thread::sleep_for(1ms);
        ++transactions;
      },
      [](int) { return std::size_t{1}; });
  sink.queue = &queue;
  const auto start = std::chrono::steady_clock::now();
  int pushed = 0;
  while (std::chrono::steady_clock::now() - start < 50ms) {
    queue.push(pushed++);
    std::this_thread::sleep_for(100us);
  }
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (sink.written < static_cast<std::size_t>(pushed) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(sink.written, static_cast<std::size_t>(pushed));
  // One transaction per 5 ms window (and its 1 ms commit) over 50 ms, plus the last.
  EXPECT_LE(transactions.load(), 12) << pushed << " rows";
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
