#include "cli/adapters.hpp"
#include "cli/commands.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/core/log_text.hpp"
#include "migrate/pipeline/table_sync.hpp"

#include <iostream>

namespace migrate::cli {

CLI::App* setup_schema(CLI::App& app) {
  return app.add_subcommand("schema",
                            "print the DDL migrate would create and the drift it sees per table");
}

int run_schema(const GlobalOptions& global) {
  const CommandContext context(global, config::LoadMode::full);
  const auto source = context.adapters.source();
  const auto target = context.adapters.target();
  log_connections(context.config, *source, *target);
  bool drift = false;
  for (const auto* table : context.tables) {
    std::cout << "-- " << table->source_table << " → " << table->target_schema << "."
              << table->target_table << "\n";
    try {
      const auto report = pipeline::inspect_schema(*table, *source, *target);
      std::cout << report.ddl << ";\n";
      if (!report.exists) {
        std::cout << "-- target does not exist yet: the next run creates it\n\n";
        continue;
      }
      if (report.drift.empty()) {
        std::cout << "-- target exists and matches\n\n";
        continue;
      }
      drift = true;
      for (const auto& problem : report.drift) {
        std::cout << "-- DRIFT: " << problem << "\n";
      }
      std::cout << "\n";
    } catch (const std::exception& e) {
      drift = true;
      std::cout << "-- ERROR: " << one_line(e.what()) << "\n\n";
    }
  }
  return drift ? k_exit_table_failed : k_exit_ok;
}

} // namespace migrate::cli
