#include "pipeline/batch_stream.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

namespace migrate::pipeline {
namespace {

using namespace std::chrono_literals;

Batch batch_of(BatchSink& sink, std::size_t rows, const std::string& last_key) {
  Batch batch{sink.buffer(), rows, {}, {}, {}};
  batch.text.assign(rows, 'x');
  batch.last.key = {last_key};
  return batch;
}

// Produces `count` batches of `rows` rows, keys "1".."count"; counts the batches pushed.
std::function<void(BatchSink&)>
producer_of(int count, std::size_t rows, std::atomic<int>& pushed, bool* refused = nullptr) {
  return [count, rows, &pushed, refused](BatchSink& sink) {
    for (int i = 1; i <= count; ++i) {
      if (!sink.push(batch_of(sink, rows, std::to_string(i)))) {
        if (refused != nullptr) {
          *refused = true;
        }
        return;
      }
      ++pushed;
    }
  };
}

TEST(BatchStream, CommitsEveryCommitRowsAndReturnsTheRest) {
  std::atomic<int> pushed{0};
  std::vector<std::uint64_t> committed;
  std::vector<std::string> committed_last;
  std::uint64_t written = 0;
  StreamHandlers handlers;
  handlers.produce = producer_of(7, 10, pushed);
  handlers.write = [&](const Batch& batch) {
    written += batch.rows;
  };
  handlers.commit = [&](CommitGroup& group) {
    committed.push_back(group.rows);
    committed_last.push_back(group.last.key.at(0));
  };
  const auto rest = run_stream(handlers, StreamSettings{25, 1s, 2});
  EXPECT_EQ(written, 70U);
  EXPECT_EQ(committed, (std::vector<std::uint64_t>{30, 30}));
  EXPECT_EQ(committed_last, (std::vector<std::string>{"3", "6"}));
  EXPECT_EQ(rest.rows, 10U);
  EXPECT_EQ(rest.last.key, std::vector<std::string>{"7"});
}

// A group whose rows were all committed keeps its last row: a final commit that reconciles a
// chunk without new rows still saves the right position.
TEST(BatchStream, AnEmptiedGroupKeepsItsLastRow) {
  std::atomic<int> pushed{0};
  StreamHandlers handlers;
  handlers.produce = producer_of(2, 5, pushed);
  handlers.write = [](const Batch&) {
  };
  handlers.commit = [](CommitGroup&) {
  };
  const auto rest = run_stream(handlers, StreamSettings{10, 1s, 2});
  EXPECT_EQ(rest.rows, 0U);
  EXPECT_EQ(rest.last.key, std::vector<std::string>{"2"});
}

TEST(BatchStream, QuarantinedRowsCountTowardTheGroupAndTravelWithIt) {
  StreamHandlers handlers;
  handlers.produce = [](BatchSink& sink) {
    Batch batch{sink.buffer(), 1, {}, {}, {}};
    batch.rejected.push_back(state::QuarantineEntry{"t", "id=2", "c", "bad", "00", 0, {}});
    batch.released.push_back("id=3");
    sink.push(std::move(batch));
  };
  handlers.write = [](const Batch&) {
  };
  std::size_t commits = 0;
  handlers.commit = [&](CommitGroup& group) {
    ++commits;
    EXPECT_EQ(group.rejected.size(), 1U);
    EXPECT_EQ(group.released, std::vector<std::string>{"id=3"});
  };
  const auto rest = run_stream(handlers, StreamSettings{2, 1s, 2});
  EXPECT_EQ(commits, 1U);
  EXPECT_TRUE(rest.rejected.empty());
}

// The producer runs at most queue_depth batches (and the one it holds) ahead of the load.
TEST(BatchStream, BackPressureBoundsWhatTheProducerRunsAhead) {
  std::atomic<int> pushed{0};
  std::atomic<int> written{0};
  int most_ahead = 0;
  StreamHandlers handlers;
  handlers.produce = producer_of(40, 1, pushed);
  handlers.write = [&](const Batch&) {
    std::this_thread::sleep_for(2ms); // a slow load
    most_ahead = std::max(most_ahead, pushed.load() - written.load());
    ++written;
  };
  handlers.commit = [](CommitGroup&) {
  };
  run_stream(handlers, StreamSettings{1000, 1s, 3});
  EXPECT_EQ(written.load(), 40);
  EXPECT_LE(most_ahead, 3 + 1);
  EXPECT_GE(most_ahead, 2); // the producer did run ahead while the load was slow
}

TEST(BatchStream, AProducerErrorComesAfterWhatItProducedIsWritten) {
  std::vector<std::uint64_t> committed;
  std::uint64_t written = 0;
  StreamHandlers handlers;
  handlers.produce = [](BatchSink& sink) {
    for (int i = 1; i <= 3; ++i) {
      sink.push(batch_of(sink, 10, std::to_string(i)));
    }
    throw std::runtime_error("connection lost");
  };
  handlers.write = [&](const Batch& batch) {
    written += batch.rows;
  };
  handlers.commit = [&](CommitGroup& group) {
    committed.push_back(group.rows);
  };
  try {
    run_stream(handlers, StreamSettings{20, 1s, 8});
    FAIL() << "the producer's error was not rethrown";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "connection lost");
  }
  EXPECT_EQ(written, 30U);
  EXPECT_EQ(committed, std::vector<std::uint64_t>{20}); // the last 10 rows stay uncommitted
}

// A load error stops the producer (its next push fails) and reaches the caller; the producer
// thread has ended by then (run_stream would otherwise terminate on a joinable thread).
TEST(BatchStream, ALoadErrorCancelsTheProducer) {
  std::atomic<int> pushed{0};
  bool refused = false;
  StreamHandlers handlers;
  handlers.produce = producer_of(1000, 1, pushed, &refused);
  int writes = 0;
  handlers.write = [&](const Batch&) {
    if (++writes == 5) {
      throw std::runtime_error("COPY failed");
    }
  };
  handlers.commit = [](CommitGroup&) {
  };
  EXPECT_THROW(run_stream(handlers, StreamSettings{1000, 1s, 2}), std::runtime_error);
  EXPECT_TRUE(refused);
  EXPECT_LT(pushed.load(), 1000);
}

TEST(BatchStream, ACommitErrorCancelsTheProducer) {
  std::atomic<int> pushed{0};
  bool refused = false;
  StreamHandlers handlers;
  handlers.produce = producer_of(1000, 1, pushed, &refused);
  handlers.write = [](const Batch&) {
  };
  int commits = 0;
  handlers.commit = [&](CommitGroup&) {
    if (++commits == 2) {
      throw std::runtime_error("commit failed");
    }
  };
  EXPECT_THROW(run_stream(handlers, StreamSettings{3, 1s, 2}), std::runtime_error);
  EXPECT_EQ(commits, 2);
  EXPECT_TRUE(refused);
}

TEST(BatchStream, SaysWhileNoBatchComes) {
  std::vector<double> waits;
  StreamHandlers handlers;
  handlers.produce = [](BatchSink& sink) {
    std::this_thread::sleep_for(120ms);
    sink.push(batch_of(sink, 1, "1"));
  };
  handlers.write = [](const Batch&) {
  };
  handlers.commit = [](CommitGroup&) {
  };
  handlers.stalled = [&](std::chrono::duration<double> waited) {
    waits.push_back(waited.count());
  };
  run_stream(handlers, StreamSettings{10, 20ms, 2});
  ASSERT_GE(waits.size(), 2U);
  EXPECT_GT(waits[1], waits[0]); // the time waited so far, not since the last warning
}

TEST(BatchStream, RecyclesBuffers) {
  const char* first = nullptr;
  bool reused = false;
  StreamHandlers handlers;
  handlers.produce = [&](BatchSink& sink) {
    // Up to 500 batches, 1 ms apart: a loaded machine may take many before the load thread gives
    // a buffer back (20 were too few with both cores busy).
    for (int i = 0; i < 500 && !reused; ++i) {
      auto batch = batch_of(sink, 1, "k");
      if (first == nullptr) {
        first = batch.text.data();
      } else if (batch.text.data() == first) {
        reused = true;
      }
      sink.push(std::move(batch));
      std::this_thread::sleep_for(1ms); // let the load give the buffer back
    }
  };
  handlers.write = [](const Batch&) {
  };
  handlers.commit = [](CommitGroup&) {
  };
  run_stream(handlers, StreamSettings{1000, 1s, 1});
  EXPECT_TRUE(reused);
}

} // namespace
} // namespace migrate::pipeline
