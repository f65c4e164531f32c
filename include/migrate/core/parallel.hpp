// Running independent tasks on a few threads: `--jobs N` runs N tables at once, each worker thread
// with its own connections.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <vector>

namespace migrate {

// Runs one task on the thread that started it; it may throw (the whole run then stops).
using TaskRunner = std::function<void(std::size_t task)>;

struct ParallelOutcome {
  // Tasks no thread ran, because every thread failed to start (no connection): the caller records
  // them as failed with `start_error`.
  std::vector<std::size_t> not_run;
  std::exception_ptr start_error; // the first start failure, even when other threads ran the tasks
};

// Runs tasks 0 .. tasks-1, each exactly once, on min(workers, tasks) threads that take them in
// index order (a thread takes the next task when it finishes one). `start()` is called once on each
// thread before its first task and returns that thread's runner; a thread whose start throws runs
// nothing, and the others take its share. The first exception a task throws stops every thread
// from taking another task and is rethrown here once all threads have finished.
ParallelOutcome
run_parallel(std::size_t tasks, std::size_t workers, const std::function<TaskRunner()>& start);

// The order in which to start tables so that N workers finish together: the largest estimate
// first (a large table started last would run alone at the end); tables without an estimate go
// last, and equal estimates keep their given order. Returns indices into `estimates`.
std::vector<std::size_t> largest_first(const std::vector<std::optional<std::uint64_t>>& estimates);

} // namespace migrate
