// The subcommands of the command line: an options struct, setup_... and run_... for each.
#pragma once

#include "migrate/config/config.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace migrate::cli {

// Options every command understands.
struct GlobalOptions {
  std::string config_dir = "config";
  std::string state_file; // empty: from migrate.yaml, or next to the config directory
  std::vector<std::string> tables;
  bool verbose = false;
};

// Loads the configuration, applies --state and starts logging to console and rotating file.
config::Config load_and_log(const GlobalOptions& options);

// The mappings named by --table (all when none is named); throws Error(area config) for an unknown
// name.
std::vector<const config::TableMapping*> selected_tables(const config::Config& config,
                                                         const std::vector<std::string>& names);

struct SyncOptionsCli {
  bool full = false;
  bool reload = false;
  std::string since;
};
void setup_sync(CLI::App& app, SyncOptionsCli& options);
int run_sync(const GlobalOptions& global, const SyncOptionsCli& options);

CLI::App* setup_validate(CLI::App& app, bool& checksum);
int run_validate(const GlobalOptions& global, bool checksum);

CLI::App* setup_status(CLI::App& app);
int run_status(const GlobalOptions& global);

CLI::App* setup_schema(CLI::App& app);
int run_schema(const GlobalOptions& global);

CLI::App* setup_quarantine(CLI::App& app);
int run_quarantine(const GlobalOptions& global);

} // namespace migrate::cli
