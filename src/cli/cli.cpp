#include "migrate/cli/cli.hpp"

#include "cli/commands.hpp"
#include "cli/log_json.hpp"

#include "migrate/core/error.hpp"
#include "migrate/core/file_mode.hpp"
#include "migrate/core/log_text.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>

#ifndef MIGRATE_VERSION
#define MIGRATE_VERSION "unknown"
#endif

namespace migrate::cli {
namespace {

const char* const k_footer = R"(Exit codes:
  0  every table succeeded (validate: no difference beyond rows changed since the last run,
     quarantined rows and deletes the mapping keeps)
  1  at least one table failed or differs; the other tables still ran
  2  configuration or usage error
  3  another migrate run holds the lock of the state file (<state file>.lock); nothing was
     done (a run, validate --repair and cutover take it)
  4  max_runtime stopped the run after a commit (the next run goes on)

Results go to standard output, logs to standard error and the log file.
Configuration: DIR/database.yaml (connections; values may be ${VAR} or ${VAR:-default}),
DIR/table_mapping.yaml (tables), DIR/migrate.yaml (optional: state_file, logging, max_age,
metrics, notify).)";

// The message on one line (see migrate/core/log_text.hpp): a PostgreSQL error's DETAIL and HINT
// lines would otherwise start lines of their own, without time, level or table.
class OneLinePayload : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg,
              const std::tm& /*time*/,
              spdlog::memory_buf_t& dest) override {
    const auto text = one_line(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<OneLinePayload>();
  }
};

std::unique_ptr<spdlog::formatter> make_formatter(const std::string& pattern) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<OneLinePayload>('*').set_pattern(pattern);
  return formatter;
}

// --log-format json: one object per event, the text line's key=value fields as members.
class JsonFormatter : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto since_epoch = msg.time.time_since_epoch();
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
    const auto time = format_utc(std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::seconds>(since_epoch)));
    const auto stamp = time.substr(0, time.size() - 1) + fmt::format(".{:03}Z", millis);
    const auto level = spdlog::level::to_string_view(msg.level);
    const auto line = log_json_line(stamp,
                                    std::string_view(level.data(), level.size()),
                                    std::string_view(msg.payload.data(), msg.payload.size()))
                      + "\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

spdlog::level::level_enum console_level(const config::Logging& logging,
                                        const GlobalOptions& options) {
  if (options.verbose) {
    return spdlog::level::debug;
  }
  if (options.quiet) {
    return spdlog::level::warn;
  }
  return spdlog::level::from_str(logging.console_level);
}

// Standard error. On a terminal each event first clears the line: the progress line
// (cli/progress.hpp) leaves the cursor at the start of its line.
class ConsoleSink final : public spdlog::sinks::stderr_color_sink_mt {
public:
  void log(const spdlog::details::log_msg& msg) override {
    if (m_terminal) {
      std::fputs("\033[K", stderr);
    }
    spdlog::sinks::stderr_color_sink_mt::log(msg);
  }

private:
  bool m_terminal = ::isatty(STDERR_FILENO) == 1;
};

// Console and rotating file, each with its own level. Without a configuration directory there is
// no log file to name: the console alone says what is wrong.
void install_logger(const config::Logging& logging, const GlobalOptions& options) {
  auto console = std::make_shared<ConsoleSink>();
  console->set_level(console_level(logging, options));
  std::vector<spdlog::sink_ptr> sinks{console};
  std::string file_problem;
  if (std::filesystem::is_directory(options.config_dir)) {
    try {
      // "../x.log" beside a relative config directory resolves to a bare file name: no directory.
      if (const auto directory = logging.file.parent_path(); !directory.empty()) {
        std::filesystem::create_directories(directory);
      }
      auto file = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
          logging.file.string(), logging.max_size_bytes, logging.max_files);
      file->set_level(options.verbose ? spdlog::level::debug
                                      : spdlog::level::from_str(logging.level));
      sinks.push_back(file);
    } catch (const std::exception& e) {
      file_problem = e.what();
    }
  }
  auto logger = std::make_shared<spdlog::logger>("migrate", sinks.begin(), sinks.end());
  const auto& format = options.log_format.empty() ? logging.format : options.log_format;
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_formatter(make_formatter("%Y-%m-%dT%H:%M:%S.%e%z %l %*"));
  }
  auto lowest = console->level();
  for (const auto& sink : sinks) {
    lowest = std::min(lowest, sink->level());
  }
  logger->set_level(lowest);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  if (!file_problem.empty()) {
    spdlog::warn("log file {} unavailable, logging to the console only: {}",
                 logging.file.string(),
                 file_problem);
  }
}

// Starts logging from migrate.yaml alone, so that errors in the other files, and usage errors, are
// in the log file too. A broken migrate.yaml is itself logged to the default log file.
bool start_logging(const GlobalOptions& options) {
  try {
    install_logger(config::load_logging(options.config_dir), options);
    return true;
  } catch (const Error& e) {
    install_logger(config::default_logging(options.config_dir), options);
    spdlog::error("{}", e.what());
    return false;
  }
}

} // namespace

config::Config load(const GlobalOptions& options, config::ReadScope mode) {
  auto config = config::load_config(options.config_dir, mode);
  if (!options.state_file.empty()) {
    try {
      config.use_state(config::parse_state_location(options.state_file, "."));
    } catch (const std::invalid_argument& e) {
      throw Error(ErrorArea::config, std::string("--state: ") + e.what());
    }
  }
  return config;
}

