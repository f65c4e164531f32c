// What follows a run: the metrics textfile and the alerts, from the run's results and what the
// state file says of every mapped table afterwards. Also the freshness of one table, which
// `status` shows.
#pragma once

#include "migrate/config/config.hpp"
#include "migrate/core/result.hpp"
#include "migrate/notify/channel.hpp"
#include "migrate/state/state_store.hpp"
#include "migrate/validate/freshness.hpp"
#include "migrate/validate/success_metrics.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace migrate::cli {

struct FinishedRun {
  std::int64_t id = 0; // the invocation
  std::chrono::system_clock::time_point started;
  int exit_code = 0;
  std::vector<TableResult> results;
  std::vector<state::ValidationRecord> validations; // validate_after's, stored already
};

// Sends the alerts the channels want, then writes the metrics textfile (when configured). Neither
// changes the run's outcome: failures are logged; returns how many alerts could not be sent.
std::uint64_t report_run(const config::Config& config,
                         state::StateStore& state,
                         const FinishedRun& run,
                         const std::vector<std::unique_ptr<notify::Channel>>& channels);

// The table's freshness now, from its last successful run in the state file.
validate::Freshness
table_freshness(state::StateStore& state, const std::string& table, std::chrono::seconds max_age);
// The same, from the table's last successful run already read.
validate::Freshness freshness_of(const std::optional<state::RunRecord>& last_ok,
                                 std::chrono::seconds max_age);

// The five success metrics of `tables` as of now, from the state store and migrate.yaml's targets.
// `current`: the run that is ending, not yet recorded as finished, counted with its exit code.
validate::SuccessReport success_report(const config::Config& config,
                                       state::StateStore& state,
                                       const std::vector<std::string>& tables,
                                       const FinishedRun* current = nullptr);

// The configuration's secrets (passwords, salts, the webhook URL), to keep out of alerts.
std::vector<std::string> config_secrets(const config::Config& config);

// This machine's name, for history and alerts.
std::string host_name();

} // namespace migrate::cli
