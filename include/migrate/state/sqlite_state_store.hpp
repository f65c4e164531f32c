// SqliteStateStore: StateStore in a local SQLite file (created on first use, schema versioned).
#pragma once

#include "migrate/state/state_store.hpp"

#include <filesystem>
#include <memory>

namespace migrate::state {

// Opens or creates the state file (":memory:" for a throwaway store). Throws Error(area state).
std::unique_ptr<StateStore> open_sqlite_state(const std::filesystem::path& path);

} // namespace migrate::state
