// The state store: where each table's committed position and the run history live.
//
// Implementations: SqliteStateStore (state/sqlite_state_store.hpp), PostgresStateStore
// (state/postgres_state_store.hpp), shared by several workers. Used from one thread at a time.
// The position is written only after PostgreSQL committed the rows it covers, so a crash between
// the two re-reads a window the idempotent upsert absorbs, and never skips one.
#pragma once

#include "migrate/core/agreement.hpp"
#include "migrate/core/error.hpp"
#include "migrate/core/result.hpp"
#include "migrate/state/position.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace migrate::state {

// A row that could not be written to PostgreSQL, kept so that nothing is lost silently.
struct QuarantineEntry {
  std::string table;
  std::string key; // "id=42"
  std::string column;
  std::string reason;
  std::string raw_hex;           // the value as MySQL sent it, in hex
  std::int64_t table_run_id = 0; // the table run that rejected it (stored as run_id)
  std::string at;                // UTC time it was (last) rejected
};

struct RunRecord {
  std::int64_t id = 0;
  std::int64_t invocation_id = 0; // 0: recorded before invocations were (or outside one)
  TableResult result;
  // Still marked running: the run is in progress now, or its process ended without finishing it.
  bool unfinished = false;
};

// A row `migrate validate --checksum` found different, by its key ("id=42").
struct DifferingRow {
  std::string key;
  std::string difference; // "missing in target", "extra in target", "content differs", or, for a
                          // row that legitimately differs, "changed since the last run" or
                          // "in quarantine"
  std::string chunk;      // the comparison chunk that holds it
};

// One table's validation as it was reported, kept for the HTML report and for Monday's reader.
struct ValidationRecord {
  std::int64_t id = 0;
  std::string table;
  std::string at;        // UTC time it finished, "2026-11-25T02:00:00Z"
  bool checksum = false; // false: counts only
  std::uint64_t source_rows = 0;
  std::uint64_t target_rows = 0;
  std::uint64_t behind = 0;      // source rows changed since the last run's cursor
  std::uint64_t quarantined = 0; // the table's rows in quarantine
  std::uint64_t unexplained = 0; // rows no legitimate reason accounts for
  std::uint64_t chunks_compared = 0;
  std::uint64_t chunks_differing = 0;
  Agreement outcome = Agreement::in_sync;
  std::string summary; // the result as printed
  std::string error;
  bool repaired = false; // --repair ran on the table before this result was taken
  std::vector<DifferingRow> rows;
};

// What is known when an invocation of `migrate` (a sync of one or more tables) starts.
struct InvocationStart {
  std::string host; // the machine it runs on
  std::int64_t pid = 0;
  std::string options; // the options that shape the run (--config, --table, --full...); no secrets
};

// One invocation and, summed over the table runs that point to it, what it did.
struct Invocation {
  std::int64_t id = 0;
  InvocationStart start;
  std::chrono::system_clock::time_point started;
  std::chrono::system_clock::time_point finished; // == started while unfinished
  std::optional<int> exit_code;                   // nullopt: did not finish (or still running)
  std::uint64_t notify_failures = 0;              // alerts that could not be sent
  std::uint64_t tables_ok = 0;
  std::uint64_t tables_failed = 0; // a run that did not finish counts as failed
  std::uint64_t rows_moved = 0;    // inserted + updated + deleted
  std::uint64_t quarantined = 0;
  // Its process is running it now, as the store can tell (a shared store: the invocation's lock is
  // held); false where the store cannot tell (SQLite: RunLock's holder says).
  bool running = false;

  double seconds() const { return std::chrono::duration<double>(finished - started).count(); }
};

// One table's part of a `migrate cutover`. A record with outcome "done" that is not reverted puts
// the table in PostgreSQL's hands: no command writes to it again until `migrate cutover --revert`.
struct CutoverRecord {
  std::int64_t id = 0;
  std::string table;
  std::int64_t invocation_id = 0; // the cutover's invocation
  std::string at;                 // UTC time it finished, "2026-11-25T02:00:00Z"
  std::string by;                 // who ran it: "user@host"
  std::string outcome;            // "done", or "stopped: <why>"
  std::string summary;            // the final sync's figures and the statements run, one line
  std::string reverted_at;        // empty while in force
  std::string reverted_by;

  bool in_force() const { return outcome == "done" && reverted_at.empty(); }
};

// What a store forgets (retention:, `migrate state prune`): records older than each cutoff; nullopt
// keeps them all. The newest run and the newest validation of each table are kept whatever their
// age (status and the report need them), and so is every cutover record.
struct PruneCutoffs {
  std::optional<std::chrono::system_clock::time_point> history; // runs, and invocations left empty
  std::optional<std::chrono::system_clock::time_point> validations; // with their differing rows
  // Quarantined rows keep their key, column and reason; their raw values are blanked.
  std::optional<std::chrono::system_clock::time_point> quarantine_values;
};

struct PruneCounts {
  std::uint64_t runs = 0;
  std::uint64_t invocations = 0;
  std::uint64_t validations = 0;
  std::uint64_t quarantine_values = 0;
};

