#include "cli/commands.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/state/sqlite_state_store.hpp"

#include <spdlog/fmt/fmt.h>

#include <iostream>

namespace migrate::cli {

CLI::App* setup_quarantine(CLI::App& app) {
  return app.add_subcommand(
      "quarantine", "list the rows that could not be written to PostgreSQL, with the reason");
}

int run_quarantine(const GlobalOptions& global) {
  const auto config = load_and_log(global);
  const auto tables = selected_tables(config, global.tables);
  const auto state = state::open_sqlite_state(config.state_file);
  std::size_t total = 0;
  for (const auto* table : tables) {
    for (const auto& entry : state->quarantined(table->source_table)) {
      std::cout << fmt::format(
          "table={} key=\"{}\" column={} run={} at={} reason=\"{}\" raw_hex={}\n",
          entry.table,
          entry.key,
          entry.column,
          entry.run_id,
          entry.at,
          entry.reason,
          entry.raw_hex);
      ++total;
    }
  }
  std::cout << "quarantined rows: " << total << "\n";
  return k_exit_ok;
}

} // namespace migrate::cli
