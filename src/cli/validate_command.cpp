#include "cli/commands.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/source/mysql_source.hpp"
#include "migrate/target/postgres_target.hpp"
#include "migrate/validate/count_check.hpp"

#include <spdlog/spdlog.h>

namespace migrate::cli {

CLI::App* setup_validate(CLI::App& app) {
  return app.add_subcommand("validate", "compare row counts of source and target per table");
}

int run_validate(const GlobalOptions& global) {
  const auto config = load_and_log(global);
  const auto tables = selected_tables(config, global.tables);
  const auto source = source::make_mysql_source(config.mysql);
  const auto target = target::make_postgres_target(config.postgresql);
  std::size_t differing = 0;
  spdlog::info("{:<24} {:>12} {:>12} {}", "table", "mysql", "postgresql", "result");
  for (const auto* table : tables) {
    const auto check = validate::check_counts(*table, *source, *target, config.postgresql.schema);
    if (!check.error.empty()) {
      spdlog::error("{:<24} {:>12} {:>12} error: {}", check.table, "-", "-", check.error);
    } else if (check.ok()) {
      spdlog::info("{:<24} {:>12} {:>12} ok", check.table, check.source_rows, check.target_rows);
    } else {
      spdlog::error(
          "{:<24} {:>12} {:>12} MISMATCH", check.table, check.source_rows, check.target_rows);
    }
    differing += check.ok() ? 0U : 1U;
  }
  spdlog::info("validate tables={} differing={}", tables.size(), differing);
  return differing == 0 ? k_exit_ok : k_exit_table_failed;
}

} // namespace migrate::cli
