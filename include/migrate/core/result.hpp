// The outcome of one table's run: a value that is logged, stored in the state file and summarised.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

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

struct TableResult {
  std::string table; // the source table's name
  Outcome outcome = Outcome::ok;
  TableCounts counts;
  std::chrono::system_clock::time_point started;
  std::chrono::system_clock::time_point finished;
  std::string mode;              // "initial", "incremental", "full"
  std::string watermark;         // the committed cursor after the run, as text
  std::string upper_bound;       // the run's upper bound on the timestamp column, if any
  std::string error;             // empty when ok
  bool deadline_reached = false; // stopped by the run's max_runtime

  double seconds() const { return std::chrono::duration<double>(finished - started).count(); }
};

const char* to_string(Outcome outcome) noexcept;

// "2026-11-25T02:00:00Z"
std::string format_utc(std::chrono::system_clock::time_point time);

} // namespace migrate
