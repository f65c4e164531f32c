#include "cli/adapters.hpp"
#include "cli/commands.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/core/log_text.hpp"
#include "migrate/pipeline/table_sync.hpp"

#include <iostream>

namespace migrate::cli {
namespace {

// The DDL of the changes a run would apply, one statement a line; as comments when `commented`.
void print_changes(const pipeline::SchemaReport& report, bool commented) {
  std::string line;
  for (const char c : report.change_ddl) {
    if (c != '\n') {
      line += c;
      continue;
    }
    std::cout << (commented ? "--   " : "") << line << "\n";
    line.clear();
  }
}

// `--diff`: what the next run changes in the target, and what it refuses. True when the run would
// fail the table.
bool print_diff(const config::TableMapping& table, const pipeline::SchemaReport& report) {
  if (!report.exists) {
    std::cout << "-- target does not exist yet: the next run creates it\n\n";
    return false;
  }
  if (report.drift.empty()) {
    std::cout << "-- no change\n\n";
    return false;
  }
  for (const auto& problem : report.refused) {
    std::cout << "-- REFUSED: " << problem << "\n";
  }
  const bool applies = table.schema_changes == config::SchemaChanges::apply;
  if (!report.refused.empty()) {
    std::cout << "-- the next run fails this table and changes nothing: alter the PostgreSQL table "
                 "(or the mapping) yourself\n";
  } else if (!applies) {
    std::cout
        << "-- schema_changes: fail: the next run fails this table; with apply it would run:\n";
  } else {
    std::cout << "-- the next run applies, in one transaction, before any row moves:\n";
  }
  print_changes(report, !report.refused.empty() || !applies);
  for (const auto& change : report.changes) {
    if (change.kind == SchemaChange::Kind::add_column) {
      std::cout << "-- new columns: the run reads every row again to fill them\n";
      break;
    }
  }
  std::cout << "\n";
  return !report.refused.empty() || !applies;
}

bool print_schema(const pipeline::SchemaReport& report) {
  std::cout << report.ddl << ";\n";
  if (!report.exists) {
    std::cout << "-- target does not exist yet: the next run creates it\n\n";
    return false;
  }
  if (report.drift.empty()) {
    std::cout << "-- target exists and matches\n\n";
    return false;
  }
  for (const auto& problem : report.drift) {
    std::cout << "-- DRIFT: " << problem << "\n";
  }
  if (!report.changes.empty()) {
    std::cout
        << "-- additive, applied by a run with schema_changes: apply (migrate schema --diff):\n";
    print_changes(report, true);
  }
  std::cout << "\n";
  return true;
}

} // namespace

CLI::App* setup_schema(CLI::App& app, bool& diff) {
  auto* command = app.add_subcommand(
      "schema", "print the DDL migrate would create and the drift it sees per table");
  command->add_flag("--diff",
                    diff,
                    "only what the next run would change in each existing target (schema_changes) "
                    "and what it refuses; changes nothing");
  return command;
}

int run_schema(const GlobalOptions& global, bool diff) {
  const CommandContext context(global, config::LoadMode::full);
  const auto source = context.adapters.source();
  const auto target = context.adapters.target();
  log_connections(context.config, *source, *target);
  bool failing = false;
  for (const auto* table : context.tables) {
    std::cout << "-- " << table->source_table << " → " << table->target_schema << "."
              << table->target_table << "\n";
    try {
      const auto report = pipeline::inspect_schema(*table, *source, *target);
      failing = (diff ? print_diff(*table, report) : print_schema(report)) || failing;
    } catch (const std::exception& e) {
      failing = true;
      std::cout << "-- ERROR: " << one_line(e.what()) << "\n\n";
    }
  }
  return failing ? k_exit_table_failed : k_exit_ok;
}

} // namespace migrate::cli
