#include "migrate/cli/cli.hpp"

#include "cli/commands.hpp"

#include "migrate/core/error.hpp"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#ifndef MIGRATE_VERSION
#define MIGRATE_VERSION "unknown"
#endif

namespace migrate::cli {
namespace {

const char* const k_footer = R"(Exit codes:
  0  every table succeeded (validate: every table matches)
  1  at least one table failed or differs; the other tables still ran
  2  configuration or usage error

Configuration: DIR/database.yaml (connections; values may be ${VAR} or ${VAR:-default}),
DIR/table_mapping.yaml (tables), DIR/migrate.yaml (optional: state_file, logging).)";

void start_logging(const config::Config& config, bool verbose) {
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  std::vector<spdlog::sink_ptr> sinks{console};
  std::string file_problem;
  try {
    std::filesystem::create_directories(config.logging.file.parent_path());
    sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        config.logging.file.string(), config.logging.max_size_bytes, config.logging.max_files));
  } catch (const std::exception& e) {
    file_problem = e.what();
  }
  auto logger = std::make_shared<spdlog::logger>("migrate", sinks.begin(), sinks.end());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
  logger->set_level(verbose ? spdlog::level::debug : spdlog::level::from_str(config.logging.level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  if (!file_problem.empty()) {
    spdlog::warn("log file {} unavailable, logging to the console only: {}",
                 config.logging.file.string(),
                 file_problem);
  }
}

} // namespace

config::Config load_and_log(const GlobalOptions& options) {
  auto config = config::load_config(options.config_dir);
  if (!options.state_file.empty()) {
    config.state_file = options.state_file;
  }
  start_logging(config, options.verbose);
  return config;
}

std::vector<const config::TableMapping*> selected_tables(const config::Config& config,
                                                         const std::vector<std::string>& names) {
  std::vector<const config::TableMapping*> out;
  if (names.empty()) {
    for (const auto& table : config.tables) {
      out.push_back(&table);
    }
    return out;
  }
  for (const auto& name : names) {
    const auto* table = config.find_table(name);
    if (table == nullptr) {
      throw Error(ErrorArea::config, "--table " + name + ": no such table in table_mapping.yaml");
    }
    out.push_back(table);
  }
  return out;
}

int run(int argc, char** argv) {
  CLI::App app{"migrate: keeps PostgreSQL tables in step with MySQL tables.\n"
               "Without a subcommand, runs every mapped table (or those named by --table)."};
  app.footer(k_footer);
  app.set_version_flag("--version", MIGRATE_VERSION);
  GlobalOptions global;
  app.add_option("--config", global.config_dir, "configuration directory")->capture_default_str();
  app.add_option("--state", global.state_file, "state file (SQLite), overrides migrate.yaml");
  app.add_option("--table", global.tables, "only this table (repeatable)");
  app.add_flag("-v,--verbose", global.verbose, "debug logging");
  app.fallthrough();
  SyncOptionsCli sync;
  setup_sync(app, sync);
  bool checksum = false;
  auto* validate = setup_validate(app, checksum);
  auto* status = setup_status(app);
  auto* schema = setup_schema(app);
  auto* quarantine = setup_quarantine(app);
  app.require_subcommand(0, 1);

  // Until the configuration names a log file, messages go to standard error.
  spdlog::set_default_logger(spdlog::stderr_color_mt("console"));
  spdlog::set_pattern("migrate: %l: %v");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? k_exit_ok : k_exit_usage;
  }

  const bool sync_options = sync.full || sync.reload || !sync.since.empty();
  if (sync_options
      && (validate->parsed() || status->parsed() || schema->parsed() || quarantine->parsed())) {
    spdlog::error("--full, --reload and --since apply to a run, not to a subcommand");
    return k_exit_usage;
  }
  try {
    if (validate->parsed()) {
      return run_validate(global, checksum);
    }
    if (status->parsed()) {
      return run_status(global);
    }
    if (schema->parsed()) {
      return run_schema(global);
    }
    if (quarantine->parsed()) {
      return run_quarantine(global);
    }
    return run_sync(global, sync);
  } catch (const Error& e) {
    spdlog::error("{}", e.what());
    return e.area() == ErrorArea::config ? k_exit_usage : k_exit_table_failed;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return k_exit_table_failed;
  }
}

} // namespace migrate::cli