void log_connections(const config::Config& config,
                     const source::Source& source,
                     const target::Target& target) {
  spdlog::info("connected mysql={} mysql_tls=\"{}\" postgresql={} postgresql_tls=\"{}\"",
               config.mysql.describe(),
               source.encryption(),
               config.postgresql.describe(),
               target.encryption());
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

namespace {

// The options of every command, and each subcommand with what runs it.
struct CommandLine {
  GlobalOptions global;
  SyncOptionsCli sync;
  ValidateOptions validate;
  bool status_json = false;
  bool schema_diff = false;
  bool quarantine_json = false;
  CheckOptions check;
  bool plan_json = false;
  bool schema_json = false;
  ReportOptions report;
  HistoryOptions history;
  bool notify_test = false;
  StateOptions state;
  CutoverOptions cutover;
  std::vector<std::pair<CLI::App*, std::function<int()>>> subcommands;
};

void add_global_options(CLI::App& app, GlobalOptions& global) {
  app.add_option("--config",
                 global.config_dir,
                 "configuration directory; without it $MIGRATE_CONFIG, else ./config, else "
                 "/etc/migrate (where the package installs it)");
  app.add_option("--state",
                 global.state_file,
                 "state store: a SQLite file, or a postgresql:// URL shared by several workers; "
                 "overrides migrate.yaml");
  app.add_option("--table", global.tables, "only this table (repeatable)");
  auto* verbose = app.add_flag("-v,--verbose", global.verbose, "debug logging");
  app.add_flag("-q,--quiet",
               global.quiet,
               "the console shows only warnings and errors (results still go to standard output)")
      ->excludes(verbose);
  app.add_option("--log-format",
                 global.log_format,
                 "text: key=value lines; json: one JSON object per line (console and log file); "
                 "default: migrate.yaml's logging.format, else text")
      ->check(CLI::IsMember({"text", "json"}));
  app.fallthrough();
}

void add_subcommands(CLI::App& app, CommandLine& c) {
  const auto& g = c.global;
  auto add = [&](CLI::App* command, std::function<int()> run) {
    c.subcommands.emplace_back(command, std::move(run));
  };
  add(setup_validate(app, c.validate), [&] { return run_validate(g, c.validate); });
  add(setup_status(app, c.status_json), [&] { return run_status(g, c.status_json); });
  add(setup_schema(app, c.schema_diff, c.schema_json),
      [&] { return run_schema(g, c.schema_diff, c.schema_json); });
  add(setup_quarantine(app, c.quarantine_json),
      [&] { return run_quarantine(g, c.quarantine_json); });
  add(setup_check(app, c.check), [&] { return run_check(g, c.check); });
  add(setup_plan(app, c.plan_json), [&] { return run_plan(g, c.plan_json); });
  add(setup_report(app, c.report), [&] { return run_report(g, c.report); });
  add(setup_history(app, c.history), [&] { return run_history(g, c.history); });
  add(setup_notify(app, c.notify_test), [&] { return run_notify(g, c.notify_test); });
  add(setup_state(app, c.state), [&] { return run_state(g, c.state); });
  add(setup_cutover(app, c.cutover), [&] { return run_cutover(g, c.cutover); });
  app.require_subcommand(0, 1);
}

// The parsed subcommand, or the run itself without one; errors become exit codes.
int dispatch(const CommandLine& c) {
  const auto chosen = std::find_if(c.subcommands.begin(), c.subcommands.end(), [](const auto& sub) {
    return sub.first->parsed();
  });
  const bool sync_options = c.sync.full || c.sync.reload || !c.sync.since.empty()
                            || !c.sync.worker_id.empty() || !c.sync.shard.empty();
  if (sync_options && chosen != c.subcommands.end()) {
    spdlog::error(
        "--full, --reload, --since, --worker-id and --shard apply to a run, not to a subcommand");
    return k_exit_usage;
  }
  try {
    return chosen != c.subcommands.end() ? chosen->second() : run_sync(c.global, c.sync);
  } catch (const Error& e) {
    spdlog::error("{}", e.what());
    return exit_code_for(e.area());
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return k_exit_table_failed;
  }
}

} // namespace

int run(int argc, char** argv) {
  // The state file holds quarantined raw values and the logs name tables and keys: everything this
  // process creates (state, its WAL, the lock, logs, rotated logs, their directories) is for its
  // owner only, while a stricter umask still applies.
  ::umask(::umask(0) | 077);
  CLI::App app{"migrate: keeps PostgreSQL tables in step with MySQL tables.\n"
               "Without a subcommand, runs every mapped table (or those named by --table)."};
  app.footer(k_footer);
  app.set_version_flag("--version", MIGRATE_VERSION);
  CommandLine c;
  add_global_options(app, c.global);
  setup_sync(app, c.sync);
  add_subcommands(app, c);

  // Until the configuration names a log file, messages go to standard error.
  spdlog::set_default_logger(spdlog::stderr_color_mt("console"));
  spdlog::set_formatter(make_formatter("migrate: %l: %*"));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? k_exit_ok : k_exit_usage;
  }
  if (app.get_option("--config")->count() == 0) {
    c.global.config_dir =
        config::find_config_directory(std::getenv("MIGRATE_CONFIG"), [](const std::string& path) {
          return std::filesystem::is_directory(path);
        });
  }
  if (!start_logging(c.global)) {
    return k_exit_usage;
  }
  return dispatch(c);
}

} // namespace migrate::cli
