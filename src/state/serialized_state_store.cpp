#include "migrate/state/serialized_state_store.hpp"

namespace migrate::state {

std::optional<Position> SerializedStateStore::position(const std::string& table) {
  const std::lock_guard lock(m_mutex);
  return m_inner->position(table);
}

void SerializedStateStore::save_position(const std::string& table, const Position& position) {
  const std::lock_guard lock(m_mutex);
  m_inner->save_position(table, position);
}

void SerializedStateStore::clear_position(const std::string& table) {
  const std::lock_guard lock(m_mutex);
  m_inner->clear_position(table);
}

std::int64_t SerializedStateStore::begin_run(const std::string& table) {
  const std::lock_guard lock(m_mutex);
  return m_inner->begin_run(table);
}

std::int64_t SerializedStateStore::begin_invocation(const InvocationStart& start) {
  const std::lock_guard lock(m_mutex);
  return m_inner->begin_invocation(start);
}

void SerializedStateStore::finish_invocation(std::int64_t id,
                                             int exit_code,
                                             std::uint64_t notify_failures) {
  const std::lock_guard lock(m_mutex);
  m_inner->finish_invocation(id, exit_code, notify_failures);
}

std::vector<Invocation> SerializedStateStore::invocations(std::size_t last) {
  const std::lock_guard lock(m_mutex);
  return m_inner->invocations(last);
}

void SerializedStateStore::finish_run(std::int64_t id, const TableResult& result) {
  const std::lock_guard lock(m_mutex);
  m_inner->finish_run(id, result);
}

void SerializedStateStore::quarantine(const std::vector<QuarantineEntry>& entries) {
  const std::lock_guard lock(m_mutex);
  m_inner->quarantine(entries);
}

void SerializedStateStore::release(const std::string& table, const std::vector<std::string>& keys) {
  const std::lock_guard lock(m_mutex);
  m_inner->release(table, keys);
}

std::vector<QuarantineEntry> SerializedStateStore::quarantined(const std::string& table) {
  const std::lock_guard lock(m_mutex);
  return m_inner->quarantined(table);
}

std::uint64_t SerializedStateStore::successful_runs(const std::string& table) {
  const std::lock_guard lock(m_mutex);
  return m_inner->successful_runs(table);
}

std::vector<RunRecord> SerializedStateStore::latest_runs() {
  const std::lock_guard lock(m_mutex);
  return m_inner->latest_runs();
}

std::vector<RunRecord> SerializedStateStore::runs(const std::string& table, std::size_t last) {
  const std::lock_guard lock(m_mutex);
  return m_inner->runs(table, last);
}

std::int64_t SerializedStateStore::record_cutover(const CutoverRecord& record) {
  const std::lock_guard lock(m_mutex);
  return m_inner->record_cutover(record);
}

std::optional<CutoverRecord> SerializedStateStore::cutover_in_force(const std::string& table) {
  const std::lock_guard lock(m_mutex);
  return m_inner->cutover_in_force(table);
}

bool SerializedStateStore::revert_cutover(const std::string& table, const std::string& by) {
  const std::lock_guard lock(m_mutex);
  return m_inner->revert_cutover(table, by);
}

std::vector<CutoverRecord> SerializedStateStore::cutovers(std::size_t last) {
  const std::lock_guard lock(m_mutex);
  return m_inner->cutovers(last);
}

PruneCounts SerializedStateStore::prune(const PruneCutoffs& cutoffs) {
  const std::lock_guard lock(m_mutex);
  return m_inner->prune(cutoffs);
}

std::int64_t SerializedStateStore::record_validation(const ValidationRecord& record) {
  const std::lock_guard lock(m_mutex);
  return m_inner->record_validation(record);
}

std::vector<ValidationRecord>
SerializedStateStore::validations(const std::string& table, std::size_t last, bool with_rows) {
  const std::lock_guard lock(m_mutex);
  return m_inner->validations(table, last, with_rows);
}

std::optional<RunRecord> SerializedStateStore::last_successful_run(const std::string& table) {
  const std::lock_guard lock(m_mutex);
  return m_inner->last_successful_run(table);
}

Lease SerializedStateStore::lease(const std::string& table) {
  const std::lock_guard lock(m_mutex);
  return m_inner->lease(table);
}

void SerializedStateStore::release_lease(const std::string& table) {
  const std::lock_guard lock(m_mutex);
  m_inner->release_lease(table);
}

std::optional<bool> SerializedStateStore::leased_elsewhere(const std::string& table) {
  const std::lock_guard lock(m_mutex);
  return m_inner->leased_elsewhere(table);
}

void SerializedStateStore::restore(const StateSnapshot& snapshot) {
  const std::lock_guard lock(m_mutex);
  m_inner->restore(snapshot);
}

} // namespace migrate::state
