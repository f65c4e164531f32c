#include "cli/adapters.hpp"
#include "cli/commands.hpp"
#include "cli/json_writer.hpp"
#include "cli/run_report.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/core/log_text.hpp"
#include "migrate/core/text_table.hpp"
#include "migrate/state/run_lock.hpp"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <map>

namespace migrate::cli {
namespace {

// What status shows of one table; `run` is null when the table never ran.
struct TableStatus {
  std::string table;
  std::optional<std::string> position;
  const TableResult* run = nullptr;
  std::size_t quarantined = 0;
  // The live run that holds the lock and has not finished this table yet, e.g. "running (pid 12,
  // started 2026-11-29T02:00:00Z)"; empty otherwise.
  std::string running;
  std::optional<state::RunRecord> last_ok; // the last successful run
  validate::Freshness freshness;
  std::optional<state::ValidationRecord> last_validation;
};

// "in sync (2026-11-29T08:00:00Z)": the last stored validation's outcome and time; "-" without one.
std::string validation_text(const TableStatus& row) {
  if (!row.last_validation) {
    return "-";
  }
  const auto& v = *row.last_validation;
  return std::string(to_string(v.outcome)) + (v.checksum ? ", checksum" : "") + " (" + v.at + ")";
}

// "3d 4h", or "9d 2h > 8d" when older than max_age; "-" when never synced.
std::string age_text(const TableStatus& row, std::chrono::seconds max_age) {
  if (!row.freshness.age) {
    return "-";
  }
  auto text = validate::format_age(*row.freshness.age);
  return row.freshness.stale ? text + " STALE (max_age " + validate::format_age(max_age) + ")"
                             : text;
}

// A run still marked running is in progress while a live process holds the run lock; otherwise its
// process ended without finishing it.
std::string running_text(const state::RunRecord& record,
                         const std::optional<state::LockHolder>& active) {
  if (!record.unfinished || !active) {
    return {};
  }
  return "running (pid " + std::to_string(active->pid) + ", started " + active->started + ")";
}

std::string outcome_text(const TableStatus& row) {
  const auto& r = *row.run;
  if (!row.running.empty()) {
    return row.running;
  }
  // Cut, so that one PostgreSQL error does not make the table hundreds of characters wide:
  // history --table and status --json keep the whole text.
  constexpr std::size_t k_error_bytes = 80;
  return r.error ? std::string(outcome_label(r)) + ": " + first_line(r.error_text(), k_error_bytes)
                 : outcome_label(r);
}

void print_table(const std::vector<TableStatus>& rows, std::chrono::seconds max_age) {
  using Align = TextTable::Align;
  TextTable out({{"table"},
                 {"position"},
                 {"last run (UTC)"},
                 {"last success (UTC)"},
                 {"data age"},
                 {"mode"},
                 {"moved", Align::right},
                 {"quarantined", Align::right},
                 {"seconds", Align::right},
                 {"outcome"},
                 {"last validation"}});
  for (const auto& row : rows) {
    const std::string position = row.position.value_or("-");
    if (row.run == nullptr) {
      out.add_row({row.table,
                   position,
                   "never",
                   "never",
                   "-",
                   "-",
                   "-",
                   "-",
                   "-",
                   "-",
                   validation_text(row)});
      continue;
    }
    const auto& r = *row.run;
    const std::string outcome = outcome_text(row);
    out.add_row({row.table,
                 position,
                 format_utc(r.started),
                 row.last_ok ? format_utc(row.last_ok->result.started) : "never",
                 age_text(row, max_age),
                 mode_label(r.mode),
                 std::to_string(r.counts.moved()),
                 std::to_string(row.quarantined),
                 fmt::format("{:.2f}", r.seconds()),
                 outcome,
                 validation_text(row)});
  }
  std::cout << out.render();
  for (const auto& row : rows) {
    if (row.run != nullptr && !row.run->held_back.empty()) {
      std::cout << row.table << ": " << row.run->held_back << "\n";
    }
  }
}

// The five success metrics under the table: met, not met or not measured, what was measured and
// the target.
void print_success(const validate::SuccessReport& success) {
  TextTable out({{"success metric"}, {"state"}, {"measured"}, {"target"}});
  for (const auto& metric : success.metrics) {
    out.add_row({metric.title, validate::to_string(metric.state), metric.text, metric.target_text});
  }
  std::cout << "\n" << out.render();
}

void add_success_json(JsonWriter& json, const validate::SuccessReport& success) {
  json.key("success_metrics").begin_array();
  for (const auto& metric : success.metrics) {
    json.begin_object()
        .key("metric")
        .value(metric.key)
        .key("title")
        .value(metric.title)
        .key("state")
        .value(validate::to_string(metric.state))
        .key("value");
    metric.state == validate::MetricState::not_measured ? json.null() : json.value(metric.value);
    json.key("target")
        .value(metric.target)
        .key("text")
        .value(metric.text)
        .key("target_text")
        .value(metric.target_text)
        .key("trend_unit")
        .value(metric.trend_unit)
        .key("trend")
        .begin_array();
    for (std::size_t i = 0; i < metric.trend.size(); ++i) {
      json.begin_object()
          .key("date")
          .value(metric.trend_labels[i])
          .key("value")
          .value(metric.trend[i])
          .end_object();
    }
    json.end_array().end_object();
  }
  json.end_array();
}

void add_consistency_json(JsonWriter& json,
                          const validate::SuccessReport& success,
                          const std::string& table) {
  json.key("consistency");
  for (const auto& t : success.tables) {
    if (t.table == table) {
      json.begin_object()
          .key("ratio")
          .value(t.ratio())
          .key("rows")
          .value(t.rows)
          .key("differing")
          .value(t.differing)
          .key("measured_at")
          .value(t.measured_at)
          .end_object();
      return;
    }
  }
  json.null();
}

void add_validation_json(JsonWriter& json, const std::optional<state::ValidationRecord>& v) {
  if (!v) {
    json.null();
    return;
  }
  json.begin_object()
      .key("at")
      .value(v->at)
      .key("checksum")
      .value(v->checksum)
      .key("outcome")
      .value(to_string(v->outcome))
      .key("summary")
      .value(v->summary)
      .end_object();
}

void print_json(const std::vector<TableStatus>& rows,
                std::chrono::seconds max_age,
                const validate::SuccessReport& success) {
  JsonWriter json;
  json.begin_object().key("max_age_seconds").value(static_cast<std::int64_t>(max_age.count()));
  add_success_json(json, success);
  json.key("tables").begin_array();
  for (const auto& row : rows) {
    json.begin_object().key("table").value(row.table).key("position");
    row.position ? json.value(*row.position) : json.null();
    json.key("last_success");
    row.last_ok ? json.value(format_utc(row.last_ok->result.started)) : json.null();
    json.key("data_age_seconds");
    row.freshness.age ? json.value(static_cast<std::int64_t>(row.freshness.age->count()))
                      : json.null();
    json.key("stale").value(row.freshness.stale);
    add_consistency_json(json, success, row.table);
    json.key("last_validation");
    add_validation_json(json, row.last_validation);
    json.key("quarantined").value(static_cast<std::uint64_t>(row.quarantined)).key("last_run");
    if (row.run == nullptr) {
      json.null().end_object();
      continue;
    }
    const auto& r = *row.run;
    json.begin_object()
        .key("started")
        .value(format_utc(r.started))
        .key("mode")
        .value(to_string(r.mode))
        .key("outcome")
        .value(row.running.empty() ? outcome_label(r) : "running")
        .key("error")
        .value(row.running.empty() ? r.error_text() : row.running)
        .key("held_back")
        .value(r.held_back)
        .key("read")
        .value(r.counts.rows_read)
        .key("inserted")
        .value(r.counts.inserted)
        .key("updated")
        .value(r.counts.updated)
        .key("unchanged")
        .value(r.counts.unchanged)
        .key("deleted")
        .value(r.counts.deleted)
        .key("moved")
        .value(r.counts.moved())
        .key("seconds")
        .value(r.seconds())
        .end_object()
        .end_object();
  }
  json.end_array().end_object();
  std::cout << json.str() << "\n";
}

} // namespace

CLI::App* setup_status(CLI::App& app, bool& json) {
  auto* command = app.add_subcommand(
      "status",
      "per table: position, last run, last successful run, data age (flagged when older than "
      "max_age), rows moved, duration, outcome, last validation; exit 1 when a table failed or "
      "is stale (reads only the state file)");
  command->add_flag("--json", json, "one JSON document instead of the table");
  return command;
}

int run_status(const GlobalOptions& global, bool json) {
  const CommandContext context(global, config::ReadScope::state_only);
  const auto& config = context.config;
  const auto& tables = context.tables;
  const auto state = context.adapters.state();
  const auto active = state::current_holder(config.state.file);
  std::map<std::string, state::RunRecord> latest;
  for (auto& record : state->latest_runs()) {
    latest[record.result.table] = record;
  }
  std::vector<TableStatus> rows;
  bool any_failed = false;
  bool any_stale = false;
  for (const auto* table : tables) {
    TableStatus row{table->source_table, std::nullopt, nullptr, 0};
    if (const auto position = state->position(table->source_table)) {
      row.position = position->to_string();
    }
    row.quarantined = state->quarantined(table->source_table).size();
    row.last_ok = state->last_successful_run(table->source_table);
    row.freshness = freshness_of(row.last_ok, config.max_age);
    if (auto validations = state->validations(table->source_table, 1, false);
        !validations.empty()) {
      row.last_validation = std::move(validations.back());
    }
    any_stale = any_stale || row.freshness.stale;
    if (const auto found = latest.find(table->source_table); found != latest.end()) {
      row.run = &found->second.result;
      row.running = running_text(found->second, active);
      if (row.running.empty() && found->second.unfinished
          && state->leased_elsewhere(table->source_table).value_or(false)) {
        row.running = "running (another worker holds its lease)";
      }
      any_failed = any_failed || (row.running.empty() && row.run->outcome == Outcome::failed);
    }
    rows.push_back(std::move(row));
  }
  std::vector<std::string> names;
  for (const auto* table : tables) {
    names.push_back(table->source_table);
  }
  const auto success = success_report(config, *state, names);
  if (json) {
    print_json(rows, config.max_age, success);
  } else {
    print_table(rows, config.max_age);
    print_success(success);
  }
  if (any_stale) {
    spdlog::warn("data older than max_age={} in at least one table (status: STALE)",
                 validate::format_age(config.max_age));
  }
  return any_failed || any_stale ? k_exit_table_failed : k_exit_ok;
}

} // namespace migrate::cli
