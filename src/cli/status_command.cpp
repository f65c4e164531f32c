#include "cli/commands.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/state/sqlite_state_store.hpp"

#include <spdlog/fmt/fmt.h>

#include <iostream>
#include <map>

namespace migrate::cli {

CLI::App* setup_status(CLI::App& app) {
  return app.add_subcommand("status",
                            "per table: watermark, last run, rows moved, duration, outcome");
}

int run_status(const GlobalOptions& global) {
  const auto config = load_and_log(global);
  const auto tables = selected_tables(config, global.tables);
  const auto state = state::open_sqlite_state(config.state_file);
  std::map<std::string, TableResult> latest;
  for (auto& record : state->latest_runs()) {
    latest[record.result.table] = record.result;
  }
  std::cout << fmt::format("{:<24} {:<36} {:<20} {:<11} {:>10} {:>11} {:>9} {}\n",
                           "table",
                           "watermark",
                           "last run (UTC)",
                           "mode",
                           "moved",
                           "quarantined",
                           "seconds",
                           "outcome");
  bool any_failed = false;
  for (const auto* table : tables) {
    const auto position = state->position(table->source_table);
    const std::string watermark = position ? position->to_string() : "-";
    const auto found = latest.find(table->source_table);
    if (found == latest.end()) {
      std::cout << fmt::format("{:<24} {:<36} {:<20} {:<11} {:>10} {:>11} {:>9} {}\n",
                               table->source_table,
                               watermark,
                               "never",
                               "-",
                               "-",
                               "-",
                               "-",
                               "-");
      continue;
    }
    const auto& r = found->second;
    const std::string outcome =
        r.error.empty() ? to_string(r.outcome) : std::string(to_string(r.outcome)) + ": " + r.error;
    any_failed = any_failed || r.outcome == Outcome::failed;
    std::cout << fmt::format("{:<24} {:<36} {:<20} {:<11} {:>10} {:>11} {:>9.2f} {}\n",
                             table->source_table,
                             watermark,
                             format_utc(r.started),
                             r.mode,
                             r.counts.moved(),
                             state->quarantined(table->source_table).size(),
                             r.seconds(),
                             outcome);
  }
  return any_failed ? k_exit_table_failed : k_exit_ok;
}

} // namespace migrate::cli
