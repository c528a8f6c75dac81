#pragma once
// Rows a store writes behind the caller: queued without touching the database, then written
// in one transaction by the store's own thread, a few milliseconds later. For rows on a hot
// path whose writer waits for nothing (the A2A proxy's activity). Readers of the same table
// flush first, under the store's lock, so a row is visible to every read that starts after it
// was queued.
//
// The window: a row queued less than kWindow (plus one transaction's time) before the process
// dies is lost; a clean stop writes everything (the destructor flushes).

#include <pthread.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace ws {

template <class Row>
class WriteBehind {
 public:
  static constexpr auto kWindow = std::chrono::milliseconds(5);
  static constexpr std::size_t kBatch = 512;  ///< Rows per transaction of the writer thread.
  /// Past this many queued bytes (as `cost` counts them) the database is not keeping up: push()
  /// waits for the writer (back-pressure) rather than letting memory grow.
  static constexpr std::size_t kMaxQueuedBytes = 64u << 20;

  /// `flush(most)` takes the store's lock, then take()s at most `most` rows and writes them:
  /// taking them under that lock is what keeps a reader (who flushes under it too) from
  /// missing rows in flight. `cost` is the bytes a row holds.
  WriteBehind(std::function<void(std::size_t most)> flush, std::function<std::size_t(const Row&)> cost)
      : flush_(std::move(flush)), cost_(std::move(cost)), thread_([this] { run(); }) {}
  ~WriteBehind() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
    flush_(SIZE_MAX);
  }
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;

  void push(Row row) {
    const std::size_t cost = cost_(row);
    std::unique_lock lock(mutex_);
    if (bytes_ >= kMaxQueuedBytes) {
      wake_.notify_one();
      taken_.wait(lock, [&] { return bytes_ < kMaxQueuedBytes || stopping_; });
    }
    queued_.push_back(std::move(row));
    bytes_ += cost;
    const bool first = queued_.size() == 1, full = queued_.size() >= kBatch;
    lock.unlock();
    if (first || full) wake_.notify_one();
  }

  /// The oldest `most` queued rows, taken: the caller writes them, under the store's lock.
  std::vector<Row> take(std::size_t most = SIZE_MAX) {
    std::vector<Row> rows;
    {
      std::lock_guard lock(mutex_);
      if (queued_.size() <= most) {
        rows = std::exchange(queued_, {});
      } else {
        rows.assign(std::make_move_iterator(queued_.begin()), std::make_move_iterator(queued_.begin() + static_cast<std::ptrdiff_t>(most)));
        queued_.erase(queued_.begin(), queued_.begin() + static_cast<std::ptrdiff_t>(most));
      }
      for (const auto& r : rows) bytes_ -= cost_(r);
    }
    taken_.notify_all();
    return rows;
  }

 private:
  void run() {
    (void)pthread_setname_np(pthread_self(), "write-behind");  // as top -H shows it
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wake_.wait(lock, [&] { return stopping_ || !queued_.empty(); });
      if (stopping_) break;
      // Let a batch gather: one transaction for the window's rows, at once for a full batch.
      // Under steady load this is what keeps transactions large: draining whatever arrived
      // during the previous commit straight away would commit a handful of rows at a time.
      wake_.wait_for(lock, kWindow, [&] { return stopping_ || queued_.size() >= kBatch; });
      // A batch at a time, so the store's lock is never held long for a backlog.
      lock.unlock();
      flush_(kBatch);
      lock.lock();
    }
  }

  std::function<void(std::size_t)> flush_;
  std::function<std::size_t(const Row&)> cost_;
  std::size_t bytes_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable taken_;  ///< The writer took the queue (for a push() held back).
  std::vector<Row> queued_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the rest is built
};

}  // namespace ws
