#include "migrate/core/parallel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

using namespace migrate;

namespace {

TEST(Parallel, RunsEveryTaskOnceAndNoMoreThreadsThanAsked) {
  std::mutex mutex;
  std::multiset<std::size_t> ran;
  std::set<std::thread::id> threads;
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  const auto outcome = run_parallel(40, 3, [&]() -> TaskRunner {
    return [&](std::size_t task) {
      const int now = ++running;
      for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      {
        const std::lock_guard lock(mutex);
        ran.insert(task);
        threads.insert(std::this_thread::get_id());
      }
      --running;
    };
  });
  EXPECT_TRUE(outcome.not_run.empty());
  EXPECT_FALSE(outcome.start_error);
  ASSERT_EQ(ran.size(), 40u);
  for (std::size_t task = 0; task < 40; ++task) {
    EXPECT_EQ(ran.count(task), 1u) << task;
  }
  EXPECT_LE(threads.size(), 3u);
  EXPECT_LE(most.load(), 3);
}

TEST(Parallel, EachThreadStartsOnceAndKeepsItsRunner) {
  std::atomic<int> starts{0};
  std::mutex mutex;
  std::set<int> runners_used;
  run_parallel(10, 2, [&]() -> TaskRunner {
    const int id = ++starts;
    return [&, id](std::size_t) {
      const std::lock_guard lock(mutex);
      runners_used.insert(id);
    };
  });
  EXPECT_EQ(starts.load(), 2);
  EXPECT_LE(runners_used.size(), 2u);
}

TEST(Parallel, NeverMoreThreadsThanTasks) {
  std::atomic<int> starts{0};
  run_parallel(1, 8, [&]() -> TaskRunner {
    ++starts;
    return [](std::size_t) {
    };
  });
  EXPECT_EQ(starts.load(), 1);
}

TEST(Parallel, AThreadThatCannotStartLeavesItsShareToTheOthers) {
  std::atomic<int> starts{0};
  std::atomic<int> ran{0};
  const auto outcome = run_parallel(12, 3, [&]() -> TaskRunner {
    if (++starts == 1) {
      throw std::runtime_error("no connection");
    }
    return [&](std::size_t) {
      ++ran;
    };
  });
  EXPECT_EQ(ran.load(), 12);
  EXPECT_TRUE(outcome.not_run.empty());
  ASSERT_TRUE(outcome.start_error);
  EXPECT_THROW(std::rethrow_exception(outcome.start_error), std::runtime_error);
}

TEST(Parallel, WhenNoThreadStartsEveryTaskIsReportedNotRun) {
  const auto outcome =
      run_parallel(5, 2, []() -> TaskRunner { throw std::runtime_error("MySQL is down"); });
  EXPECT_EQ(outcome.not_run, (std::vector<std::size_t>{0, 1, 2, 3, 4}));
  ASSERT_TRUE(outcome.start_error);
}

TEST(Parallel, ATaskThatThrowsStopsItsThreadTakingMoreAndIsRethrown) {
  // One thread: nothing else can take a task, so exactly the tasks up to the throw ran.
  int ran = 0;
  EXPECT_THROW(run_parallel(100,
                            1,
                            [&]() -> TaskRunner {
                              return [&](std::size_t task) {
                                ++ran;
                                if (task == 3) {
                                  throw std::logic_error("state store gone");
                                }
                              };
                            }),
               std::logic_error);
  EXPECT_EQ(ran, 4);
}

TEST(Parallel, ATaskThatThrowsOnOneThreadStopsTheOtherAndIsRethrown) {
  // Two threads: how many tasks the other thread finishes before it sees the stop depends on
  // timing, so this checks what does not: the exception is rethrown and no task ran twice.
  std::vector<std::atomic<int>> runs(100);
  std::atomic<bool> thrown{false};
  EXPECT_THROW(run_parallel(100,
                            2,
                            [&]() -> TaskRunner {
                              return [&](std::size_t task) {
                                ++runs[task];
                                if (task == 3) {
                                  thrown = true;
                                  throw std::logic_error("state store gone");
                                }
                              };
                            }),
               std::logic_error);
  EXPECT_TRUE(thrown);
  for (const auto& count : runs) {
    EXPECT_LE(count.load(), 1);
  }
}

TEST(Parallel, LargestTablesStartFirstUnknownLastTiesKeepTheirOrder) {
  const std::vector<std::optional<std::uint64_t>> estimates = {
      10, std::nullopt, 5000, 10, 7, std::nullopt, 5000};
  EXPECT_EQ(largest_first(estimates), (std::vector<std::size_t>{2, 6, 0, 3, 4, 1, 5}));
  EXPECT_TRUE(largest_first({}).empty());
}

} // namespace
