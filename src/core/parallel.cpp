#include "migrate/core/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <numeric>
#include <thread>

namespace migrate {
namespace {

// What the threads share: the next task, the first failures, and whether to stop.
struct SharedQueue {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::exception_ptr task_error;
  std::exception_ptr start_error;

  void keep(std::exception_ptr& slot, std::exception_ptr error) {
    const std::lock_guard lock(mutex);
    if (!slot) {
      slot = std::move(error);
    }
  }
};

void work(SharedQueue& queue, std::size_t tasks, const std::function<TaskRunner()>& start) {
  TaskRunner runner;
  try {
    runner = start();
  } catch (...) {
    queue.keep(queue.start_error, std::current_exception());
    return;
  }
  while (!queue.stop) {
    const auto task = queue.next++;
    if (task >= tasks) {
      return;
    }
    try {
      runner(task);
    } catch (...) {
      queue.keep(queue.task_error, std::current_exception());
      queue.stop = true;
    }
  }
}

} // namespace

ParallelOutcome
run_parallel(std::size_t tasks, std::size_t workers, const std::function<TaskRunner()>& start) {
  SharedQueue queue;
  const auto threads = std::max<std::size_t>(1, std::min(workers, tasks));
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    pool.emplace_back([&] { work(queue, tasks, start); });
  }
  for (auto& thread : pool) {
    thread.join();
  }
  if (queue.task_error) {
    std::rethrow_exception(queue.task_error);
  }
  ParallelOutcome out;
  out.start_error = queue.start_error;
  // Tasks are only left when no thread started (a started thread drains the queue).
  for (auto task = std::min(queue.next.load(), tasks); task < tasks; ++task) {
    out.not_run.push_back(task);
  }
  return out;
}

std::vector<std::size_t> largest_first(const std::vector<std::optional<std::uint64_t>>& estimates) {
  std::vector<std::size_t> order(estimates.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (estimates[a].has_value() != estimates[b].has_value()) {
      return estimates[a].has_value();
    }
    return estimates[a].value_or(0) > estimates[b].value_or(0);
  });
  return order;
}

} // namespace migrate
