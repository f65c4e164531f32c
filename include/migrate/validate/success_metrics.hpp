// The design document's five success metrics, measured from what the state store keeps: data
// consistency between source and target, the weekly run inside its window, the share of failed
// runs, the time from a failed run to the next successful one, and the age of the target's data.
// Each is met, not met, or not measured yet, with its trend across the runs. Pure functions:
// `migrate status`, the metrics textfile and the HTML report show the same figures.
#pragma once

#include "migrate/config/config.hpp"
#include "migrate/state/state_store.hpp"
#include "migrate/validate/freshness.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace migrate::validate {

// migrate.yaml's `targets:` and `max_age`, the design document's numbers by default.
struct SuccessTargets {
  config::Targets goals;
  std::chrono::seconds max_age{8 * 86400};
};

// One table's consistency as its newest checksum validation measured it.
struct TableConsistency {
  std::string table;
  std::uint64_t rows = 0;      // MySQL's rows
  std::uint64_t differing = 0; // rows no legitimate reason accounts for
  std::string measured_at;     // "2026-12-06T02:41:00Z"

  double ratio() const; // 1 for an empty table
};

enum class MetricState { met, not_met, not_measured };
// "met", "not met", "not measured".
const char* to_string(MetricState state);

struct Metric {
  std::string key;   // consistency, window, failure_rate, recovery, data_age
  std::string title; // "Data consistency"
  MetricState state = MetricState::not_measured;
  double value = 0;  // a fraction (consistency, failure_rate) or seconds
  double target = 0; // likewise
  std::string text;  // what was measured, in plain words
  std::string target_text;
  std::vector<double> trend;             // oldest first, in `trend_unit`
  std::vector<std::string> trend_labels; // one per point: its date
  std::string trend_unit;                // "%", "h", "min", "d", "failed"
};

struct SuccessInputs {
  std::chrono::system_clock::time_point now;
  std::vector<state::Invocation> invocations;          // newest first, as the store lists them
  std::vector<state::ValidationRecord> checksums;      // stored checksum validations, any table
  std::vector<std::pair<std::string, Freshness>> ages; // each mapped table's data age
};

struct SuccessReport {
  std::vector<Metric> metrics;          // the five, in the design document's order
  std::vector<TableConsistency> tables; // those with a checksum stored
  std::size_t tables_mapped = 0;
};

SuccessReport assess_success(const SuccessInputs& inputs, const SuccessTargets& targets);

// The one sentence a manager reads first: "PostgreSQL matches MySQL as of 2026-12-06 02:41 UTC:
// 12 tables, 0 differing, 3 rows in quarantine", from the newest checksum of each table.
std::string verdict_line(const SuccessReport& report, std::uint64_t quarantined_rows);

// "99.97%": at most two decimals, more only to tell a near miss from the target.
std::string format_percent(double fraction);

} // namespace migrate::validate
