// One table's run: change detection, conversion, load and the position that makes it resumable.
//
// Sees only the Source, Target and StateStore interfaces. Extraction and encoding run on a second
// thread and hand COPY text to the load through a bounded queue, so the two overlap in bounded
// memory.
#pragma once

#include "migrate/config/config.hpp"
#include "migrate/core/result.hpp"
#include "migrate/pipeline/progress.hpp"
#include "migrate/source/source.hpp"
#include "migrate/state/state_store.hpp"
#include "migrate/target/target.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace migrate::pipeline {

// Another connection to each database.
struct Connections {
  std::unique_ptr<source::Source> source;
  std::unique_ptr<target::Target> target;
};

struct SyncOptions {
  bool full = false;   // ignore the stored position; compare both ways
  bool reload = false; // read and merge every row again
  config::Retry retry; // how transient failures are retried
  // The whole run's deadline: a table stops after the commit group in flight (its position stays
  // valid) and fails with ErrorArea::deadline.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  std::chrono::seconds stall_warning{60}; // log when no row has arrived for this long
  std::optional<std::string> since; // re-read rows with timestamp > since ('YYYY-MM-DD HH:MM:SS')
  ProgressObserver* progress = nullptr; // told of rows as they are loaded; may be null
  // Opens connections for one key range of a first load split over parallel_ranges connections;
  // empty: every load is one stream. Called from the range's own thread.
  std::function<Connections()> connect;
  // The cutover's final sync: a chunk holding a row changed or inserted in PostgreSQL by
  // something other than migrate is not overwritten, so that the checksum after it names the rows.
  bool leave_target_edits = false;
  // --allow-mass-delete: deletes beyond the table's max_delete_ratio are carried out.
  bool allow_mass_delete = false;
};

// What a command that would write to a cut-over table says instead, one line: "cut over at ...
// by ...; <not_done> (...)", not_done as "not synced".
Error cut_over_error(const state::CutoverRecord& cutover, const std::string& not_done);

// Runs one table; a table cut over to PostgreSQL (StateStore::cutover_in_force) is left untouched
// and its run fails with cut_over_error(). Never throws for a failure of the table itself: the
// result says failed, with the error text, and the run record is stored. Throws only when the state
// store itself fails.
TableResult sync_table(const config::TableMapping& mapping,
                       source::Source& source,
                       target::Target& target,
                       state::StateStore& state,
                       const SyncOptions& options);

// Chunk digests of both sides compared, nothing repaired. Exact where the target carries row
// digests and seals (every table a run of this version has written): MySQL's digests of its own
// values against those stored with each row, and each row's seal against a fresh hash of its
// PostgreSQL values, so that a change on either side shows, in any column.
struct ChecksumReport {
  std::size_t chunks_compared = 0;
  std::uint64_t source_rows = 0;
  // False: the target has no row digests or seals yet (no run of this version has written it),
  // so each side's normalised values were compared, which `partly_compared` says miss in part.
  bool exact = false;
  std::uint64_t rows_unsealed = 0;           // rows whose seal does not hold
  std::vector<std::string> chunks_differing; // each as its key range
  std::vector<std::string> partly_compared;  // columns compared only in part (not exact)
  // For narrowing the differing chunks down to rows: the comparison's plan and the ids of the
  // chunks behind chunks_differing, in the same order.
  ComparePlan plan;
  std::vector<std::string> differing_ids;
  // The table's checksum: the XOR of every target row's 64 bits, in hex. Equal on both sides when
  // the table compares equal (`migrate cutover` reports it).
  std::string checksum;

  bool ok() const { return chunks_differing.empty(); }
};

// `quarantined_keys`: the table's rows in quarantine, named in the chunks they make differ. Throws
// Error when a side cannot be read.
ChecksumReport checksum_table(const config::TableMapping& mapping,
                              source::Source& source,
                              target::Target& target,
                              const std::vector<std::string>& quarantined_keys = {});

// What the tool would create for a table and what it finds wrong with the existing one.
struct SchemaReport {
  TargetTable expected; // the table the tool would create
  std::string ddl;
  bool exists = false;
  std::vector<std::string> drift; // empty: the existing table can take the rows
  // Of the drift: what a run with schema_changes: apply would change, its DDL, and what it refuses.
  std::vector<SchemaChange> changes;
  std::string change_ddl;
  std::vector<std::string> refused;
};

// Reads MySQL's description and the target's; changes nothing. Throws Error on failure.
SchemaReport
inspect_schema(const config::TableMapping& mapping, source::Source& source, target::Target& target);

// What the next run of a table would do, found without writing anything (`migrate plan`).
struct RunPlan {
  std::string pass;           // initial, full, incremental, compare or replace
  bool resume = false;        // an interrupted first pass continues after its stored key
  bool compare_after = false; // a comparison follows the pass
  // The comparison covers one slice of the table (verify_every): slice `verify_slice` of
  // `verify_slices`, counted from 1; 0 when the comparison covers the whole table.
  std::size_t verify_slice = 0;
  std::size_t verify_slices = 0;
  bool compare_due = false; // this run's turn to compare (compare_every)
  std::string cursor;       // where the read starts ("" for the start of the table)
  std::string upper_bound;  // the read's upper bound (timestamp tables)
  std::string void_reason;  // why a stored position would be voided, when it would
  std::optional<std::uint64_t> rows_to_read; // COUNT(*) with the read's predicate
  std::string ddl;                // what the run would create; empty when the target exists
  std::vector<std::string> drift; // why the existing target cannot take the rows
  std::vector<std::string> schema_changes; // what the run applies first (schema_changes: apply)
  // A first load split into key ranges (parallel_ranges): "4 key ranges" for a new one, "5 key
  // ranges, going on where an earlier run stopped" for one begun earlier; empty: one stream.
  std::string key_ranges;
};

// `state` may be null: no state file yet, so no stored position. Throws Error when a side cannot
// be read or the mapping does not fit the table.
RunPlan plan_run(const config::TableMapping& mapping,
                 source::Source& source,
                 target::Target& target,
                 state::StateStore* state,
                 const SyncOptions& options = {});

} // namespace migrate::pipeline
