#include "migrate/metrics/textfile.hpp"

#include "migrate/core/error.hpp"

#include <spdlog/fmt/fmt.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>

namespace migrate::metrics {
namespace {

double epoch_seconds(std::chrono::system_clock::time_point time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

// One family: HELP, TYPE, then a sample per table that has a value.
struct Family {
  const char* name;
  const char* help;
  std::function<std::optional<double>(const TableFigures&)> value;
};

std::optional<double> count(const TableFigures& t, std::uint64_t TableCounts::*field) {
  if (!t.last_run) {
    return std::nullopt;
  }
  return static_cast<double>(t.last_run->counts.*field);
}

std::vector<Family> table_families() {
  return {
      {"migrate_table_rows_read",
       "Rows read from MySQL by the table's last run.",
       [](const TableFigures& t) {
         return count(t, &TableCounts::rows_read);
       }},
      {"migrate_table_rows_inserted",
       "Rows inserted into PostgreSQL by the table's last run.",
       [](const TableFigures& t) {
         return count(t, &TableCounts::inserted);
       }},
      {"migrate_table_rows_updated",
       "Rows updated in PostgreSQL by the table's last run.",
       [](const TableFigures& t) {
         return count(t, &TableCounts::updated);
       }},
      {"migrate_table_rows_deleted",
       "Rows deleted from PostgreSQL by the table's last run.",
       [](const TableFigures& t) {
         return count(t, &TableCounts::deleted);
       }},
      {"migrate_table_rows_quarantined",
       "Rows the table's last run put in the quarantine.",
       [](const TableFigures& t) {
         return count(t, &TableCounts::quarantined);
       }},
      {"migrate_table_last_run_duration_seconds",
       "Duration of the table's last run.",
       [](const TableFigures& t) {
         return t.last_run ? std::optional<double>(t.last_run->seconds()) : std::nullopt;
       }},
      {"migrate_table_last_run_timestamp_seconds",
       "Start of the table's last run, Unix time.",
       [](const TableFigures& t) {
         return t.last_run ? std::optional<double>(epoch_seconds(t.last_run->started))
                           : std::nullopt;
       }},
      {"migrate_table_last_success_timestamp_seconds",
       "Start of the table's last successful run, Unix time.",
       [](const TableFigures& t) {
         return t.last_success ? std::optional<double>(epoch_seconds(*t.last_success))
                               : std::nullopt;
       }},
      {"migrate_table_data_age_seconds",
       "Age of the table's data in PostgreSQL: now minus what the last successful run covered.",
       [](const TableFigures& t) {
         return t.data_age ? std::optional<double>(static_cast<double>(t.data_age->count()))
                           : std::nullopt;
       }},
      {"migrate_table_stale",
       "1 when the table's data is older than max_age (or was never synced), else 0.",
       [](const TableFigures& t) {
         return std::optional<double>(t.stale ? 1.0 : 0.0);
       }},
  };
}

std::string sample(const std::string& name, const std::string& labels, double value) {
  return fmt::format("{}{{{}}} {}\n", name, labels, value);
}

void render_outcome(const RunFigures& run, std::string& out) {
  out += "# HELP migrate_table_last_run_outcome Outcome of the table's last run: 1 for the "
         "outcome it had.\n# TYPE migrate_table_last_run_outcome gauge\n";
  for (const auto& t : run.tables) {
    if (!t.last_run) {
      continue;
    }
    const auto table = "table=\"" + escape_label_value(t.table) + "\"";
    const bool ok = t.last_run->outcome == Outcome::ok;
    out += sample("migrate_table_last_run_outcome", table + ",outcome=\"ok\"", ok ? 1 : 0);
    out += sample("migrate_table_last_run_outcome", table + ",outcome=\"failed\"", ok ? 0 : 1);
  }
}

// Each success metric's value and target (fractions, or seconds), and 1/0 for met; a metric not
// measured yet has no samples, so that an alert on `== 0` does not fire for a new installation.
void render_success(const validate::SuccessReport& success, std::string& out) {
  out += "# HELP migrate_success_metric_met 1 when the success metric meets its target, else 0.\n"
         "# TYPE migrate_success_metric_met gauge\n";
  std::string values = "# HELP migrate_success_metric_value The success metric as measured: a "
                       "fraction (consistency, failure_rate) or seconds.\n"
                       "# TYPE migrate_success_metric_value gauge\n";
  std::string targets = "# HELP migrate_success_metric_target The success metric's target, in "
                        "the same unit.\n# TYPE migrate_success_metric_target gauge\n";
  for (const auto& metric : success.metrics) {
    if (metric.state == validate::MetricState::not_measured) {
      continue;
    }
    const auto label = "metric=\"" + metric.key + "\"";
    out += sample(
        "migrate_success_metric_met", label, metric.state == validate::MetricState::met ? 1 : 0);
    values += sample("migrate_success_metric_value", label, metric.value);
    targets += sample("migrate_success_metric_target", label, metric.target);
  }
  out += values + targets;
  out += "# HELP migrate_table_consistency_ratio Rows equal / rows at the table's last checksum.\n"
         "# TYPE migrate_table_consistency_ratio gauge\n";
  for (const auto& table : success.tables) {
    out += sample("migrate_table_consistency_ratio",
                  "table=\"" + escape_label_value(table.table) + "\"",
                  table.ratio());
  }
}

} // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string render_textfile(const RunFigures& run) {
  std::string out;
  for (const auto& family : table_families()) {
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", family.name, family.help, family.name);
    for (const auto& t : run.tables) {
      if (const auto value = family.value(t)) {
        out += sample(family.name, "table=\"" + escape_label_value(t.table) + "\"", *value);
      }
    }
  }
  render_outcome(run, out);
  render_success(run.success, out);
  out += fmt::format("# HELP migrate_run_finished_timestamp_seconds End of the last run, Unix "
                     "time.\n# TYPE migrate_run_finished_timestamp_seconds gauge\n"
                     "migrate_run_finished_timestamp_seconds {}\n",
                     epoch_seconds(run.finished));
  out += fmt::format("# HELP migrate_run_exit_code Exit code of the last run.\n"
                     "# TYPE migrate_run_exit_code gauge\nmigrate_run_exit_code {}\n",
                     run.exit_code);
  out += fmt::format("# HELP migrate_run_notify_failures Alerts the last run could not send.\n"
                     "# TYPE migrate_run_notify_failures gauge\nmigrate_run_notify_failures {}\n",
                     run.notify_failures);
  return out;
}

void write_textfile(const std::filesystem::path& path, const std::string& text) {
  const auto fail = [&](const std::string& what) {
    throw Error(ErrorArea::internal,
                "metrics textfile " + path.string() + ": " + what + ": " + std::strerror(errno));
  };
  // node_exporter reads only *.prom, so the temporary name is skipped until the rename.
  std::string name = ".";
  name += path.filename().string();
  name += ".tmp";
  const auto temporary = path.parent_path() / name;
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    fail("cannot create " + temporary.string());
  }
  std::size_t written = 0;
  while (written < text.size()) {
    const auto n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      ::close(fd);
      fail("cannot write");
    }
    written += static_cast<std::size_t>(n);
  }
  // The process umask is 077 (the state file is private); this file is meant to be read.
  if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0) {
    ::close(fd);
    fail("cannot finish");
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    fail("cannot rename " + temporary.string());
  }
}

} // namespace migrate::metrics
