// `migrate check`: connects, inspects and changes nothing; one line per check, exit 1 on any fail.
#include "cli/adapters.hpp"
#include "cli/commands.hpp"
#include "cli/json_writer.hpp"
#include "pipeline/comparison.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/core/error.hpp"
#include "migrate/core/log_text.hpp"
#include "migrate/core/timestamp_text.hpp"
#include "migrate/pipeline/run_rules.hpp"
#include "migrate/pipeline/table_sync.hpp"
#include "migrate/validate/digest_sample.hpp"
#include "migrate/validate/readiness.hpp"

#include <unistd.h>

#include <chrono>
#include <iostream>

namespace migrate::cli {
namespace {

using validate::CheckLevel;

// Text: one line per check as it is made (a slow server shows where it is). JSON: one document
// at the end, {"ok": ..., "checks": [{"level", "check", "detail"}, ...]}, for monitoring.
class CheckReport {
public:
  explicit CheckReport(bool json)
      : m_json(json) {}

  void add(CheckLevel level, const std::string& check, const std::string& reason) {
    if (m_json) {
      m_checks.begin_object()
          .key("level")
          .value(validate::to_string(level))
          .key("check")
          .value(check)
          .key("detail")
          .value(reason)
          .end_object();
    } else {
      std::cout << validate::to_string(level) << (level == CheckLevel::ok ? "   " : " ") << check
                << ": " << reason << "\n";
    }
    m_failed = m_failed || level == CheckLevel::fail;
  }
  bool failed() const { return m_failed; }

