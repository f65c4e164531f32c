// The stream of one pass: an extract thread encodes rows into COPY batches, a bounded queue
// between it and the load gives back-pressure, and the load (on the caller's thread) writes each
// batch and commits every `commit_rows` rows. The database work is the caller's, in handlers;
// this unit owns the threads, the queue, the recycled buffers and the commit grouping.
#pragma once

#include "migrate/state/state_store.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace migrate::pipeline {

// A batch is cut at this size even when batch_size rows are not reached, so wide rows cannot make
// memory grow with batch_size.
constexpr std::size_t k_batch_bytes = 4U << 20U;

// The (timestamp, key) of the last row read: the position once the rows up to it are committed.
struct ReadPosition {
  std::optional<std::string> timestamp;
  std::vector<std::string> key;
};

// Rows encoded as COPY text, and the rows of the same stretch that went to the quarantine.
struct Batch {
  std::string text;
  std::size_t rows = 0; // rows in `text`
  ReadPosition last;    // the last row read, written or rejected
  std::vector<state::QuarantineEntry> rejected;
  std::vector<std::string> released; // keys of quarantined rows written this time

  std::size_t entries() const { return rows + rejected.size(); }
};

// What the load holds between two commits.
struct CommitGroup {
  std::uint64_t rows = 0; // rows written or rejected since the last commit
  ReadPosition last;
  std::vector<state::QuarantineEntry> rejected;
  std::vector<std::string> released;

  void add(Batch& batch);
  // Empties the group after its commit; `last` stays, for a final commit that adds no rows.
  void restart();
};

// The extract side's view of the stream.
class BatchSink {
public:
  virtual ~BatchSink() = default;
  // An empty buffer to encode into, recycled from batches already written.
  virtual std::string buffer() = 0;
  // Hands a batch to the load; blocks while the queue is full. False once the load has stopped:
  // the producer should return.
  virtual bool push(Batch batch) = 0;
};

struct StreamHandlers {
  std::function<void(BatchSink&)> produce; // on its own thread; may throw
  std::function<void(const Batch&)> write; // each batch, in order, on the caller's thread
  // A group of at least commit_rows rows; on the caller's thread. The group restarts after.
  std::function<void(CommitGroup&)> commit;
  // No batch came for another stall_warning; the argument is the time waited so far.
  std::function<void(std::chrono::duration<double>)> stalled;
};

struct StreamSettings {
  std::uint64_t commit_rows = 1;
  std::chrono::milliseconds stall_warning{std::chrono::minutes(5)};
  std::size_t queue_depth = 8;
};

// Runs the stream and returns the last group, not committed: the caller ends it its own way.
// A producer error is rethrown once the batches produced before it are written (full groups
// committed, the rest left uncommitted); an error of a handler stops the producer and is rethrown.
// Either way the producer thread has ended when this returns or throws.
CommitGroup run_stream(const StreamHandlers& handlers, const StreamSettings& settings);

} // namespace migrate::pipeline
