// A blocking queue with a fixed capacity: the back-pressure between the extract thread and the load
// thread, which keeps memory bounded whatever the speed of either side.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

namespace migrate::pipeline {

template<typename T>
class BoundedQueue {
public:
  explicit BoundedQueue(std::size_t capacity)
      : m_capacity(capacity) {}

  // Blocks while full; false when the queue was closed (the item is dropped).
  bool push(T item) {
    std::unique_lock lock(m_mutex);
    m_not_full.wait(lock, [&] { return m_closed || m_items.size() < m_capacity; });
    if (m_closed) {
      return false;
    }
    m_items.push_back(std::move(item));
    m_not_empty.notify_one();
    return true;
  }

  // Blocks while empty; nullopt once closed and drained.
  std::optional<T> pop() {
    std::unique_lock lock(m_mutex);
    m_not_empty.wait(lock, [&] { return m_closed || !m_items.empty(); });
    if (m_items.empty()) {
      return std::nullopt;
    }
    T item = std::move(m_items.front());
    m_items.pop_front();
    m_not_full.notify_one();
    return item;
  }

  // As pop(), but gives up after `timeout` with nullopt and `timed_out` set.
  template<typename Duration>
  std::optional<T> pop_for(Duration timeout, bool& timed_out) {
    std::unique_lock lock(m_mutex);
    timed_out = !m_not_empty.wait_for(lock, timeout, [&] { return m_closed || !m_items.empty(); });
    if (timed_out || m_items.empty()) {
      return std::nullopt;
    }
    T item = std::move(m_items.front());
    m_items.pop_front();
    m_not_full.notify_one();
    return item;
  }

  // Wakes both sides; pushes fail from now on, pops drain what is left.
  void close() {
    std::lock_guard lock(m_mutex);
    m_closed = true;
    m_not_full.notify_all();
    m_not_empty.notify_all();
  }

private:
  std::size_t m_capacity;
  std::mutex m_mutex;
  std::condition_variable m_not_full;
  std::condition_variable m_not_empty;
  std::deque<T> m_items;
  bool m_closed = false;
};

} // namespace migrate::pipeline
