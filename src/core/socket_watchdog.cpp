#include "migrate/core/socket_watchdog.hpp"

#include <sys/socket.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace migrate {
namespace {

using Clock = std::chrono::steady_clock;

struct Entry {
  int socket = -1;
  Clock::time_point deadline;
};

// Never destroyed: the thread outlives static destruction at exit.
struct Watchdog {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::uint64_t, Entry> watched;
  std::set<std::uint64_t> fired; // ids whose socket was shut, until their watch ends
  std::uint64_t next_id = 1;
  bool started = false;

  // Shuts the sockets whose deadline passed, then sleeps until the next deadline or a change.
  void loop() {
    std::unique_lock lock(mutex);
    for (;;) {
      auto next = Clock::time_point::max();
      const auto now = Clock::now();
      for (auto& [id, entry] : watched) {
        if (fired.count(id) != 0) {
          continue;
        }
        if (entry.deadline <= now) {
          // Under the lock: the watch (and so the caller's socket) cannot end meanwhile.
          ::shutdown(entry.socket, SHUT_RDWR);
          fired.insert(id);
        } else {
          next = std::min(next, entry.deadline);
        }
      }
      if (next == Clock::time_point::max()) {
        changed.wait(lock);
      } else {
        changed.wait_until(lock, next);
      }
    }
  }
};

Watchdog& watchdog() {
  static auto* instance = new Watchdog;
  return *instance;
}

} // namespace

SocketWatch::SocketWatch(int socket, std::chrono::milliseconds limit) {
  if (socket < 0 || limit.count() <= 0) {
    return;
  }
  auto& w = watchdog();
  const std::lock_guard lock(w.mutex);
  if (!w.started) {
    std::thread([&w] { w.loop(); }).detach();
    w.started = true;
  }
  m_id = w.next_id++;
  w.watched[m_id] = Entry{socket, Clock::now() + limit};
  w.changed.notify_one();
}

SocketWatch::~SocketWatch() {
  if (m_id == 0) {
    return;
  }
  auto& w = watchdog();
  const std::lock_guard lock(w.mutex);
  w.watched.erase(m_id);
  w.fired.erase(m_id);
}

bool SocketWatch::fired() const {
  if (m_id == 0) {
    return false;
  }
  auto& w = watchdog();
  const std::lock_guard lock(w.mutex);
  return w.fired.count(m_id) != 0;
}

} // namespace migrate
