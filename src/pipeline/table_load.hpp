// One stream of a table run: one read streamed into one load session. Owns the extract side
// (encoding rows on the extract thread), the commit grouping's database work, the quarantine
// writes, the counts and the position saved after each commit, so that every pass and each key
// range of a split first load load their rows the same way.
#pragma once

#include "pipeline/batch_stream.hpp"
#include "pipeline/run_state.hpp"

#include <cstddef>
#include <functional>
#include <string>

namespace migrate::pipeline {

using PositionAfter = std::function<state::Position(const ReadPosition&)>;

// How a stream's rows are committed: in groups of commit_rows, each followed by the position after
// its last row; the last one may reconcile a chunk or replace the table.
struct CommitRules {
  std::size_t commit_rows = 0;
  PositionAfter after;                          // empty: no position to save
  const target::Reconcile* reconcile = nullptr; // applied by the final commit
  bool replace = false;      // one group, ended by LoadSession::replace() instead of commit()
  std::string position_name; // where `after` is stored; empty: the table's own position
};

// Holds no per-stream state: the ranges of a split first load call stream() on several threads at
// once; what they share is written under RunState::lock.
class TableLoad {
public:
  explicit TableLoad(RunState& run)
      : m_run(run) {}

  // Streams `read` into `session`, committing by `rules`. `source`: the key range's own
  // connection; null: the run's.
  void stream(const source::ReadRequest& read,
              target::LoadSession& session,
              const CommitRules& rules,
              source::Source* source = nullptr);

private:
  RunState& m_run;
};

} // namespace migrate::pipeline