  void finish() {
    if (m_json) {
      m_checks.end_array();
      std::cout << "{\"ok\":" << (m_failed ? "false" : "true") << ",\"checks\":" << m_checks.str()
                << "}\n";
    }
  }

private:
  bool m_json;
  bool m_failed = false;
  JsonWriter m_checks = [] {
    JsonWriter out;
    out.begin_array();
    return out;
  }();
};

void add_clock(CheckReport& report, const std::string& side, const std::string& utc_now) {
  const auto skew = validate::clock_skew_ms(utc_now, std::chrono::system_clock::now());
  if (!skew) {
    report.add(
        CheckLevel::warn, side + " clock", "cannot read the server's time '" + utc_now + "'");
    return;
  }
  report.add(validate::clock_level(*skew),
             side + " clock",
             "server UTC " + utc_now + ", " + std::to_string(*skew) + " ms from this host");
}

// A refused login is told apart from an unreachable server: both are worth their own line.
void add_connect_failure(CheckReport& report, const std::string& side, const Error& e) {
  const std::string text = e.what();
  const bool auth = e.context().sqlstate == "mysql-1045"
                    || text.find("authentication failed") != std::string::npos
                    || text.find("Access denied") != std::string::npos;
  if (auth) {
    report.add(CheckLevel::ok, side + " reachable", "the server answered");
    report.add(CheckLevel::fail, side + " authenticated", first_line(text));
  } else {
    report.add(CheckLevel::fail, side + " reachable", first_line(text));
  }
}

void check_mysql(CheckReport& report, source::Source& source) {
  const auto info = source.server_info();
  report.add(CheckLevel::ok, "mysql reachable", "the server answered");
  report.add(CheckLevel::ok, "mysql authenticated", "as " + info.account);
  report.add(CheckLevel::ok, "mysql server", info.version.describe());
  for (const auto& [name, answer] : describe_probes(info.probes)) {
    report.add(CheckLevel::ok, "mysql " + name, answer);
  }
  report.add(info.tls_cipher.empty() ? CheckLevel::warn : CheckLevel::ok,
             "mysql tls",
             info.tls_cipher.empty()
                 ? "not encrypted"
                 : "cipher " + info.tls_cipher + ", server certificate " + info.tls_subject);
  report.add(CheckLevel::ok,
             "mysql time zone",
             "global " + info.time_zone + ", system " + info.system_time_zone
                 + " (DATETIME columns are read in the global zone)");
  report.add(info.transactions_visible ? CheckLevel::ok : CheckLevel::warn,
             "mysql open transactions",
             info.transactions_visible
                 ? "information_schema.INNODB_TRX readable"
                 : info.account + " lacks PROCESS: late commits are covered by lookback only");
  add_clock(report, "mysql", info.utc_now);
}

void check_postgres(CheckReport& report, target::Target& target) {
  const auto info = target.server_info();
  report.add(CheckLevel::ok, "postgresql reachable", "the server answered");
  report.add(CheckLevel::ok, "postgresql authenticated", "as " + info.role);
  report.add(CheckLevel::ok, "postgresql server", "PostgreSQL " + info.version);
  report.add(info.superuser ? CheckLevel::warn : CheckLevel::ok,
             "postgresql role",
             info.superuser
                 ? info.role + " is a superuser; a run needs only the grants in docs/operations.md"
                 : info.role + " is not a superuser");
  report.add(info.tls.empty() ? CheckLevel::warn : CheckLevel::ok,
             "postgresql tls",
             info.tls.empty() ? "not encrypted"
                              : info.tls + ", server certificate " + info.tls_subject);
  report.add(CheckLevel::ok,
             "postgresql time zone",
             "server " + info.time_zone + " (the session uses UTC)");
  // SQL_ASCII stores any bytes unchecked and unconverted; LATIN1 and the like cannot hold most of
  // what utf8mb4 can, and refuse a row only when one arrives.
  report.add(
      info.encoding == "UTF8" ? CheckLevel::ok : CheckLevel::fail,
      "postgresql encoding",
      info.encoding == "UTF8"
          ? "UTF8"
          : "the database is " + info.encoding + ", not UTF8: text from MySQL would be stored "
                + (info.encoding == "SQL_ASCII" ? "unchecked" : "only where it fits")
                + "; create it with ENCODING 'UTF8' (CREATE DATABASE ... TEMPLATE template0)");
  add_clock(report, "postgresql", info.utc_now);
}

// The MySQL table can be described and read (SELECT proven by a read of nothing).
bool check_source_table(CheckReport& report,
                        const std::string& name,
                        const config::TableMapping& table,
                        source::Source& source) {
  try {
    const auto described = source.describe(table.source_table);
    source::ReadRequest nothing;
    nothing.table = table.source_table;
    nothing.where = "1 = 0";
    source.count_rows(nothing);
    report.add(CheckLevel::ok,
               name + " mysql table",
               table.source_table + " readable, " + std::to_string(described.columns.size())
                   + " columns");
    return true;
  } catch (const Error& e) {
    report.add(CheckLevel::fail, name + " mysql table", first_line(e.message()));
    return false;
  }
}

// The existing target against the expected one: matches, changes the next run applies, or drift.
void check_target(CheckReport& report,
                  const std::string& name,
                  const config::TableMapping& table,
                  const pipeline::SchemaReport& schema) {
  if (!schema.exists) {
    report.add(CheckLevel::ok,
               name + " target",
               schema.expected.qualified_name() + " does not exist yet: the next run creates it");
    return;
  }
  // Additive changes the next run applies itself are news, not a failure.
  if (!schema.drift.empty() && schema.refused.empty()
      && table.schema_changes == config::SchemaChanges::apply) {
    std::vector<std::string> changes;
    for (const auto& change : schema.changes) {
      changes.push_back(change.describe());
    }
    report.add(CheckLevel::warn,
               name + " target",
               "the next run applies: " + join_text(changes, "; ") + " (migrate schema --diff)");
    return;
  }
  report.add(schema.drift.empty() ? CheckLevel::ok : CheckLevel::fail,
             name + " target",
             schema.drift.empty() ? schema.expected.qualified_name() + " exists and matches"
                                  : "drift: " + join_text(schema.drift, "; "));
}

// A DATETIME or DATE timestamp column has no zone: rows stamped ahead of MySQL's clock (in the
// zone the bound is read in) mean writers use another zone, and wait behind the bound.
void check_writer_zone(CheckReport& report,
                       const std::string& name,
                       const config::TableMapping& table,
                       source::Source& source) {
  const auto described = source.describe(table.source_table);
  const auto* column = described.find(*table.timestamp_column);
  if (column == nullptr || column->data_type == "timestamp") {
    return;
  }
  const auto zone = pipeline::clock_zone(*column, table.timestamp_time_zone);
  const auto now = source.server_clock(std::chrono::seconds(0), zone).now;
  const auto newest =
      source.newest_timestamp(table.source_table, column->name, "9999-12-31 23:59:59.999999");
  const auto frame = table.timestamp_time_zone.empty() ? std::string("MySQL's time_zone")
                                                       : "timestamp_time_zone " + zone;
  if (newest && *newest > shift_timestamp(now, std::chrono::minutes(5))) {
    report.add(CheckLevel::warn,
               name + " time zone",
               "rows are stamped up to " + *newest + ", ahead of MySQL's clock in " + frame + " ("
                   + now.substr(0, 19)
                   + "): its writers stamp in a zone ahead of it, and their rows wait until the "
                     "clock passes them; state their zone as timestamp_time_zone");
    return;
  }
  report.add(CheckLevel::ok,
             name + " time zone",
             "newest row " + newest.value_or("(none)") + ", MySQL's clock " + now.substr(0, 19)
                 + " in " + frame);
}

// The row digest computed both ways on `rows` of the table's own rows spread over its keys: by
// MySQL's SQL, as a comparison asks for it, and by the client from the values a read delivers, as
// a load stores it. A column where they disagree would differ on every comparison.
void check_digests(CheckReport& report,
                   const std::string& name,
                   const config::TableMapping& table,
                   source::Source& source,
                   std::size_t rows) {
  const auto check = name + " digests";
  try {
    const auto mapped = pipeline::map_table(table, source);
    auto diff = pipeline::plan_comparison(table, mapped.plan, source);
    diff.plan.digest_column = k_digest_column;
    const auto chunks = validate::plan_sample(diff.plan, diff.range, rows);
    std::vector<DigestSample> samples;
    for (const auto& id : chunks.ids) {
      auto more = source.digest_samples(
          table.source_table, ChunkFilter{&diff.plan, id}, chunks.rows_per_chunk);
      std::move(more.begin(), more.end(), std::back_inserter(samples));
      if (samples.size() >= rows) {
        break;
      }
    }
    const auto found = validate::compare_samples(diff.plan, samples);
    constexpr std::size_t k_shown = 5;
    for (std::size_t i = 0; i < found.size() && i < k_shown; ++i) {
      report.add(CheckLevel::fail, check, validate::describe(found[i]));
    }
    if (found.size() > k_shown) {
      report.add(CheckLevel::fail,
                 check,
                 "and " + std::to_string(found.size() - k_shown)
                     + " more: these columns would differ on every comparison "
                       "(docs/mysql-compatibility.md)");
    } else if (found.empty()) {
      report.add(CheckLevel::ok,
                 check,
                 samples.empty() ? std::string("ok, no rows to sample")
                                 : "ok, " + counted(samples.size(), "row")
                                       + " sampled: MySQL's SQL and the client agree on every "
                                         "column");
    }
  } catch (const Error& e) {
    report.add(CheckLevel::fail, check, first_line(e.message()));
  }
}

void check_table(CheckReport& report,
                 const config::TableMapping& table,
                 source::Source& source,
                 target::Target& target,
                 std::size_t sample) {
  const auto name = "table " + table.name;
  if (!check_source_table(report, name, table, source)) {
    return;
  }
  pipeline::SchemaReport schema;
  try {
    schema = pipeline::inspect_schema(table, source, target);
  } catch (const Error& e) {
    report.add(CheckLevel::fail, name + " columns", first_line(e.message()));
    return;
  }
  const auto& key = schema.expected.primary_key;
  report.add(
      CheckLevel::ok,
      name + " columns",
      (key.empty() ? std::string("no key (replaced whole)") : "key (" + join_text(key, ", ") + ")")
          + (table.timestamp_column ? ", timestamp " + *table.timestamp_column
                                    : std::string(", no timestamp column")));
  const auto missing = target.missing_privileges(schema.expected);
  report.add(missing.empty() ? CheckLevel::ok : CheckLevel::fail,
             name + " privileges",
             missing.empty() ? "held on both sides"
                             : "PostgreSQL role lacks " + join_text(missing, ", "));
  check_target(report, name, table, schema);
  if (sample > 0) {
    check_digests(report, name, table, source, sample);
  }
  if (table.timestamp_column) {
    try {
      check_writer_zone(report, name, table, source);
    } catch (const Error& e) {
      report.add(CheckLevel::fail, name + " time zone", first_line(e.message()));
    }
  }
}

// A table created in MySQL after the mapping was written is not synced until someone says so.
void check_unmapped(CheckReport& report, const config::Config& config, source::Source& source) {
  std::vector<std::string> mapped;
  for (const auto& table : config.tables) {
    mapped.push_back(table.source_table);
  }
  try {
    for (const auto& name : validate::unmapped_tables(source.table_names(), mapped)) {
      report.add(CheckLevel::warn,
                 "mysql table " + name,
                 "no mapping names it: add it to table_mapping.yaml, or leave it out on purpose");
    }
  } catch (const Error& e) {
    report.add(CheckLevel::warn, "mysql tables", "cannot list them: " + first_line(e.message()));
  }
}

// The state file must be writable (or creatable) without being opened: check changes nothing.
void check_state_file(CheckReport& report, const std::filesystem::path& path) {
  const bool exists = std::filesystem::exists(path);
  auto directory = path.parent_path();
  while (!directory.empty() && !std::filesystem::exists(directory)
         && directory != directory.parent_path()) {
    directory = directory.parent_path();
  }
  const bool writable = exists ? ::access(path.c_str(), R_OK | W_OK) == 0
                               : ::access(directory.c_str(), W_OK | X_OK) == 0;
  report.add(writable ? CheckLevel::ok : CheckLevel::fail,
             "state file",
             path.string()
                 + (writable ? (exists ? " is writable" : " can be created")
                             : (exists ? " is not writable"
                                       : " cannot be created in " + directory.string())));
}

// A shared store is reached as a run would reach it; opening it creates its tables when missing,
// the one thing check writes (idempotent, and what the first run would do).
void check_shared_state(CheckReport& report, const CommandContext& context) {
  const auto& config = context.config;
  const auto where = config.state.describe();
  try {
    context.adapters.state();
    report.add(CheckLevel::ok, "state store", where + " is reachable");
  } catch (const Error& e) {
    report.add(CheckLevel::fail, "state store", where + ": " + e.message());
  }
}

} // namespace

CLI::App* setup_check(CLI::App& app, CheckOptions& options) {
  auto* command = app.add_subcommand(
      "check", "connect and inspect both sides and every table; change nothing (exit 1 on a fail)");
  command->add_flag(
      "--json", options.json, "one JSON document: ok, and each check's level and detail");
  command
      ->add_option("--sample",
                   options.sample,
                   "compute the row digests of N rows per table both in MySQL's SQL and on this "
                   "host, and name any column where they disagree")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  return command;
}

int run_check(const GlobalOptions& global, const CheckOptions& options) {
  const CommandContext context(global, config::ReadScope::full);
  const auto& config = context.config;
  CheckReport report(options.json);
  std::unique_ptr<source::Source> source;
  std::unique_ptr<target::Target> target;
  try {
    source = context.adapters.source(Retries::none);
    check_mysql(report, *source);
  } catch (const Error& e) {
    add_connect_failure(report, "mysql", e);
  }
  try {
    target = context.adapters.target(Retries::none);
    check_postgres(report, *target);
  } catch (const Error& e) {
    add_connect_failure(report, "postgresql", e);
  }
  if (source && target) {
    for (const auto* table : context.tables) {
      check_table(report, *table, *source, *target, options.sample);
    }
    check_unmapped(report, config, *source);
  }
  if (!config.state.shared()) {
    check_state_file(report, config.state.file);
  } else {
    check_shared_state(report, context);
  }
  report.finish();
  return report.failed() ? k_exit_table_failed : k_exit_ok;
}

} // namespace migrate::cli
