#include "cli/commands.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/pipeline/table_sync.hpp"
#include "migrate/source/mysql_source.hpp"
#include "migrate/target/postgres_target.hpp"
#include "migrate/validate/count_check.hpp"

#include <spdlog/spdlog.h>

namespace migrate::cli {

CLI::App* setup_validate(CLI::App& app, bool& checksum) {
  auto* command = app.add_subcommand("validate", "compare source and target per table");
  command->add_flag("--checksum",
                    checksum,
                    "also compare the content: chunk digests computed inside both servers");
  return command;
}

namespace {

int run_checksums(const std::vector<const config::TableMapping*>& tables,
                  source::Source& source,
                  target::Target& target) {
  std::size_t differing = 0;
  spdlog::info(
      "{:<24} {:>12} {:>10} {:>10} {}", "table", "mysql rows", "chunks", "differing", "result");
  for (const auto* table : tables) {
    try {
      const auto report = pipeline::checksum_table(*table, source, target);
      const bool ok = report.chunks_differing == 0;
      differing += ok ? 0U : 1U;
      spdlog::log(ok ? spdlog::level::info : spdlog::level::err,
                  "{:<24} {:>12} {:>10} {:>10} {}",
                  table->source_table,
                  report.source_rows,
                  report.chunks_compared,
                  report.chunks_differing,
                  ok ? "ok" : "DIFFERS");
    } catch (const std::exception& e) {
      ++differing;
      spdlog::error("{:<24} error: {}", table->source_table, e.what());
    }
  }
  spdlog::info("validate --checksum tables={} differing={}", tables.size(), differing);
  return differing == 0 ? k_exit_ok : k_exit_table_failed;
}

} // namespace

int run_validate(const GlobalOptions& global, bool checksum) {
  const auto config = load_and_log(global);
  const auto tables = selected_tables(config, global.tables);
  const auto source = source::make_mysql_source(config.mysql);
  const auto target = target::make_postgres_target(config.postgresql);
  if (checksum) {
    return run_checksums(tables, *source, *target);
  }
  std::size_t differing = 0;
  spdlog::info("{:<24} {:>12} {:>12} {}", "table", "mysql", "postgresql", "result");
  for (const auto* table : tables) {
    const auto check = validate::check_counts(*table, *source, *target);
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
