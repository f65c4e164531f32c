#include "cli/commands.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/pipeline/table_sync.hpp"
#include "migrate/source/mysql_source.hpp"
#include "migrate/state/sqlite_state_store.hpp"
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

// One line per table, then what a reader needs to judge an "ok": which columns were compared only
// in part, and where the differences are.
void print_checksum(const std::string& table, const pipeline::ChecksumReport& report) {
  spdlog::log(report.ok() ? spdlog::level::info : spdlog::level::err,
              "{:<24} {:>12} {:>10} {:>14} {:>14} {}",
              table,
              report.source_rows,
              report.chunks_compared,
              report.source_digests ? std::to_string(report.chunks_differing.size()) : "-",
              report.value_chunks_differing.size(),
              report.ok() ? "ok" : "DIFFERS");
  if (report.source_digests) {
    spdlog::info("table={} compared exactly: every column, by the digests of MySQL's values "
                 "stored with each row",
                 table);
  } else {
    spdlog::warn("table={} has no row digests yet (the next run adds them): only the target's "
                 "values were compared",
                 table);
  }
  if (!report.partly_compared.empty()) {
    std::string columns;
    for (const auto& column : report.partly_compared) {
      columns += (columns.empty() ? "" : ", ") + column;
    }
    spdlog::info("table={} target values compared in part only: {}", table, columns);
  }
  for (const auto& chunk : report.chunks_differing) {
    spdlog::error("table={} differs from MySQL in chunk {}", table, chunk);
  }
  for (const auto& chunk : report.value_chunks_differing) {
    spdlog::error("table={} target values differ in chunk {}", table, chunk);
  }
}

int run_checksums(const std::vector<const config::TableMapping*>& tables,
                  source::Source& source,
                  target::Target& target,
                  state::StateStore& state) {
  std::size_t differing = 0;
  spdlog::info("{:<24} {:>12} {:>10} {:>14} {:>14} {}",
               "table",
               "mysql rows",
               "chunks",
               "source differs",
               "values differ",
               "result");
  for (const auto* table : tables) {
    try {
      std::vector<std::string> quarantined;
      for (const auto& entry : state.quarantined(table->source_table)) {
        quarantined.push_back(entry.key);
      }
      const auto report = pipeline::checksum_table(*table, source, target, quarantined);
      differing += report.ok() ? 0U : 1U;
      print_checksum(table->source_table, report);
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
    const auto state = state::open_sqlite_state(config.state_file);
    return run_checksums(tables, *source, *target, *state);
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
