// What the parts of one table's run share: the mapping, connections and options it was given, what
// prepare() found, the caches, the quarantine bookkeeping, the result, the lock and the stop flag,
// and the helpers that the passes, the ranged load and the table load all call. The bottom layer:
// each of those leans on it and none on another above it, so the helpers live here (see `lock` for
// who may take it).
#pragma once

#include "pipeline/rejection_summary.hpp"

#include "migrate/convert/table_plan.hpp"
#include "migrate/pipeline/table_sync.hpp"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>

namespace migrate::pipeline {

// One per table run, held by reference by its parts (its lock and stop flag make it uncopyable).
struct RunState {
  RunState(const config::TableMapping& run_mapping,
           source::Source& run_source,
           target::Target& run_target,
           state::StateStore& run_store,
           const SyncOptions& run_options);

  // Given, for the whole run.
  const config::TableMapping& mapping;
  source::Source& source;
  target::Target& target;
  state::StateStore& store;
  const SyncOptions& options;
  std::int64_t table_run_id = 0;

  // Found by prepare() on each attempt; read-only while a stream runs.
  SourceTable source_table;
  convert::TablePlan plan;
  TargetTable target_table;
  config::DeletePolicy deletes = config::DeletePolicy::ignore;
  std::string target_id;     // the target's identity, stored with each position
  bool created = false;      // this run created the target table
  bool keys_pending = false; // created without its keys, for a faster first load

  // loaded_position()'s answer, by the bound it was asked for.
  std::optional<std::pair<std::string, state::Position>> loaded_cache;
  // Whether the target held no row when the attempt began: asked once, since every use (the
  // position's trust, the pass, the first pass's load mode) comes before the attempt's first write.
  std::optional<bool> target_empty_cache;
  std::optional<std::uint64_t> successful_runs_cache;

  std::unordered_set<std::string> quarantined_keys; // rows in quarantine when the run began
  RejectionSummary rejections;                      // rows quarantined by this run
  // What the quarantine held before the run's first rejection (key, column, reason).
  std::optional<HeldEntries> held;

  TableResult result;

  // The key ranges of a split first load commit on their own threads: what their commits share
  // (the counts, the quarantine summary, the state store) is touched under this lock. Taken in
  // three places only: the table load's commit_group and add_read_counts, and the ranged load's
  // last save_position of a range.
  //  1. No member of RunState takes it, nor do keep_rejected and save_position: they are called
  //     with it held, and std::mutex is not recursive.
  //  2. A replacement's finish_stream quarantines and reads rejections.rows() without it: one
  //     stream on the run's own thread, nothing else writes them then.
  std::mutex lock;
  std::atomic<bool> stopping{false}; // a range failed: the others stop at their next batch

  // Helpers every part calls; none takes `lock`.
  void save_position(state::Position position, const std::string& name = {});
  source::ReadRequest request(source::ReadOrder order) const;
  target::LoadMode upsert_mode() const;
  bool target_empty();
  void begin_first_load();
  void finish_keys();
  std::string upper_bound();
};

} // namespace migrate::pipeline