enum class Lease { granted, held_elsewhere, done_elsewhere };

// Everything a store holds, read through the interface (read_snapshot()), for copying one store
// into another: `migrate state copy`.
struct StateSnapshot {
  std::vector<std::pair<std::string, Position>> positions;
  std::vector<Invocation> invocations; // ids kept
  std::vector<RunRecord> runs;         // ids and invocation ids kept; unfinished ones stay so
  std::vector<QuarantineEntry> quarantine;
  std::vector<ValidationRecord> validations; // with their rows
  std::vector<CutoverRecord> cutovers;       // ids kept
};

class StateStore {
public:
  virtual ~StateStore() = default;

  virtual std::optional<Position> position(const std::string& table) = 0;
  virtual void save_position(const std::string& table, const Position& position) = 0;
  virtual void clear_position(const std::string& table) = 0;

  // Records that a run of the table started; returns its id. finish_run() records what it did.
  virtual std::int64_t begin_run(const std::string& table) = 0;
  // Records that an invocation started; returns its id. Table runs begun from now until
  // finish_invocation() point to it (the pipeline need not know about invocations).
  virtual std::int64_t begin_invocation(const InvocationStart& start) = 0;
  virtual void finish_invocation(std::int64_t id, int exit_code, std::uint64_t notify_failures) = 0;
  // The newest `last` invocations, newest first.
  virtual std::vector<Invocation> invocations(std::size_t last) = 0;

  virtual void finish_run(std::int64_t id, const TableResult& result) = 0;

  // Records rejected rows; a row rejected again replaces its earlier entry.
  virtual void quarantine(const std::vector<QuarantineEntry>& entries) = 0;
  // Forgets the entries of rows that have since been written to the target.
  virtual void release(const std::string& table, const std::vector<std::string>& keys) = 0;
  // The quarantined rows of one table, or of every table when `table` is empty.
  virtual std::vector<QuarantineEntry> quarantined(const std::string& table) = 0;

  // How many runs of the table finished successfully.
  virtual std::uint64_t successful_runs(const std::string& table) = 0;

  // The newest run of every table that has one, by table name.
  virtual std::vector<RunRecord> latest_runs() = 0;

  // The table's `last` newest runs, oldest first.
  virtual std::vector<RunRecord> runs(const std::string& table, std::size_t last) = 0;

  // Stores a validation with its differing rows in one transaction; returns its id.
  virtual std::int64_t record_validation(const ValidationRecord& record) = 0;
  // The table's `last` newest validations, oldest first; `rows` is filled only when `with_rows`.
  virtual std::vector<ValidationRecord>
  validations(const std::string& table, std::size_t last, bool with_rows) = 0;
  // The table's newest run that finished ok, if any.
  virtual std::optional<RunRecord> last_successful_run(const std::string& table) = 0;

  // Stores one table's cutover; returns its id.
  virtual std::int64_t record_cutover(const CutoverRecord& record) = 0;
  // The cutover that holds `table` now: its newest "done" record, unless reverted.
  virtual std::optional<CutoverRecord> cutover_in_force(const std::string& table) = 0;
  // Marks the cutover in force of `table` reverted, at now by `by`; false when there was none.
  virtual bool revert_cutover(const std::string& table, const std::string& by) = 0;
  // The newest `last` cutover records of every table, newest first.
  virtual std::vector<CutoverRecord> cutovers(std::size_t last) = 0;

  // Forgets what is older than the cutoffs (PruneCutoffs), in one transaction; says how much.
  virtual PruneCounts prune(const PruneCutoffs& cutoffs) = 0;

  // Leases `table` to this process so that workers sharing one store never run it at once:
  // `granted` (held until release_lease() or the end of the process), `held_elsewhere` (another
  // worker runs it now) or `done_elsewhere` (another worker ran it since this one's invocation
  // began: a table runs once per round of workers). A store that one process uses at a time
  // (SQLite, under RunLock) grants every lease.
  virtual Lease lease(const std::string& table) {
    (void)table;
    return Lease::granted;
  }
  virtual void release_lease(const std::string& table) { (void)table; }
  // Whether another process holds the lease of `table` now (it is running it); nullopt when the
  // store cannot tell (SQLite: RunLock's holder says whether a run is going on).
  virtual std::optional<bool> leased_elsewhere(const std::string& table) {
    (void)table;
    return std::nullopt;
  }

  // Writes `snapshot` into this store, which must hold no run, invocation or validation yet; ids,
  // times and outcomes are kept. Throws Error(area state); stores that cannot take a copy say so.
  virtual void restore(const StateSnapshot& snapshot) {
    (void)snapshot;
    throw Error(ErrorArea::state, "this state store cannot take a copy");
  }
};

// Reads everything `store` holds about `tables` (the mapping's) and about any table it has runs
// of: positions, every run and invocation, the quarantine and validations with their rows.
StateSnapshot read_snapshot(StateStore& store, const std::vector<std::string>& tables);

} // namespace migrate::state
