// The passes of a table run (full, initial, incremental, the rows with a NULL timestamp,
// comparison, replacement) as functions over the run's shared state and its table load, and the
// cadence decisions between them. Apart from the run's lifecycle, which only chooses the pass.
#pragma once

#include "pipeline/run_state.hpp"
#include "pipeline/table_load.hpp"

#include <cstddef>
#include <optional>
#include <string>

namespace migrate::pipeline {

// One slice of the chunks (verify_every) or, by default, all of them.
struct CompareSlice {
  std::size_t count = 1;
  std::size_t index = 0;
};

// A table without a timestamp column is read whole, in key order; the merge skips unchanged rows.
void full_pass(RunState& run,
               TableLoad& table_load,
               const std::optional<state::Position>& position);

// The first pass of a timestamp table reads in key order (the clustered index, no sort) and takes
// every row, NULL timestamps included. Its upper bound becomes the first position.
void initial_pass(RunState& run,
                  TableLoad& table_load,
                  const std::optional<state::Position>& position);

// The position after a pass that took every row up to `bound` in key order: the bound where it is
// trusted, else the newest row the table holds up to it (loaded_position).
state::Position loaded_position(RunState& run, const std::string& bound);

// The rows stamped after `position`, less the lookback, up to a new upper bound, in timestamp
// order.
void incremental_pass(RunState& run, TableLoad& table_load, const state::Position& position);

// A row whose timestamp is NULL never passes the cursor, nor does one stamped with the zero date
// after the cursor stood on it (nothing orders below it, so no lookback reaches it). Those rows
// are read by key and merged whenever their count differs between the two sides (a zero date is
// loaded as NULL unless zero_date names a sentinel, which makes the counts differ and the rows
// merged every run), and at the comparison cadence (compare_every) to catch an edit that kept the
// count.
void null_timestamp_pass(RunState& run, TableLoad& table_load);

// The comparison runs when the number of earlier successful runs (the first load included) is a
// multiple of compare_every: every run with the default of 1.
bool compare_due(RunState& run);

// The slice of the table this run verifies: the runs take the verify_every slices in turn.
CompareSlice verify_slice(RunState& run);

// Compares the table chunk by chunk inside both engines and fetches only the chunks that differ;
// each is reconciled in one transaction: upsert what the source has, delete what it has not.
void compare_pass(RunState& run, TableLoad& table_load, CompareSlice slice = {});

// A table without a key is compared whole (row count and a digest in which every copy of a row
// counts) and, when it differs, its content is replaced in one transaction. No position is kept.
void replace_pass(RunState& run, TableLoad& table_load);

} // namespace migrate::pipeline
