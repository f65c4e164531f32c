#include "cli/adapters.hpp"
#include "cli/commands.hpp"
#include "cli/json_writer.hpp"

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

// `--diff`: what the next run changes in the target, and what it refuses.
void print_diff(const config::TableMapping& table, const pipeline::SchemaReport& report) {
  if (!report.exists) {
    std::cout << "-- target does not exist yet: the next run creates it\n\n";
    return;
  }
  if (report.drift.empty()) {
    std::cout << "-- no change\n\n";
    return;
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
}

void print_schema(const pipeline::SchemaReport& report) {
  std::cout << report.ddl << ";\n";
  if (!report.exists) {
    std::cout << "-- target does not exist yet: the next run creates it\n\n";
    return;
  }
  if (report.drift.empty()) {
    std::cout << "-- target exists and matches\n\n";
    return;
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
}

// What the next run does with the table, for --json: the text's verdicts as members.
void write_schema(JsonWriter& json,
                  const config::TableMapping& table,
                  const pipeline::SchemaReport& report) {
  const auto strings = [&json](const std::string& key, const std::vector<std::string>& values) {
    json.key(key).begin_array();
    for (const auto& value : values) {
      json.value(value);
    }
    json.end_array();
  };
  json.key("ddl").value(report.ddl).key("exists").value(report.exists);
  strings("drift", report.drift);
  strings("refused", report.refused);
  strings("change_ddl", split_lines(report.change_ddl));
  json.key("schema_changes")
      .value(table.schema_changes == config::SchemaChanges::apply ? "apply" : "fail");
  bool new_columns = false;
  for (const auto& change : report.changes) {
    new_columns = new_columns || change.kind == SchemaChange::Kind::add_column;
  }
  json.key("rereads_rows").value(new_columns); // new columns: the run reads every row again
}

// Whether the next run fails the table: any drift (plain schema), or drift it will not apply
// (--diff).
bool schema_fails(const config::TableMapping& table,
                  const pipeline::SchemaReport& report,
                  bool diff) {
  if (!report.exists || report.drift.empty()) {
    return false;
  }
  return !diff || !report.refused.empty() || table.schema_changes != config::SchemaChanges::apply;
}

} // namespace

CLI::App* setup_schema(CLI::App& app, bool& diff, bool& json) {
  auto* command = app.add_subcommand(
      "schema", "print the DDL migrate would create and the drift it sees per table");
  command->add_flag("--diff",
                    diff,
                    "only what the next run would change in each existing target (schema_changes) "
                    "and what it refuses; changes nothing");
  command->add_flag("--json", json, "one JSON document: each table's DDL, drift and changes");
  return command;
}

int run_schema(const GlobalOptions& global, bool diff, bool as_json) {
  const CommandContext context(global, config::ReadScope::full);
  const auto source = context.adapters.source();
  const auto target = context.adapters.target();
  log_connections(context.config, *source, *target);
  bool failing = false;
  JsonWriter json;
  json.begin_object().key("tables").begin_array();
  for (const auto* table : context.tables) {
    const auto name = table->target_schema + "." + table->target_table;
    json.begin_object().key("table").value(table->name).key("target").value(name);
    if (!as_json) {
      std::cout << "-- " << table->source_table << " → " << name << "\n";
    }
    try {
      const auto report = pipeline::inspect_schema(*table, *source, *target);
      failing = schema_fails(*table, report, diff) || failing;
      as_json ? write_schema(json, *table, report)
              : void(diff ? print_diff(*table, report) : print_schema(report));
      json.key("error").null();
    } catch (const std::exception& e) {
      failing = true;
      json.key("error").value(one_line(e.what()));
      if (!as_json) {
        std::cout << "-- ERROR: " << one_line(e.what()) << "\n\n";
      }
    }
    json.end_object();
  }
  json.end_array().key("ok").value(!failing).end_object();
  if (as_json) {
    std::cout << json.str() << "\n";
  }
  return failing ? k_exit_table_failed : k_exit_ok;
}

} // namespace migrate::cli
