#include "pipeline/batch_stream.hpp"

#include "pipeline/bounded_queue.hpp"

#include <exception>
#include <mutex>
#include <thread>

namespace migrate::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

// Recycles batch buffers between the two threads so the steady state allocates nothing.
class BufferPool {
public:
  std::string take() {
    std::lock_guard lock(m_mutex);
    if (m_free.empty()) {
      std::string buffer;
      buffer.reserve(k_batch_bytes + 64 * 1024);
      return buffer;
    }
    std::string buffer = std::move(m_free.back());
    m_free.pop_back();
    buffer.clear();
    return buffer;
  }

  // A buffer a large row made large is freed, not kept for the rest of the table.
  void give(std::string buffer) {
    if (buffer.capacity() > 2 * k_batch_bytes) {
      return;
    }
    std::lock_guard lock(m_mutex);
    m_free.push_back(std::move(buffer));
  }

private:
  std::mutex m_mutex;
  std::vector<std::string> m_free;
};

class QueueSink : public BatchSink {
public:
  explicit QueueSink(std::size_t depth)
      : m_queue(depth) {}

  std::string buffer() override { return m_pool.take(); }
  bool push(Batch batch) override { return m_queue.push(std::move(batch)); }

  BoundedQueue<Batch>& queue() { return m_queue; }
  BufferPool& pool() { return m_pool; }

private:
  BoundedQueue<Batch> m_queue;
  BufferPool m_pool;
};

// The next batch; while none comes, tells `stalled` every stall_warning.
std::optional<Batch> next_batch(QueueSink& sink,
                                const StreamHandlers& handlers,
                                std::chrono::milliseconds stall_warning) {
  const auto started = Clock::now();
  for (;;) {
    bool timed_out = false;
    auto batch = sink.queue().pop_for(stall_warning, timed_out);
    if (!timed_out) {
      return batch;
    }
    if (handlers.stalled) {
      handlers.stalled(Clock::now() - started);
    }
  }
}

} // namespace

void CommitGroup::add(Batch& batch) {
  rows += batch.entries();
  last = std::move(batch.last);
  rejected.insert(rejected.end(),
                  std::make_move_iterator(batch.rejected.begin()),
                  std::make_move_iterator(batch.rejected.end()));
  released.insert(released.end(),
                  std::make_move_iterator(batch.released.begin()),
                  std::make_move_iterator(batch.released.end()));
}

void CommitGroup::restart() {
  rows = 0;
  rejected.clear();
  released.clear();
}

CommitGroup run_stream(const StreamHandlers& handlers, const StreamSettings& settings) {
  QueueSink sink(settings.queue_depth);
  std::exception_ptr produce_error;
  std::thread producer([&] {
    try {
      handlers.produce(sink);
    } catch (...) {
      produce_error = std::current_exception();
    }
    sink.queue().close();
  });
  CommitGroup group;
  try {
    while (auto batch = next_batch(sink, handlers, settings.stall_warning)) {
      handlers.write(*batch);
      sink.pool().give(std::move(batch->text));
      group.add(*batch);
      if (group.rows >= settings.commit_rows) {
        handlers.commit(group);
        group.restart();
      }
    }
  } catch (...) {
    sink.queue().close(); // the producer's next push fails and it returns
    producer.join();
    throw;
  }
  producer.join();
  if (produce_error) {
    std::rethrow_exception(produce_error);
  }
  return group;
}

} // namespace migrate::pipeline
