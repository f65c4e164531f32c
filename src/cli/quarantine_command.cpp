#include "cli/adapters.hpp"
#include "cli/commands.hpp"
#include "cli/json_writer.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/core/log_text.hpp"

#include <spdlog/fmt/fmt.h>

#include <iostream>

namespace migrate::cli {
namespace {

void print_lines(const std::vector<state::QuarantineEntry>& entries) {
  for (const auto& entry : entries) {
    std::cout << fmt::format("table={} key={} column={} run={} at={} reason={} raw_hex={}\n",
                             entry.table,
                             quote_field(entry.key),
                             entry.column,
                             entry.table_run_id,
                             entry.at,
                             quote_field(entry.reason),
                             entry.raw_hex);
  }
  std::cout << "quarantined rows: " << entries.size() << "\n";
}

void print_json(const std::vector<state::QuarantineEntry>& entries) {
  JsonWriter json;
  json.begin_object().key("rows").begin_array();
  for (const auto& entry : entries) {
    json.begin_object()
        .key("table")
        .value(entry.table)
        .key("key")
        .value(entry.key)
        .key("column")
        .value(entry.column)
        .key("run")
        .value(entry.table_run_id)
        .key("at")
        .value(entry.at)
        .key("reason")
        .value(entry.reason)
        .key("raw_hex")
        .value(entry.raw_hex)
        .end_object();
  }
  json.end_array().key("total").value(static_cast<std::uint64_t>(entries.size())).end_object();
  std::cout << json.str() << "\n";
}

} // namespace

CLI::App* setup_quarantine(CLI::App& app, bool& json) {
  auto* command = app.add_subcommand("quarantine",
                                     "list the rows that could not be written to PostgreSQL, with "
                                     "the reason (reads only the state file)");
  command->add_flag("--json", json, "one JSON document instead of the lines");
  return command;
}

int run_quarantine(const GlobalOptions& global, bool json) {
  const CommandContext context(global, config::ReadScope::state_only);
  const auto state = context.adapters.state();
  std::vector<state::QuarantineEntry> entries;
  for (const auto* table : context.tables) {
    auto more = state->quarantined(table->source_table);
    entries.insert(
        entries.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  }
  json ? print_json(entries) : print_lines(entries);
  return k_exit_ok;
}

} // namespace migrate::cli
