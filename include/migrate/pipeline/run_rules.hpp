// Pure rules of a table's run: when a stored position may be trusted, how it moves, how far a run
// may read, and which pass it takes. No I/O; unit-tested in tests/unit/test_pipeline_run_rules.cpp.
#pragma once

#include "migrate/config/config.hpp"
#include "migrate/core/pass.hpp"
#include "migrate/source/source.hpp"
#include "migrate/state/state_store.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

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

// Where a table's position stands once a pass that does not read in timestamp order (a first load,
// a comparison) took every row up to `bound`. The bound proves only that MySQL's clock passed it:
// enough for a TIMESTAMP column (an instant) and for a DATETIME or DATE column whose writers' zone
// the mapping states (`bound_trusted`), the position is then the bound. Otherwise a writer stamping
// in a zone behind MySQL's writes below the bound for hours, so the position stands at the newest
// timestamp the table holds up to the bound (`newest`), never past it, and rows stamped later
// behind the bound are still read (a row stamped later with that very timestamp is left to the
// lookback, as after any incremental pass); nullopt (no stamped row): the next pass starts from the
// first.
std::optional<std::string> loaded_position(const std::string& bound,
                                           const std::optional<std::string>& newest,
                                           bool bound_trusted);

// Where an incremental read starts: `lookback` behind the position's timestamp (from that timestamp
// on, whatever the key), or just after its (timestamp, key) without lookback; from the first row
// when the position has no timestamp (a table that had no stamped row).
struct ReadStart {
  std::optional<std::string> after_timestamp;
  std::vector<std::string> after_key;
};
ReadStart incremental_start(const state::Position& position, std::chrono::seconds lookback);

// The time zone the upper bound of `column` is read in (Source::server_clock): UTC for TIMESTAMP
// (MySQL stores it as an instant), else the writers' zone the mapping states
// (`timestamp_time_zone`), else MySQL's global time_zone.
std::string clock_zone(const SourceColumn& column, const std::string& timestamp_time_zone);

// What a run says of an open transaction that holds the read bound back further than `threshold`
// (the table's lookback): "an open transaction (MySQL connection 42, open for 2h 03m) holds the
// upper bound at <bound>: rows stamped after it wait until it ends"; nullopt otherwise.
std::optional<std::string> held_back_note(const source::ServerClock& clock,
                                          std::chrono::microseconds threshold,
                                          const std::string& bound);

// The highest timestamp a read may take so that no row can still appear at or below it: below
// `now`, below the oldest open transaction's start by a margin of one second (trx_started has whole
// seconds, and a statement stamps NOW() a moment before InnoDB registers its transaction), and cut
// back to the last complete tick of the column's fractional precision `fsp` (a DATE column: whole
// days, pass fsp = -1).
std::string read_upper_bound(const source::ServerClock& clock, int fsp);

// What a run knows when it chooses its pass.
struct PassInputs {
  bool replace = false;                    // the table is synced by replacement (no usable key)
  bool has_timestamp = false;              // the mapping names a timestamp column
  std::optional<state::Position> position; // trusted stored position, or --since
  bool target_empty = false;
  bool full = false;        // --full
  bool reload = false;      // --reload
  bool deletes = false;     // deletes is delete or soft
  bool compare_due = false; // compare_every says this run compares
  bool verify = false;      // verify_every is set: each incremental run compares one slice
};

struct PassChoice {
  Pass pass = Pass::compare;  // replace, full, initial, incremental or compare
  bool resume = false;        // continue an interrupted first pass after its stored key
  bool compare_after = false; // a comparison follows the pass
  bool store_bound = false;   // a comparison that sets the cursor to this run's bound (--full)
  // A resumed initial pass ends at the bound of the run that began it: an incremental pass then
  // brings the table up to this run's bound, so a run that succeeds is as current as any other.
  bool catch_up = false;
  // The comparison after the pass covers one slice of the table's chunks (verify_every), not the
  // whole table: no delete comparison is due, only the periodic check of what the cursor missed.
  bool slice_only = false;
};

// The decision table of docs/change-detection.md ("What a run does").
PassChoice choose_pass(const PassInputs& in);

// A first load split into key ranges (parallel_ranges), each loaded on its own connections: range
// chunks of the integer first key column, as a comparison's, of a width that makes about `k` of
// them over the table's keys.
struct KeyRanges {
  std::string width;            // decimal text
  std::vector<std::string> ids; // range chunk ids, in key order
};

// The ranges for `k` connections over `range`; nullopt when k < 2 or the table has no row.
std::optional<KeyRanges> split_key_range(const KeyRange& range, std::size_t k);

// Where a split first load keeps its progress in the state store, beside the table's own position
// (which it does not touch until every range is loaded): the layout under "<table>#ranges" (its
// key holds the width and the first and last id, its timestamp the load's bound) and each range's
// position under "<table>#range:<id>" (phase incremental once the range is loaded).
std::string ranges_state_name(const std::string& table);
std::string range_state_name(const std::string& table, const std::string& id);
state::Position ranges_position(const KeyRanges& ranges, const std::optional<std::string>& bound);
// The layout stored by ranges_position(); nullopt when `stored` is not one.
std::optional<KeyRanges> stored_ranges(const state::Position& stored);

// What a run knows when it meets a stored layout: the target it runs on, whether the pass reads
// every row again (--reload, --full), whether it needs the layout's bound (an initial pass does, a
// full pass does not), and whether it can open connections of its own for the ranges.
struct RangeResumeFacts {
  std::string target_id;
  bool rereads_all = false;
  bool needs_bound = false;
  bool can_connect = false;
};

// The ranges to go on with from `stored` (a layout ranges_position() wrote); nullopt when the
// layout is not one, was made on another target, or the run cannot or must not go on with it.
std::optional<KeyRanges> resumable_ranges(const state::Position& stored,
                                          const RangeResumeFacts& facts);

// Whether deleting `deleting` of a table's `target_rows` rows is more than `max_ratio` of them (a
// share from 0 to 1): the guard against a bad script or a half-restored source emptying the target.
// Whether the comparison after a run (validate_after) compares a table's content rather than its
// counts: always under `checksum`; under `counts`, on every `checksum_every`th successful run of
// the table (`successful_runs` counts this one); never once the content budget is spent.
bool compare_content_after(config::ValidateAfter mode,
                           std::size_t checksum_every,
                           std::uint64_t successful_runs,
                           bool budget_left);

bool exceeds_delete_ratio(std::uint64_t deleting, std::uint64_t target_rows, double max_ratio);

} // namespace migrate::pipeline
