#include "pipeline/passes.hpp"

#include "pipeline/comparison.hpp"
#include "pipeline/ranged_load.hpp"

#include "migrate/convert/key_choice.hpp"
#include "migrate/core/error.hpp"
#include "migrate/pipeline/run_rules.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <set>

namespace migrate::pipeline {
namespace {

// The first pass of the run names it; --reload keeps its name over the passes it runs.
void set_pass(RunState& run, Pass pass) {
  if (run.result.mode.pass == Pass::none) {
    run.result.mode.pass = pass;
  }
}

// Earlier successful runs of the table, asked once.
std::uint64_t successful_runs(RunState& run) {
  if (!run.successful_runs_cache) {
    run.successful_runs_cache = run.store.successful_runs(run.mapping.source_table);
  }
  return *run.successful_runs_cache;
}

target::LoadMode load_mode(RunState& run, bool resume) {
  if (resume || !run.target_empty()) {
    return run.upsert_mode();
  }
  run.begin_first_load();
  return target::LoadMode::direct;
}

// Takes the chunks holding rows changed in PostgreSQL by something other than migrate out of the
// repair: the cutover's checksum names those rows and stops, rather than overwrite what may be
// the application's first writes.
void leave_target_edits(const RunState& run, ChunkDiff& diff) {
  spdlog::warn("table={} rows_changed_in_postgresql={} chunks={}: left as they are for the "
               "checksum to name",
               run.mapping.source_table,
               diff.rows_unsealed,
               diff.unsealed_chunks.size());
  const std::set<std::string> left(diff.unsealed_chunks.begin(), diff.unsealed_chunks.end());
  diff.differing.erase(std::remove_if(diff.differing.begin(),
                                      diff.differing.end(),
                                      [&](const auto& id) { return left.count(id) != 0; }),
                       diff.differing.end());
}

// A bad script or a half-restored source looks like a mass delete: refused before anything is
// deleted, with the figures, unless the day it is meant (--allow-mass-delete, max_delete_ratio).
void guard_mass_delete(const RunState& run, std::uint64_t deleting, std::uint64_t target_rows) {
  if (run.options.allow_mass_delete
      || !exceeds_delete_ratio(deleting, target_rows, run.mapping.max_delete_ratio)) {
    return;
  }
  throw Error(ErrorArea::source,
              fmt::format("MySQL lacks at least {} of the target's {} rows ({:.0f}%), more than "
                          "max_delete_ratio {:.0f}%: refusing to delete them (a bad script or a "
                          "half-restored source?); nothing was deleted. If the deletes are real, "
                          "run with --allow-mass-delete or raise max_delete_ratio",
                          deleting,
                          target_rows,
                          100.0 * static_cast<double>(deleting) / static_cast<double>(target_rows),
                          100.0 * run.mapping.max_delete_ratio),
              ErrorContext{.table = run.mapping.source_table});
}

} // namespace

void full_pass(RunState& run,
               TableLoad& table_load,
               const std::optional<state::Position>& position) {
  set_pass(run, Pass::full);
  auto read = run.request(source::ReadOrder::by_key);
  const bool resume = position && position->phase == Pass::initial;
  if (!resume) {
    if (const auto load = ranged_load_plan(run, false)) {
      ranged_load(run, table_load, *load);
      run.store.clear_position(run.mapping.source_table);
      forget_ranges(run, load->ranges);
      return;
    }
  }
  if (resume) {
    read.after_key = position->key;
  }
  const auto session = run.target.begin_load(run.target_table, load_mode(run, resume));
  table_load.stream(read,
                    *session,
                    CommitRules{run.mapping.commit_rows, [](const ReadPosition& last) {
                                  return state::Position{Pass::initial, std::nullopt, last.key, {}};
                                }});
  run.finish_keys();
  run.store.clear_position(run.mapping.source_table);
}

void initial_pass(RunState& run,
                  TableLoad& table_load,
                  const std::optional<state::Position>& position) {
  set_pass(run, Pass::initial);
  auto read = run.request(source::ReadOrder::by_key);
  const bool resume = position && position->timestamp;
  if (!resume) {
    if (const auto load = ranged_load_plan(run, true)) {
      run.result.upper_bound = *load->bound;
      ranged_load(run, table_load, *load);
      // The table's position first: a run stopped before the ranges are forgotten is incremental.
      const auto loaded = loaded_position(run, *load->bound);
      run.save_position(loaded);
      forget_ranges(run, load->ranges);
      if (load->resumed) {
        // Begun by an earlier run, it ends at that run's bound: catch up to this run's.
        incremental_pass(run, table_load, loaded);
        null_timestamp_pass(run, table_load);
      }
      return;
    }
  }
  const std::string bound = resume ? *position->timestamp : run.upper_bound();
  run.result.upper_bound = bound;
  if (resume) {
    read.after_key = position->key;
    spdlog::info(
        "table={} resuming initial pass {}", run.mapping.source_table, position->to_string());
  }
  const auto session = run.target.begin_load(run.target_table, load_mode(run, resume));
  table_load.stream(
      read, *session, CommitRules{run.mapping.commit_rows, [bound](const ReadPosition& last) {
                                    return state::Position{Pass::initial, bound, last.key, {}};
                                  }});
  run.finish_keys();
  run.save_position(loaded_position(run, bound));
}

state::Position loaded_position(RunState& run, const std::string& bound) {
  // Asked again by the catch-up after a first load: one MAX() query (a scan without an index).
  if (run.loaded_cache && run.loaded_cache->first == bound) {
    return run.loaded_cache->second;
  }
  const auto& column = run.plan.columns[*run.plan.timestamp_position].source;
  const bool trusted = column.data_type == "timestamp" || !run.mapping.timestamp_time_zone.empty();
  const auto newest =
      trusted ? std::nullopt
              : run.source.newest_timestamp(run.mapping.source_table, column.name, bound);
  auto position = loaded_position(bound, newest, trusted);
  if (position != bound) {
    spdlog::info("table={} position at the newest row, {}, short of the bound {}",
                 run.mapping.source_table,
                 position.value_or("(none: no row is stamped)"),
                 bound);
  }
  run.loaded_cache.emplace(bound, state::Position{Pass::incremental, std::move(position), {}, {}});
  return run.loaded_cache->second;
}

void incremental_pass(RunState& run, TableLoad& table_load, const state::Position& position) {
  run.finish_keys(); // --since on a table created by this run
  set_pass(run, Pass::incremental);
  auto read = run.request(source::ReadOrder::by_timestamp_then_key);
  read.until_timestamp = run.upper_bound();
  run.result.upper_bound = *read.until_timestamp;
  // The lookback re-reads a window behind the position for transactions that committed late with
  // an older timestamp; rows that did not change cost no write (the merge skips them).
  auto start = incremental_start(position, run.mapping.lookback);
  read.after_timestamp = std::move(start.after_timestamp);
  read.after_key = std::move(start.after_key);
  const auto session = run.target.begin_load(run.target_table, run.upsert_mode());
  table_load.stream(
      read,
      *session,
      CommitRules{run.mapping.commit_rows, [position](const ReadPosition& last) {
                    return advance_position(
                        position, state::Position{Pass::incremental, last.timestamp, last.key, {}});
                  }});
}

void null_timestamp_pass(RunState& run, TableLoad& table_load) {
  const auto& column = run.plan.columns[*run.plan.timestamp_position];
  const auto& table = run.mapping.source_table;
  auto read = run.request(source::ReadOrder::by_key);
  read.only_null_or_zero_timestamp = true;
  const auto source_nulls = run.source.count_rows(read);
  if (!column.source.nullable && source_nulls == 0) {
    return; // the target's count would be a scan for nothing
  }
  const auto target_nulls = run.target.count_null(run.target_table, column.target_name);
  const bool due = compare_due(run);
  if (source_nulls == target_nulls && !due) {
    return;
  }
  spdlog::info("table={} null_timestamps source={} target={}{}: merging the rows whose {} is NULL "
               "or the zero date",
               table,
               source_nulls,
               target_nulls,
               due ? " comparison_due=true" : "",
               column.source.name);
  const auto session = run.target.begin_load(run.target_table, run.upsert_mode());
  table_load.stream(read, *session, CommitRules{run.mapping.commit_rows, {}});
}

bool compare_due(RunState& run) {
  return successful_runs(run) % run.mapping.compare_every == 0;
}

CompareSlice verify_slice(RunState& run) {
  return CompareSlice{run.mapping.verify_every, successful_runs(run) % run.mapping.verify_every};
}

void compare_pass(RunState& run, TableLoad& table_load, CompareSlice slice) {
  run.finish_keys();
  set_pass(run, Pass::compare);
  (slice.count > 1 ? run.result.mode.verified : run.result.mode.compared) = true;
  auto planned = plan_comparison(run.mapping, run.plan, run.source);
  set_slice(planned.plan, planned.range, slice.count, slice.index);
  // Exact on both sides: a row changed in MySQL changes its digest there, a row changed in
  // PostgreSQL by anything but migrate breaks its seal; either makes its chunk read again.
  auto diff = diff_chunks(
      planned, run.mapping, run.source, run.target, run.target_table, DigestOf::source_values);
  if (run.options.leave_target_edits && diff.rows_unsealed > 0) {
    leave_target_edits(run, diff);
  }
  if (diff.source_rows == 0 && diff.target_has_rows
      && run.deletes != config::DeletePolicy::ignore) {
    // An empty read is more often a wrong database or a failed restore than a real truncate.
    throw Error(ErrorArea::source,
                "the MySQL table is empty but the target is not: refusing to delete every row "
                "(empty the target by hand if this is intended)",
                ErrorContext{.table = run.mapping.source_table});
  }
  if (run.deletes != config::DeletePolicy::ignore) {
    guard_mass_delete(run, diff.surplus, diff.target_rows);
  }
  const auto& plan = diff.plan;
  const auto& differing = diff.differing;
  run.result.counts.chunks_compared += diff.compared;
  run.result.counts.chunks_differing += differing.size();
  spdlog::info("table={} chunks_compared={} chunks_differing={} chunking={} width={}",
               run.mapping.source_table,
               diff.compared,
               differing.size(),
               plan.chunking.kind == Chunking::Kind::range ? "key-range" : "key-hash",
               plan.chunking.width_or_buckets);
  if (differing.empty()) {
    return;
  }
  const auto moved_before = run.result.counts.moved();
  const auto session = run.target.begin_load(run.target_table, run.upsert_mode());
  for (const auto& id : differing) {
    auto read = run.request(source::ReadOrder::by_key);
    read.chunk = ChunkFilter{&plan, id};
    const target::Reconcile reconcile{ChunkFilter{&plan, id},
                                      run.deletes == config::DeletePolicy::soft};
    const bool deletes = run.deletes != config::DeletePolicy::ignore;
    // A chunk is staged whole in one transaction, so that what is not staged is really gone.
    table_load.stream(
        read,
        *session,
        CommitRules{std::numeric_limits<std::size_t>::max(), {}, deletes ? &reconcile : nullptr});
  }
  // Rows a timestamp cursor did not see: in a table with one, a sign of stamps not kept up.
  run.result.counts.found_by_comparison += run.result.counts.moved() - moved_before;
}

void replace_pass(RunState& run, TableLoad& table_load) {
  run.result.mode.pass = Pass::replace;
  const auto& table = run.mapping.source_table;
  convert::check_replace_size(run.mapping,
                              run.source.count_rows(run.request(source::ReadOrder::by_key)));
  const auto diff = diff_chunks(plan_comparison(run.mapping, run.plan, run.source),
                                run.mapping,
                                run.source,
                                run.target,
                                run.target_table,
                                DigestOf::source_values);
  run.result.counts.chunks_compared += diff.compared;
  run.result.counts.chunks_differing += diff.differing.size();
  if (diff.source_rows == 0 && diff.target_has_rows) {
    // As in the comparison: an empty read is more often a wrong database than a real truncate.
    throw Error(ErrorArea::source,
                "the MySQL table is empty but the target is not: refusing to delete every row "
                "(empty the target by hand if this is intended)",
                ErrorContext{.table = table});
  }
  guard_mass_delete(run, diff.surplus, diff.target_rows);
  spdlog::info("table={} source_rows={} whole_table_differs={}",
               table,
               diff.source_rows,
               diff.differing.empty() ? "no" : "yes");
  if (!diff.differing.empty()) {
    const auto session = run.target.begin_load(run.target_table, target::LoadMode::replace);
    table_load.stream(run.request(source::ReadOrder::by_key),
                      *session,
                      CommitRules{std::numeric_limits<std::size_t>::max(), {}, nullptr, true});
  }
  run.finish_keys();
  run.store.clear_position(table); // left by an earlier sync by key, if any
}

} // namespace migrate::pipeline
