#include "pipeline/run_state.hpp"

#include "pipeline/comparison.hpp"

#include "migrate/convert/row_seal.hpp"
#include "migrate/core/error.hpp"
#include "migrate/pipeline/run_rules.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace migrate::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

} // namespace

RunState::RunState(const config::TableMapping& run_mapping,
                   source::Source& run_source,
                   target::Target& run_target,
                   state::StateStore& run_store,
                   const SyncOptions& run_options)
    : mapping(run_mapping)
    , source(run_source)
    , target(run_target)
    , store(run_store)
    , options(run_options) {}

void RunState::save_position(state::Position position, const std::string& name) {
  position.target_id = target_id;
  store.save_position(name.empty() ? mapping.source_table : name, position);
}

source::ReadRequest RunState::request(source::ReadOrder order) const {
  return read_request(mapping, plan, order);
}

// The cutover's final sync leaves rows changed in PostgreSQL by hand for its checksum to name.
target::LoadMode RunState::upsert_mode() const {
  return options.leave_target_edits ? target::LoadMode::upsert_keeping_edits
                                    : target::LoadMode::upsert;
}

bool RunState::target_empty() {
  if (!target_empty_cache) {
    target_empty_cache = target.is_empty(target_table);
  }
  return *target_empty_cache;
}

// Rows are copied straight into the empty table and sealed as they arrive (by the client where the
// target lets it: PostgreSQL sealing each row costs it a third of its load); finish_keys() ends
// that, whether or not the table still lacks its keys.
void RunState::begin_first_load() {
  if (target.prepare_first_load(target_table, convert::seal_kinds(plan).has_value())) {
    spdlog::info("table={} first load: rows sealed by the client", mapping.source_table);
  }
  keys_pending = true;
}

void RunState::finish_keys() {
  if (!keys_pending) {
    return;
  }
  if (target_table.primary_key.empty() && target_table.indexes.empty()) {
    keys_pending = false;
    return;
  }
  const auto started = Clock::now();
  try {
    target.build_keys(target_table);
  } catch (const Error& e) {
    // Only the data can be at fault (class 23: duplicates, NULLs); a lost connection or a lock
    // timeout says nothing about the rows, and the next run builds the key of a complete load.
    if (!created || e.context().sqlstate.rfind("23", 0) != 0) {
      throw;
    }
    // A table without its key would fail every later run the same way: drop what this run
    // created, so that the next run starts afresh once the cause is fixed.
    target.drop_table(target_table);
    store.clear_position(mapping.source_table);
    throw Error(ErrorArea::target,
                std::string("cannot build the primary key after the first load (") + e.what()
                    + "); the table this run created was dropped, so the next run starts afresh",
                ErrorContext{.table = mapping.source_table, .sqlstate = e.context().sqlstate});
  }
  keys_pending = false;
  spdlog::info("table={} built primary key and {} indexes took_s={:.2f}",
               mapping.source_table,
               target_table.indexes.size(),
               std::chrono::duration<double>(Clock::now() - started).count());
}

// The server's now minus safety_lag, cut back to the last complete tick of the column's precision,
// so a row stamped later in the current tick cannot fall behind the cursor.
std::string RunState::upper_bound() {
  const auto& column = plan.columns[*plan.timestamp_position].source;
  const auto clock =
      source.server_clock(mapping.safety_lag, clock_zone(column, mapping.timestamp_time_zone));
  const auto bound =
      read_upper_bound(clock, column.data_type == "date" ? -1 : column.datetime_precision);
  // Said on the first run it holds the table back beyond the lookback, and kept with the run for
  // status and validate.
  auto note = held_back_note(clock, mapping.lookback, bound);
  if (note && result.held_back.empty()) {
    spdlog::warn("table={} {}", mapping.source_table, *note);
    result.held_back = std::move(*note);
  }
  return bound;
}

} // namespace migrate::pipeline
