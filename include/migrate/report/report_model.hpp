// Builds the HTML report's model from the state store: runs, validations, quarantine and the age
// of each table's data.
#pragma once

#include "migrate/report/html_report.hpp"
#include "migrate/state/state_store.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace migrate::report {

// How old the data in PostgreSQL is at `now`: now minus the newest successful run's upper bound
// (the newest source change it can hold), or minus its finish when it had none (a table without
// a timestamp column reads everything up to its finish). nullopt when no run succeeded. `basis`
// receives what the age was measured from. `runs` oldest first.
std::optional<std::chrono::seconds> data_age(const std::vector<state::RunRecord>& runs,
                                             std::chrono::system_clock::time_point now,
                                             std::string& basis);

// The model of `tables` (the last `last` runs and validations of each), as of `now`.
ReportModel build_model(state::StateStore& state,
                        const std::vector<std::string>& tables,
                        std::size_t last,
                        std::chrono::system_clock::time_point now);

} // namespace migrate::report
