// A table's first load split into key ranges (parallel_ranges): the plan of the split, stored so
// that a later run goes on with it, and the load of the ranges, each on its own thread and
// connections. Apart from the passes, which only ask for a plan and hand it over.
#pragma once

#include "pipeline/run_state.hpp"
#include "pipeline/table_load.hpp"

#include "migrate/pipeline/run_rules.hpp"

#include <optional>
#include <string>

namespace migrate::pipeline {

// A first load split into key ranges: the ranges, the bound the load began with, and whether it
// goes on from an earlier run (whose rows are in the target: merged, not copied).
struct RangedLoad {
  KeyRanges ranges;
  std::optional<std::string> bound;
  bool resumed = false;
};

// A split first load to go on with (stored by an earlier run on this very target), or a new one
// when the table asks for ranges, the target is empty and the first key column is an integer.
std::optional<RangedLoad> ranged_load_plan(RunState& run, bool with_bound);

// Forgets a split load's layout and range positions, once the table's own position covers them.
void forget_ranges(RunState& run, const KeyRanges& ranges);

// Loads the ranges not yet loaded, parallel_ranges at a time, each on its own connections, then
// builds the keys once. A range that fails stops the others at their next batch; each keeps the
// position it committed, so the next run (or retry) goes on from there.
void ranged_load(RunState& run, TableLoad& table_load, const RangedLoad& load);

} // namespace migrate::pipeline
