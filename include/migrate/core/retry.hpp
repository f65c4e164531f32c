// Retrying what failed for a transient reason (a lost connection, a deadlock, a lock wait): the
// waits between attempts and the loop, shared by a table run and the connections to the servers.
#pragma once

#include "migrate/core/error.hpp"

#include <chrono>
#include <cstddef>
#include <random>
#include <thread>

namespace migrate {

// How long to wait before retry `attempt` (1, 2, ...): 2 s doubled each time, capped at `max_wait`,
// spread by `jitter` (0..1) over 75% to 125% so that workers do not retry in step.
std::chrono::milliseconds
retry_wait(std::size_t attempt, std::chrono::seconds max_wait, double jitter);

// Returns what `attempt()` returns, calling it again after each transient Error, at most
// `retries` more times, with retry_wait() between. Before each wait, `before_wait(retry, wait,
// error)` logs and counts; it returns false to give up instead (the wait would pass a deadline),
// and the error is rethrown. Other exceptions, and a transient error past the retries, propagate.
template<typename Attempt, typename BeforeWait>
auto with_retries(std::size_t retries,
                  std::chrono::seconds max_wait,
                  Attempt attempt,
                  BeforeWait before_wait) -> decltype(attempt()) {
  std::mt19937 random(std::random_device{}());
  for (std::size_t retry = 1;; ++retry) {
    try {
      return attempt();
    } catch (const Error& e) {
      if (!e.is_transient() || retry > retries) {
        throw;
      }
      const auto wait =
          retry_wait(retry, max_wait, std::uniform_real_distribution<double>(0.0, 1.0)(random));
      if (!before_wait(retry, wait, e)) {
        throw;
      }
      std::this_thread::sleep_for(wait);
    }
  }
}

} // namespace migrate
