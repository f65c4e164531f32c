// The DDL half of `migrate cutover`: reads MySQL's catalog (AUTO_INCREMENT counters, foreign keys,
// indexes) and pg_catalog, plans what each table still needs (cutover_plan.hpp) and runs it
// through the Target. The final sync and checksum before it are the command's (cli).
//
// Sees only the Source and Target interfaces. Every statement runs in a transaction of its own,
// so an interruption leaves whole statements done, which the next cutover does not plan again.
#pragma once

#include "migrate/config/config.hpp"
#include "migrate/cutover/cutover_plan.hpp"
#include "migrate/source/source.hpp"
#include "migrate/target/target.hpp"

#include <string>
#include <vector>

namespace migrate::cutover {

// One table's part of the cutover.
struct TableCutover {
  std::string table; // the mapping's source table, as messages name it
  TargetTable target;
  std::optional<std::string> serial_column; // the AUTO_INCREMENT column's target name
  std::optional<std::int64_t> next_value;   // the value its next INSERT gets
  std::vector<TargetForeignKey> foreign_keys;
  std::vector<Step> steps;        // sequence and indexes (phase 1), then foreign keys (phases 2, 3)
  std::vector<std::string> notes; // what is left as it is, and why
  TargetCatalog catalog;          // pg_catalog's view of the table when it was planned
};

// Reads both catalogs and plans every table of `tables`. Foreign keys are kept where both tables
// are among `all` (the whole mapping). Secondary indexes are those `indexes: true` would build.
// Throws Error when a side cannot be read.
std::vector<TableCutover> plan_cutover(const std::vector<const config::TableMapping*>& tables,
                                       const std::vector<config::TableMapping>& all,
                                       source::Source& source,
                                       target::Target& target);

// What running one step did.
struct StepOutcome {
  std::string table;
  Step step;
  enum class Result { done, failed, skipped } result = Result::done;
  std::string error;                // failed: the message, with the SQLSTATE
  std::vector<std::string> orphans; // a foreign key that failed to validate: the rows breaking it
};

// Runs the plans' steps in three phases across all tables: sequences and indexes (a foreign key
// needs a unique index on the columns it references), foreign keys added NOT VALID, then
// validated. A failed step is recorded and the others still run; a step that needs one that
// failed (dropping the sync's twin of a unique index, validating a key not added) is skipped.
// A key that fails validation is reported with up to `orphans_shown` rows breaking it.
std::vector<StepOutcome> apply_cutover(const std::vector<TableCutover>& plans,
                                       target::Target& target,
                                       std::size_t orphans_shown = 10);

// What `cutover --revert` runs on a table handed back to the sync: the statements that would stop
// or rewrite the sync's writes go (the foreign keys, as the sync writes tables one by one; the
// unique indexes, a sync passing through a state MySQL never showed, replaced by the sync's plain
// twins; the ON UPDATE triggers, which would move the timestamps it writes). Identities,
// defaults, NOT NULLs and checks stay: MySQL holds its rows to them too.
std::vector<Step> plan_revert(const TableCutover& plan);

} // namespace migrate::cutover
