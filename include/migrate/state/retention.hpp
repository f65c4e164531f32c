// Retention as the state store applies it: migrate.yaml's periods turned into cutoffs.
#pragma once

#include "migrate/config/config.hpp"
#include "migrate/state/state_store.hpp"

#include <chrono>
#include <string>

namespace migrate::state {

// Each period counted back from `now`; a period kept forever has no cutoff.
PruneCutoffs prune_cutoffs(const config::Retention& retention,
                           std::chrono::system_clock::time_point now);

// "3 runs, 1 invocation, 0 validations and 2 quarantined values", for the log and `state prune`.
std::string describe(const PruneCounts& counts);

// "history 400d, validations 400d, quarantine values 90d" ("forever" where kept forever).
std::string describe(const config::Retention& retention);

} // namespace migrate::state
