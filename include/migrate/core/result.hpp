// The outcome of one table's run: a value that is logged, stored in the state file and summarised.
#pragma once

#include "migrate/core/error.hpp"
#include "migrate/core/pass.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace migrate {

struct TableCounts {
  std::uint64_t rows_read = 0;
  std::uint64_t inserted = 0;
  std::uint64_t updated = 0;
  std::uint64_t unchanged = 0; // read again (lookback, full pass) but equal to the target's
  std::uint64_t deleted = 0;
  std::uint64_t zero_dates = 0;      // MySQL zero dates written as NULL
  std::uint64_t null_timestamps = 0; // rows whose timestamp column is NULL, moved by a full pass
  std::uint64_t chunks_compared = 0;
  std::uint64_t chunks_differing = 0;    // their rows were fetched and reconciled
  std::uint64_t quarantined = 0;         // rows rejected into the quarantine (each row once)
  std::uint64_t found_by_comparison = 0; // of the rows moved, those a comparison found
  std::uint64_t retries = 0;             // transient failures retried
  std::uint64_t repaired_encodings = 0;
  std::uint64_t bad_text_fixed = 0; // values stripped or replaced under bad_text

  std::uint64_t moved() const { return inserted + updated + deleted; }
};

enum class Outcome { ok, failed };

// What a table's run did: its main pass, and whether a comparison followed it.
struct RunMode {
  Pass pass = Pass::none;
  bool compared = false; // a comparison followed the pass
  bool verified = false; // a comparison of one slice of the table followed it (verify_every)

  bool operator==(const RunMode& other) const {
    return pass == other.pass && compared == other.compared && verified == other.verified;
  }
};

// "initial", "incremental+compare", "incremental+verify", "none"; parse_run_mode reads it back
// (unknown text: none).
std::string to_string(const RunMode& mode);
RunMode parse_run_mode(const std::string& text);
// What tables and messages show: "-" for a run that did nothing, else to_string().
std::string mode_label(const RunMode& mode);
// The same in words a reader of the weekly mail knows: "first load", "changes since last run,
// then compared", "whole table read again"; "did not run" for a run that did nothing.
std::string plain_mode(const RunMode& mode);

struct TableResult {
  std::string table; // the source table's name
  Outcome outcome = Outcome::ok;
  TableCounts counts;
  std::chrono::system_clock::time_point started;
  std::chrono::system_clock::time_point finished;
  RunMode mode;
  std::string position;    // the committed position after the run, as text (runs.watermark)
  std::string upper_bound; // the run's upper bound on the timestamp column, if any
  // Changes made to the target table before rows moved (schema_changes: apply), one line each:
  // "public.users: add column ...".
  std::vector<std::string> schema_changes;
  // The open MySQL transaction that held the table's read bound back further than its lookback, as
  // the run said it ("an open transaction (MySQL connection 42, open for 2h 03m) ..."); empty:
  // none.
  std::string held_back;
  // Why the run failed, with its structure (area, table, column, key, SQLSTATE, transient):
  // what retries, alerts and the state file read. Empty when ok.
  std::optional<Error> error;

  double seconds() const { return std::chrono::duration<double>(finished - started).count(); }
  // Stopped by the run's max_runtime, after a commit or before it began.
  bool deadline_reached() const { return error && error->area() == ErrorArea::deadline; }
  // The error's full text (message and context), or "" when ok.
  std::string error_text() const { return error ? error->what() : std::string(); }
};

const char* to_string(Outcome outcome) noexcept;

// What tables, logs and messages call a result: "ok", "failed", or for a run the max_runtime
// ended, "stopped" (it moved rows up to a commit and goes on next run) and "not started".
const char* outcome_label(const TableResult& result) noexcept;
// outcome_label() as one word for a key=value log field: "not_started".
std::string outcome_word(const TableResult& result);

// "2026-11-25T02:00:00Z"
std::string format_utc(std::chrono::system_clock::time_point time);

} // namespace migrate
