// One table validated: the verdict `migrate validate` stores and prints, by row counts or by chunk
// digests narrowed down to rows, each difference said why (changed since the last run, in
// quarantine, not loaded yet, kept by `deletes: ignore`, or a mismatch); and `--repair`, which
// re-syncs the rows that really differ and compares again. A sync's validate_after and the
// cutover's final checksum use the same verdicts.
//
// Sees only the Source, Target and StateStore interfaces; the digests come from
// pipeline::checksum_table(). Reads the state store (positions, quarantine, runs, cutovers) and
// writes it only where --repair stores the verdict it acts on. Logging and printing a verdict are
// the command's. One table at a time, on the caller's thread.
#pragma once

#include "migrate/config/config.hpp"
#include "migrate/pipeline/table_sync.hpp"
#include "migrate/source/source.hpp"
#include "migrate/state/state_store.hpp"
#include "migrate/target/target.hpp"
#include "migrate/validate/repair.hpp"

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace migrate::validate {

// One table's verdict, by counts or (checksum) by chunk digests narrowed down to rows.
struct TableVerdict {
  state::ValidationRecord record;  // what is stored, and printed
  pipeline::ChecksumReport report; // checksum only
  // Differing chunks no row names: float sums beyond the tolerance, or a keyless table's one chunk.
  std::vector<std::string> chunks_without_rows;
  std::set<std::string> chunks_with_mismatches; // ids of the chunks holding a mismatched row
  bool keyless = false;                         // compared whole: no key names a row
  std::optional<RepairResult> repair;           // set when --repair wrote the table
  std::optional<state::ValidationRecord> before_repair;

  const std::string& table() const { return record.table; }
  bool ok() const {
    return record.outcome != Agreement::mismatch && record.outcome != Agreement::error;
  }
  // The result column: "ok", "MISMATCH" (counts), "DIFFERS" (digests) or "error".
  std::string result() const;
};

// Counts both sides and says what accounts for a difference: rows changed since the stored
// position, rows an unfinished first pass has not reached, the quarantine, kept deletes; the
// summary names a run an open transaction held back. Never throws for the table's own failure:
// the record's outcome is then "error" and its summary "error: <what>".
TableVerdict count_verdict(const config::TableMapping& table,
                           source::Source& source,
                           target::Target& target,
                           state::StateStore& state);

// Compares by chunk digests, then reads the differing chunks row by row on both sides and
// explains each row. A keyless (or replaced) table is compared whole. A comparison that is not
// exact says so in the summary. Never throws for the table's own failure, as count_verdict().
TableVerdict checksum_verdict(const config::TableMapping& table,
                              source::Source& source,
                              target::Target& target,
                              state::StateStore& state);

// Sets the record's outcome and summary from its classified rows and chunks_without_rows, and
// adds the rows that are mismatches to `unexplained`, those changed or not loaded yet to `behind`.
// Outcome: "mismatch" when anything is one, else "behind", "quarantine" or "in sync".
void summarise_rows(TableVerdict& verdict);

// The chunks --repair re-syncs: those holding a mismatched row and those differing without a row
// to name, sorted, each once. Not those whose rows only changed since the last run or are
// quarantined.
std::vector<std::string> chunks_to_repair(const TableVerdict& verdict);

// "price (float: the chunk's sum), doc (NULL or not)": what a comparison that is not exact misses;
// "every column by its normalised text" when it misses nothing.
std::string partly_compared_text(const pipeline::ChecksumReport& report);

// `validate --checksum --repair` of one table, given its checksum_verdict(): a table that is ok
// or failed is returned as it is; one cut over (StateStore::cutover_in_force) is not written and
// becomes an error; a keyless one is left to the next run, which replaces its content. Otherwise
// `before_repair` is told of the verdict, which is then stored, chunks_to_repair() are re-synced
// (validate::repair_chunks) and the table is compared again: the new verdict is `repaired`, with
// `repair` and `before_repair` set. A repair that fails is the verdict's error. The caller holds
// the table's claim (state::TableClaim): the repair writes as a run does.
TableVerdict repair_and_check(TableVerdict verdict,
                              const config::TableMapping& table,
                              source::Source& source,
                              target::Target& target,
                              state::StateStore& state,
                              const std::function<void(const TableVerdict&)>& before_repair);

} // namespace migrate::validate
