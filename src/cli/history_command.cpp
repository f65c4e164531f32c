#include "cli/adapters.hpp"
#include "cli/commands.hpp"
#include "cli/json_writer.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/core/log_text.hpp"
#include "migrate/core/text_table.hpp"
#include "migrate/notify/message.hpp"
#include "migrate/state/run_lock.hpp"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <iostream>

namespace migrate::cli {
namespace {

// An invocation without an exit code is the live run while a process holds the lock and it is the
// newest; otherwise its process ended without finishing it.
std::string exit_text(const state::Invocation& item, bool live) {
  if (item.exit_code) {
    return std::to_string(*item.exit_code);
  }
  return live ? "running" : "did not finish";
}

void print_invocations(const std::vector<state::Invocation>& items, bool newest_live) {
  using Align = TextTable::Align;
  TextTable out({{"run", Align::right},
                 {"started (UTC)"},
                 {"seconds", Align::right},
                 {"host"},
                 {"tables ok", Align::right},
                 {"failed", Align::right},
                 {"moved", Align::right},
                 {"quarantined", Align::right},
                 {"alerts failed", Align::right},
                 {"exit"},
                 {"options"}});
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    out.add_row({std::to_string(item.id),
                 format_utc(item.started),
                 item.exit_code ? fmt::format("{:.1f}", item.seconds()) : "-",
                 item.start.host,
                 std::to_string(item.tables_ok),
                 std::to_string(item.tables_failed),
                 std::to_string(item.rows_moved),
                 std::to_string(item.quarantined),
                 std::to_string(item.notify_failures),
                 exit_text(item, (i == 0 && newest_live) || item.running),
                 item.start.options});
  }
  std::cout << out.render();
}

// "run 12 orders: done at ... by dba@db1; final sync: ...", newest first.
void print_cutovers(const std::vector<state::CutoverRecord>& records) {
  if (records.empty()) {
    return;
  }
  std::cout << "\ncutovers\n";
  for (const auto& r : records) {
    std::cout << "  run " << r.invocation_id << " " << r.table << ": " << r.outcome << " at "
              << r.at << " by " << r.by << "; " << r.summary
              << (r.reverted_at.empty() ? ""
                                        : "; reverted at " + r.reverted_at + " by " + r.reverted_by)
              << "\n";
  }
}

void add_cutovers_json(JsonWriter& json, const std::vector<state::CutoverRecord>& records) {
  json.key("cutovers").begin_array();
  for (const auto& r : records) {
    json.begin_object().key("run").value(r.invocation_id).key("table").value(r.table);
    json.key("outcome").value(r.outcome).key("at").value(r.at).key("by").value(r.by);
    json.key("summary").value(r.summary).key("reverted_at");
    r.reverted_at.empty() ? json.null() : json.value(r.reverted_at);
    json.key("reverted_by").value(r.reverted_by).end_object();
  }
  json.end_array();
}

void print_invocations_json(const std::vector<state::Invocation>& items,
                            bool newest_live,
                            const std::vector<state::CutoverRecord>& cutovers) {
  JsonWriter json;
  json.begin_object().key("runs").begin_array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    json.begin_object().key("run").value(item.id).key("started").value(format_utc(item.started));
    json.key("seconds");
    item.exit_code ? json.value(item.seconds()) : json.null();
    json.key("host").value(item.start.host).key("pid").value(item.start.pid);
    json.key("options").value(item.start.options).key("exit_code");
    item.exit_code ? json.value(static_cast<std::int64_t>(*item.exit_code)) : json.null();
    json.key("status").value(exit_text(item, (i == 0 && newest_live) || item.running));
    json.key("tables_ok").value(item.tables_ok).key("tables_failed").value(item.tables_failed);
    json.key("rows_moved").value(item.rows_moved).key("quarantined").value(item.quarantined);
    json.key("notify_failures").value(item.notify_failures).end_object();
  }
  json.end_array();
  add_cutovers_json(json, cutovers);
  json.end_object();
  std::cout << json.str() << "\n";
}

