// The subcommands of the command line: an options struct, setup_... and run_... for each.
#pragma once

#include "migrate/config/config.hpp"
#include "migrate/source/source.hpp"
#include "migrate/state/state_store.hpp"
#include "migrate/target/target.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace migrate::cli {

// Options every command understands.
struct GlobalOptions {
  std::string config_dir = "config";
  std::string state_file; // empty: from migrate.yaml, or next to the config directory
  std::vector<std::string> tables;
  bool verbose = false;   // debug on the console and in the log file
  bool quiet = false;     // the console shows only warnings and errors (results still on stdout)
  std::string log_format; // text (key=value) or json (one object per line); empty: migrate.yaml's
};

// Loads what `mode` needs of the configuration and applies --state. Logging has started already
// (run() starts it from migrate.yaml before the other files are read).
config::Config load(const GlobalOptions& options, config::ReadScope mode = config::ReadScope::full);

// The mappings named by --table (all when none is named); throws Error(area config) for an unknown
// name.
std::vector<const config::TableMapping*> selected_tables(const config::Config& config,
                                                         const std::vector<std::string>& names);

// Logs both connections and whether each is encrypted (TLS version and cipher, or unencrypted).
void log_connections(const config::Config& config,
                     const source::Source& source,
                     const target::Target& target);

struct SyncOptionsCli {
  bool full = false;
  bool reload = false;
  std::string since;
  std::string worker_id;          // names this worker in history and logs; empty: host:pid
  std::string shard;              // "i/n": only the tables of shard i of n; empty: every table
  std::size_t jobs = 0;           // tables at once; 0: migrate.yaml's jobs
  bool allow_mass_delete = false; // deletes beyond max_delete_ratio are carried out
};
void setup_sync(CLI::App& app, SyncOptionsCli& options);

// state copy --to, state prune: read only the state (config::ReadScope::state_only).
struct StateOptions {
  std::string to;     // copy: a SQLite path, sqlite:///path or postgresql:// URL
  bool prune = false; // `state prune` was given, not `state copy`
};
CLI::App* setup_state(CLI::App& app, StateOptions& options);
int run_state(const GlobalOptions& global, const StateOptions& options);
int run_sync(const GlobalOptions& global, const SyncOptionsCli& options);

// Results go to standard output, as a text table or, with --json, as one JSON document; logs go
// to standard error and the log file.
struct ValidateOptions {
  bool checksum = false;
  bool repair = false; // --checksum --repair: re-sync the differing rows, then compare again
  bool json = false;
};
CLI::App* setup_validate(CLI::App& app, ValidateOptions& options);
int run_validate(const GlobalOptions& global, const ValidateOptions& options);

// `migrate cutover`: final sync, checksum, then identities, unique indexes and foreign keys.
struct CutoverOptions {
  bool dry_run = false;      // blockers, effects and statements; no sync, nothing written
  bool keep_deletes = false; // the final sync keeps `deletes: ignore`
  std::string html;          // also write the report as an HTML page
  bool json = false;
  std::vector<std::string> revert; // --revert TABLE...: hand the tables back to the sync
};
CLI::App* setup_cutover(CLI::App& app, CutoverOptions& options);
int run_cutover(const GlobalOptions& global, const CutoverOptions& options);

// status and quarantine read only the state file (config::ReadScope::state_only).
CLI::App* setup_status(CLI::App& app, bool& json);
int run_status(const GlobalOptions& global, bool json);

// With `diff`: only what the next run would change in each existing target, and what it refuses.
CLI::App* setup_schema(CLI::App& app, bool& diff, bool& json);
int run_schema(const GlobalOptions& global, bool diff, bool json);

CLI::App* setup_plan(CLI::App& app, bool& json);
int run_plan(const GlobalOptions& global, bool json);

struct CheckOptions {
  bool json = false;
  std::size_t sample = 0; // --sample N: rows per table whose digests are computed both ways
};
CLI::App* setup_check(CLI::App& app, CheckOptions& options);
int run_check(const GlobalOptions& global, const CheckOptions& options);

struct ReportOptions {
  std::string html;          // the file to write
  std::size_t last = 20;     // runs and validations per table
  std::string mode = "0600"; // the page's permissions, octal
};
CLI::App* setup_report(CLI::App& app, ReportOptions& options);
int run_report(const GlobalOptions& global, const ReportOptions& options);

CLI::App* setup_quarantine(CLI::App& app, bool& json);
int run_quarantine(const GlobalOptions& global, bool json);

// Past invocations, or with --table that table's runs (reads only the state file).
struct HistoryOptions {
  std::size_t last = 20;
  bool json = false;
};
CLI::App* setup_history(CLI::App& app, HistoryOptions& options);
int run_history(const GlobalOptions& global, const HistoryOptions& options);

// `notify --test`: a test message on every configured channel; 1 when one fails.
CLI::App* setup_notify(CLI::App& app, bool& test);
int run_notify(const GlobalOptions& global, bool test);

} // namespace migrate::cli
