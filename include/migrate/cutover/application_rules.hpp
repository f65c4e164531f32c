// What MySQL does for an application without being asked, and the cutover gives it in PostgreSQL:
// column defaults, NOT NULL, ON UPDATE CURRENT_TIMESTAMP, CHECK constraints, and unique keys that
// ignore case. Pure decisions over both catalogs, as cutover_plan.hpp's: each looks at the target
// first, so that a second cutover plans nothing.
#pragma once

#include "migrate/core/schema.hpp"
#include "migrate/cutover/cutover_plan.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace migrate::cutover {

// A column default as MySQL's catalog reports it.
struct ColumnDefault {
  enum class Kind {
    none,       // no default, or DEFAULT NULL
    literal,    // a constant: `value` unquoted
    now,        // CURRENT_TIMESTAMP, NOW() with or without precision
    expression, // anything else (MySQL 8.0.13+ `DEFAULT (uuid())`): `value` as reported
  };
  Kind kind = Kind::none;
  std::string value;
};

// Reads COLUMN_DEFAULT and EXTRA. MariaDB (10.2.7+) quotes literals and reports DEFAULT NULL as
// the text NULL; MySQL writes literals bare and marks expressions DEFAULT_GENERATED in EXTRA
// (8.0.13+), 5.7 writes CURRENT_TIMESTAMP bare.
ColumnDefault parse_default(const SourceColumn& column, bool mariadb);

// EXTRA holds "on update CURRENT_TIMESTAMP" (any precision, any case).
bool updates_on_change(const SourceColumn& column);

// The column compares text without case (a `_ci` collation, or one whose name implies it).
bool case_insensitive(const SourceColumn& column);

// What the application needs of one target column, as the mapping and MySQL say.
struct ColumnRule {
  std::string column;  // target name
  std::string pg_type; // target type
  ColumnDefault default_value;
  bool not_null = false;  // the sync's plan says the column refuses NULL
  bool on_update = false; // MySQL sets it to the current time when the row changes
  std::string no_default; // why MySQL's default is not carried over (a transformed column...)
};

struct RulesDecision {
  std::vector<Step> steps;
  std::vector<std::string> notes; // what is left as it is, and why
};

// SET DEFAULT where the target column has none, SET NOT NULL where it still takes NULL, and an
// ON UPDATE trigger (a BEFORE UPDATE trigger setting the column to statement_timestamp() when the
// row changed and the statement left the column as it was) where none is there yet.
RulesDecision plan_column_rules(const TargetTable& table,
                                const std::vector<ColumnRule>& rules,
                                const TargetCatalog& catalog);

// The name of the ON UPDATE trigger, and of its function, for a column.
std::string on_update_trigger_name(const TargetTable& table, const std::string& column);

// A column's target name by its MySQL name; nullopt when the mapping leaves it out.
using ColumnLookup = std::function<std::optional<std::string>(const std::string&)>;

// MySQL's CHECK clause in PostgreSQL's words: backquoted names become the target's quoted names,
// character set introducers (_utf8mb4'a') are dropped and backslash escapes in string literals
// undone. Throws std::invalid_argument naming a column the mapping leaves out.
std::string check_clause(const std::string& mysql_clause, const ColumnLookup& column);

// Each CHECK constraint added NOT VALID where missing, then validated, as foreign keys are.
// MariaDB's json_valid() checks are left out: the target column is json already.
RulesDecision plan_checks(const TargetTable& table,
                          const std::vector<SourceCheck>& checks,
                          const ColumnLookup& column,
                          const TargetCatalog& catalog);

} // namespace migrate::cutover