void print_runs(const std::string& table, const std::vector<state::RunRecord>& runs) {
  using Align = TextTable::Align;
  TextTable out({{"run", Align::right},
                 {"table run", Align::right},
                 {"started (UTC)"},
                 {"mode"},
                 {"outcome"},
                 {"read", Align::right},
                 {"inserted", Align::right},
                 {"updated", Align::right},
                 {"deleted", Align::right},
                 {"quarantined", Align::right},
                 {"seconds", Align::right},
                 {"error"}});
  for (const auto& record : runs) {
    const auto& r = record.result;
    out.add_row({record.invocation_id == 0 ? "-" : std::to_string(record.invocation_id),
                 std::to_string(record.id),
                 format_utc(r.started),
                 mode_label(r.mode),
                 record.unfinished ? "unfinished" : outcome_label(r),
                 std::to_string(r.counts.rows_read),
                 std::to_string(r.counts.inserted),
                 std::to_string(r.counts.updated),
                 std::to_string(r.counts.deleted),
                 std::to_string(r.counts.quarantined),
                 fmt::format("{:.2f}", r.seconds()),
                 first_line(r.error_text())});
  }
  std::cout << "table " << table << "\n" << out.render();
  for (const auto& record : runs) {
    for (const auto& change : record.result.schema_changes) {
      std::cout << "  table run " << record.id << " changed the target: " << change << "\n";
    }
  }
}

void add_runs_json(JsonWriter& json,
                   const std::string& table,
                   const std::vector<state::RunRecord>& runs) {
  json.begin_object().key("table").value(table).key("runs").begin_array();
  for (const auto& record : runs) {
    const auto& r = record.result;
    json.begin_object().key("run");
    record.invocation_id == 0 ? json.null() : json.value(record.invocation_id);
    json.key("table_run").value(record.id).key("started").value(format_utc(r.started));
    json.key("mode").value(to_string(r.mode)).key("outcome");
    json.value(record.unfinished ? "unfinished" : outcome_label(r));
    json.key("read").value(r.counts.rows_read).key("inserted").value(r.counts.inserted);
    json.key("updated").value(r.counts.updated).key("unchanged").value(r.counts.unchanged);
    json.key("deleted").value(r.counts.deleted).key("quarantined").value(r.counts.quarantined);
    json.key("retries").value(r.counts.retries).key("seconds").value(r.seconds());
    json.key("upper_bound").value(r.upper_bound).key("error").value(r.error_text());
    json.key("schema_changes").begin_array();
    for (const auto& change : r.schema_changes) {
      json.value(change);
    }
    json.end_array().end_object();
  }
  json.end_array().end_object();
}

} // namespace

CLI::App* setup_history(CLI::App& app, HistoryOptions& options) {
  auto* command = app.add_subcommand(
      "history",
      "past runs: start, duration, tables ok and failed, rows moved, quarantined; with --table, "
      "that table's runs with their figures and errors (reads only the state file)");
  command->add_option("--last", options.last, "how many, newest first")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  command->add_flag("--json", options.json, "one JSON document instead of the table");
  return command;
}

int run_history(const GlobalOptions& global, const HistoryOptions& options) {
  const CommandContext context(global, config::ReadScope::state_only);
  const auto& config = context.config;
  const auto state = context.adapters.state();
  if (global.tables.empty()) {
    const auto items = state->invocations(options.last);
    const bool live = state::current_holder(config.state.file).has_value();
    const auto cutovers = state->cutovers(options.last);
    if (options.json) {
      print_invocations_json(items, live, cutovers);
    } else {
      print_invocations(items, live);
      print_cutovers(cutovers);
    }
    return k_exit_ok;
  }
  JsonWriter json;
  json.begin_object().key("tables").begin_array();
  for (const auto* table : context.tables) {
    auto runs = state->runs(table->source_table, options.last);
    std::reverse(runs.begin(), runs.end()); // newest first
    if (options.json) {
      add_runs_json(json, table->source_table, runs);
    } else {
      print_runs(table->source_table, runs);
    }
  }
  if (options.json) {
    json.end_array().end_object();
    std::cout << json.str() << "\n";
  }
  return k_exit_ok;
}

} // namespace migrate::cli
