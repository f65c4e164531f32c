// Pure rules about stored positions and upper bounds: when a position may be trusted, how it moves,
// and how far a run may read. No I/O; unit-tested in tests/unit/test_pipeline_position_rules.cpp.
#pragma once

#include "migrate/source/source.hpp"
#include "migrate/state/state_store.hpp"

#include <optional>
#include <string>

namespace migrate::pipeline {

// What a run found out about its target table before reading the stored position.
struct TargetFacts {
  bool created = false; // this run created the table
  bool empty = false;   // the table holds no row
  std::string identity; // Target::identity()
};

enum class PositionTrust {
  none,            // no position stored
  trusted,         // resume from it
  target_created,  // void: the target did not exist, so the rows before it are not there
  target_replaced, // void: the target is another table than the one it was taken on
  target_emptied,  // void: the target is empty, though the position says rows were loaded
};

// Whether `stored` may be resumed from on the target described by `target`.
PositionTrust trust_position(const std::optional<state::Position>& stored,
                             const TargetFacts& target);

// Why a position was voided, for the log; empty for none and trusted.
std::string to_string(PositionTrust trust);

// The position to store once rows up to `reached` are committed, in a timestamp-ordered pass that
// started from `start`: `reached` when it lies after `start`, else `start`. A lookback re-reads
// rows behind `start`, and the position must never move back over rows already committed.
state::Position advance_position(const state::Position& start, const state::Position& reached);

// The highest timestamp a read may take so that no row can still appear at or below it: below
// `now`, below the oldest open transaction's start by a margin of one second (trx_started has whole
// seconds, and a statement stamps NOW() a moment before InnoDB registers its transaction), and cut
// back to the last complete tick of the column's fractional precision `fsp` (a DATE column: whole
// days, pass fsp = -1).
std::string read_upper_bound(const source::ServerClock& clock, int fsp);

} // namespace migrate::pipeline
