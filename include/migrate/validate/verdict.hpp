// What a validation's differences mean: the decisions that tell a legitimate difference (rows
// changed since the last run, rows in quarantine, deletes the mapping keeps) from a mismatch.
// Pure functions over counts and flags; the commands gather the facts.
#pragma once

#include "migrate/core/agreement.hpp"

#include <cstdint>
#include <string>

namespace migrate::validate {

// What a count comparison found, and what may account for a difference.
struct CountFacts {
  std::uint64_t source_rows = 0;       // MySQL, the mapping's `where` applied
  std::uint64_t target_rows = 0;       // PostgreSQL, soft-deleted rows left out
  std::uint64_t changed_since_run = 0; // source rows whose timestamp is above the stored cursor
  std::uint64_t quarantined = 0;       // the table's rows in quarantine (never in the target)
  bool deletes_kept = false; // deletes: ignore, so rows deleted in MySQL stay in PostgreSQL
  // Left out of the counts above by design, shown so that the reader sees where they went.
  std::uint64_t excluded_by_where = 0; // MySQL rows the mapping's `where` leaves out
  std::uint64_t soft_deleted = 0;      // PostgreSQL rows marked deleted
  std::uint64_t first_pass_left = 0;   // rows an unfinished first pass has not reached yet
};

struct CountVerdict {
  Agreement agreement = Agreement::in_sync;
  std::uint64_t behind = 0;          // rows changed since the last run (all of them, shown as is)
  std::uint64_t quarantined = 0;     // the table's rows in quarantine
  std::uint64_t first_pass_left = 0; // rows an unfinished first pass has not reached yet
  std::uint64_t kept = 0;            // extra target rows a `deletes: ignore` mapping keeps
  std::uint64_t missing = 0;         // target rows missing that nothing accounts for
  std::uint64_t extra = 0;           // target rows in excess that nothing accounts for
  std::uint64_t excluded_by_where = 0;
  std::uint64_t soft_deleted = 0;

  std::uint64_t unexplained() const { return missing + extra; }
  // "in sync", "behind by 3 rows changed since the last run; 2 in quarantine", "MISMATCH: ...",
  // with "(5 excluded by where, 2 soft-deleted)" after it when there are such rows.
  std::string text() const;
};

// Rows missing from the target are accounted for first by the quarantine (those rows can never
// be there), then by the rows an unfinished first pass has not reached, then by rows changed since
// the last run (new rows not read yet); extra target rows only by a mapping that keeps deletes.
// What is left is a mismatch.
CountVerdict classify_counts(const CountFacts& facts);

// How one row found by --checksum differs.
enum class RowDifference { missing_in_target, extra_in_target, content_differs };

// What may explain one differing row.
struct RowReasons {
  bool changed_since_run = false;      // its timestamp is above the stored cursor
  bool quarantined = false;            // its key is in the quarantine
  bool deletes_kept = false;           // the table's deletes are ignored
  bool not_reached = false;            // its key is after an unfinished first pass's position
  bool not_written_by_migrate = false; // an extra target row carrying no digest of MySQL's values
};

// What a differing row means, as stored and shown: the row's own difference ("missing in target",
// "extra in target", "content differs") unless a legitimate reason explains it: "in quarantine",
// "not loaded yet (first load under way)", "changed since the last run", or "deleted in MySQL, kept
// (deletes: ignore)" for an extra row. A row the target has and MySQL has not was not changed,
// quarantined or skipped in MySQL: only kept deletes explain it, and only for a row migrate wrote
// ("extra in target (never came from MySQL)" otherwise).
std::string explain_row(RowDifference difference, const RowReasons& reasons);

// True for the texts of explain_row() that are a real mismatch.
bool is_mismatch(const std::string& explanation);

} // namespace migrate::validate
