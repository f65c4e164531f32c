#include "cli/run_report.hpp"

#include "migrate/core/log_text.hpp"
#include "migrate/metrics/textfile.hpp"
#include "migrate/report/report_model.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <map>

namespace migrate::cli {
namespace {

notify::RunReport
run_report(const config::Config& config, state::StateStore& state, const FinishedRun& run) {
  notify::RunReport report;
  report.invocation_id = run.id;
  report.host = host_name();
  report.started = run.started;
  report.finished = std::chrono::system_clock::now();
  report.exit_code = run.exit_code;
  report.max_age = config.max_age;
  report.validations = run.validations;
  for (const auto& result : run.results) {
    report.tables.push_back({result, state.quarantined(result.table).size()});
  }
  for (const auto& table : config.tables) {
    const auto freshness = table_freshness(state, table.source_table, config.max_age);
    if (freshness.stale) {
      report.stale.push_back({table.source_table, freshness.age});
    }
  }
  return report;
}

std::vector<std::string> mapped_tables(const config::Config& config) {
  std::vector<std::string> tables;
  for (const auto& table : config.tables) {
    tables.push_back(table.source_table);
  }
  return tables;
}

// The HTML report of every mapped table after the run, as `migrate report --html` writes it.
std::string report_page(const config::Config& config,
                        state::StateStore& state,
                        const validate::SuccessReport& success) {
  constexpr std::size_t k_runs_shown = 20;
  auto model = report::build_model(
      state, mapped_tables(config), k_runs_shown, std::chrono::system_clock::now());
  model.state_file = config.state.describe();
  model.success = success;
  return report::render_html(model);
}

metrics::RunFigures run_figures(const config::Config& config,
                                state::StateStore& state,
                                const FinishedRun& run,
                                std::uint64_t notify_failures,
                                const validate::SuccessReport& success) {
  metrics::RunFigures figures;
  figures.finished = std::chrono::system_clock::now();
  figures.exit_code = run.exit_code;
  figures.notify_failures = notify_failures;
  std::map<std::string, TableResult> latest;
  for (auto& record : state.latest_runs()) {
    latest[record.result.table] = record.result;
  }
  for (const auto& table : config.tables) {
    metrics::TableFigures t;
    t.table = table.source_table;
    if (const auto found = latest.find(t.table); found != latest.end()) {
      t.last_run = found->second;
    }
    const auto last = state.last_successful_run(t.table);
    if (last) {
      t.last_success = last->result.started;
    }
    const auto freshness = freshness_of(last, config.max_age);
    t.data_age = freshness.age;
    t.stale = freshness.stale;
    figures.tables.push_back(std::move(t));
  }
  figures.success = success;
  return figures;
}

} // namespace

std::uint64_t report_run(const config::Config& config,
                         state::StateStore& state,
                         const FinishedRun& run,
                         const std::vector<std::unique_ptr<notify::Channel>>& channels) {
  std::uint64_t failures = 0;
  // Read from the state store once for the mail's report and the textfile; the run itself counted
  // with its exit code (it is not recorded as finished yet).
  std::optional<validate::SuccessReport> success;
  const auto success_now = [&]() -> const validate::SuccessReport& {
    if (!success) {
      success = success_report(config, state, mapped_tables(config), &run);
    }
    return *success;
  };
  if (!channels.empty()) {
    auto report = run_report(config, state, run);
    if (config.notify.email) {
      report.report_html = report_page(config, state, success_now());
    }
    const auto message = notify::compose(report, config_secrets(config));
    failures = notify::deliver(channels, message).failed;
  }
  if (!config.metrics_textfile.empty()) {
    try {
      metrics::write_textfile(
          config.metrics_textfile,
          metrics::render_textfile(run_figures(config, state, run, failures, success_now())));
      spdlog::debug("metrics written file={}", quote_field(config.metrics_textfile.string()));
    } catch (const std::exception& e) {
      spdlog::warn("metrics not written error={}", quote_field(e.what()));
    }
  }
  return failures;
}

validate::Freshness
table_freshness(state::StateStore& state, const std::string& table, std::chrono::seconds max_age) {
  return freshness_of(state.last_successful_run(table), max_age);
}

validate::Freshness freshness_of(const std::optional<state::RunRecord>& last_ok,
                                 std::chrono::seconds max_age) {
  const auto last = last_ok ? std::optional(
                        validate::LastSuccess{last_ok->result.started, last_ok->result.upper_bound})
                            : std::nullopt;
  return validate::assess_freshness(last, std::chrono::system_clock::now(), max_age);
}

validate::SuccessReport success_report(const config::Config& config,
                                       state::StateStore& state,
                                       const std::vector<std::string>& tables,
                                       const FinishedRun* current) {
  const validate::SuccessTargets targets{config.targets, config.max_age};
  validate::SuccessInputs inputs;
  inputs.now = std::chrono::system_clock::now();
  // Runs in progress are skipped, and cutovers are not weekly runs: a few more than asked for.
  for (auto& invocation : state.invocations(targets.goals.runs + 16)) {
    if (invocation.start.options.rfind("cutover", 0) == 0) {
      continue;
    }
    if (current != nullptr && invocation.id == current->id) {
      invocation.exit_code = current->exit_code;
      invocation.finished = inputs.now;
    }
    inputs.invocations.push_back(std::move(invocation));
  }
  constexpr std::size_t k_validations_per_table = 60;
  for (const auto& table : tables) {
    for (auto& v : state.validations(table, k_validations_per_table, false)) {
      if (v.checksum) {
        inputs.checksums.push_back(std::move(v));
      }
    }
    inputs.ages.emplace_back(table, table_freshness(state, table, config.max_age));
  }
  return validate::assess_success(inputs, targets);
}

std::vector<std::string> config_secrets(const config::Config& config) {
  std::vector<std::string> out{config.mysql.password, config.postgresql.password};
  if (config.notify.email) {
    out.push_back(config.notify.email->password);
  }
  if (config.notify.webhook) {
    out.push_back(config.notify.webhook->url);
  }
  for (const auto& table : config.tables) {
    for (const auto& transformation : table.transformations) {
      out.push_back(transformation.salt);
    }
  }
  return out;
}

std::string host_name() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof buffer - 1) != 0) {
    return "unknown-host";
  }
  return buffer;
}

} // namespace migrate::cli
