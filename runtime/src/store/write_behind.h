#pragma once
// Rows a store writes behind the caller: queued without touching the database, then written
// in one transaction by the store's own thread, a few milliseconds later. For rows on a hot
// path whose writer waits for nothing (the A2A proxy's activity). Readers of the same table
// flush first, under the store's lock, so a row is visible to every read that starts after it
// was queued.
//
// The window: a row queued less than kWindow (plus one transaction's time) before the process
// dies is lost; a clean stop writes everything (the destructor flushes).

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
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
  static constexpr std::size_t kBatch = 512;  ///< Written at once without waiting the window.
  /// Past this many queued rows the database is not keeping up: push() waits for the writer
  /// (back-pressure) rather than letting memory grow.
  static constexpr std::size_t kMaxQueued = 65536;

  /// `flush` takes the store's lock, then take()s the rows and writes them: taking them under
  /// that lock is what keeps a reader (who flushes under it too) from missing rows in flight.
  explicit WriteBehind(std::function<void()> flush) : flush_(std::move(flush)), thread_([this] { run(); }) {}
  ~WriteBehind() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
    flush_();
  }
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;

  void push(Row row) {
    std::unique_lock lock(mutex_);
    if (queued_.size() >= kMaxQueued) {
      wake_.notify_one();
      taken_.wait(lock, [&] { return queued_.size() < kMaxQueued || stopping_; });
    }
    queued_.push_back(std::move(row));
    const bool first = queued_.size() == 1, full = queued_.size() >= kBatch;
    lock.unlock();
    if (first || full) wake_.notify_one();
  }

  /// The queued rows, taken: the caller writes them, under the store's lock.
  std::vector<Row> take() {
    std::vector<Row> rows;
    {
      std::lock_guard lock(mutex_);
      rows = std::exchange(queued_, {});
    }
    taken_.notify_all();
    return rows;
  }

 private:
  void run() {
    // Below the threads that answer requests: on a busy machine the batch waits, not a reply.
    // (Linux gives each thread its own nice value.)
    setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 5);
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wake_.wait(lock, [&] { return stopping_ || !queued_.empty(); });
      if (stopping_) break;
      // Let a batch gather: one transaction for the window's rows.
      wake_.wait_for(lock, kWindow, [&] { return stopping_ || queued_.size() >= kBatch; });
      lock.unlock();
      flush_();
      lock.lock();
    }
  }

  std::function<void()> flush_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable taken_;  ///< The writer took the queue (for a push() held back).
  std::vector<Row> queued_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the rest is built
};

}  // namespace ws
