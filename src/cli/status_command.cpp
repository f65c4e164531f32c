#include "cli/adapters.hpp"
#include "cli/commands.hpp"
#include "cli/json_writer.hpp"
#include "cli/text_table.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/state/run_lock.hpp"

#include <spdlog/fmt/fmt.h>

#include <iostream>
#include <map>

namespace migrate::cli {
namespace {

// What status shows of one table; `run` is null when the table never ran.
struct TableStatus {
  std::string table;
  std::optional<std::string> position;
  const TableResult* run = nullptr;
  std::size_t quarantined = 0;
  // The live run that holds the lock and has not finished this table yet, e.g. "running (pid 12,
  // started 2026-11-29T02:00:00Z)"; empty otherwise.
  std::string running;
};

// A run still marked running is in progress while a live process holds the run lock; otherwise its
// process ended without finishing it.
std::string running_text(const state::RunRecord& record,
                         const std::optional<state::LockHolder>& active) {
  if (!record.unfinished || !active) {
    return {};
  }
  return "running (pid " + std::to_string(active->pid) + ", started " + active->started + ")";
}

std::string outcome_text(const TableStatus& row) {
  const auto& r = *row.run;
  if (!row.running.empty()) {
    return row.running;
  }
  return r.error ? std::string(to_string(r.outcome)) + ": " + r.error_text() : to_string(r.outcome);
}

void print_table(const std::vector<TableStatus>& rows) {
  using Align = TextTable::Align;
  TextTable out({{"table"},
                 {"position"},
                 {"last run (UTC)"},
                 {"mode"},
                 {"moved", Align::right},
                 {"quarantined", Align::right},
                 {"seconds", Align::right},
                 {"outcome"}});
  for (const auto& row : rows) {
    const std::string position = row.position.value_or("-");
    if (row.run == nullptr) {
      out.add_row({row.table, position, "never", "-", "-", "-", "-", "-"});
      continue;
    }
    const auto& r = *row.run;
    const std::string outcome = outcome_text(row);
    out.add_row({row.table,
                 position,
                 format_utc(r.started),
                 r.mode.pass == RunMode::Pass::none ? "-" : to_string(r.mode),
                 std::to_string(r.counts.moved()),
                 std::to_string(row.quarantined),
                 fmt::format("{:.2f}", r.seconds()),
                 outcome});
  }
  std::cout << out.render();
}

void print_json(const std::vector<TableStatus>& rows) {
  JsonWriter json;
  json.begin_object().key("tables").begin_array();
  for (const auto& row : rows) {
    json.begin_object().key("table").value(row.table).key("position");
    row.position ? json.value(*row.position) : json.null();
    json.key("quarantined").value(static_cast<std::uint64_t>(row.quarantined)).key("last_run");
    if (row.run == nullptr) {
      json.null().end_object();
      continue;
    }
    const auto& r = *row.run;
    json.begin_object()
        .key("started")
        .value(format_utc(r.started))
        .key("mode")
        .value(to_string(r.mode))
        .key("outcome")
        .value(row.running.empty() ? to_string(r.outcome) : "running")
        .key("error")
        .value(row.running.empty() ? r.error_text() : row.running)
        .key("read")
        .value(r.counts.rows_read)
        .key("inserted")
        .value(r.counts.inserted)
        .key("updated")
        .value(r.counts.updated)
        .key("unchanged")
        .value(r.counts.unchanged)
        .key("deleted")
        .value(r.counts.deleted)
        .key("moved")
        .value(r.counts.moved())
        .key("seconds")
        .value(r.seconds())
        .end_object()
        .end_object();
  }
  json.end_array().end_object();
  std::cout << json.str() << "\n";
}

} // namespace

CLI::App* setup_status(CLI::App& app, bool& json) {
  auto* command = app.add_subcommand(
      "status",
      "per table: position, last run, rows moved, duration, outcome (reads only the state "
      "file)");
  command->add_flag("--json", json, "one JSON document instead of the table");
  return command;
}

int run_status(const GlobalOptions& global, bool json) {
  const CommandContext context(global, config::LoadMode::state_only);
  const auto state = context.adapters.state();
  const auto active = state::current_holder(context.config.state_file);
  std::map<std::string, state::RunRecord> latest;
  for (auto& record : state->latest_runs()) {
    latest[record.result.table] = record;
  }
  std::vector<TableStatus> rows;
  bool any_failed = false;
  for (const auto* table : context.tables) {
    TableStatus row{table->source_table, std::nullopt, nullptr, 0};
    if (const auto position = state->position(table->source_table)) {
      row.position = position->to_string();
    }
    row.quarantined = state->quarantined(table->source_table).size();
    if (const auto found = latest.find(table->source_table); found != latest.end()) {
      row.run = &found->second.result;
      row.running = running_text(found->second, active);
      any_failed = any_failed || (row.running.empty() && row.run->outcome == Outcome::failed);
    }
    rows.push_back(std::move(row));
  }
  json ? print_json(rows) : print_table(rows);
  return any_failed ? k_exit_table_failed : k_exit_ok;
}

} // namespace migrate::cli
