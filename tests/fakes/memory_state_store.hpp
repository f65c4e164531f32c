// An in-memory StateStore for unit tests. tests/contract keeps it honest: the same cases run
// against it and against SqliteStateStore.
#pragma once

#include "migrate/state/state_store.hpp"

#include <map>

namespace migrate::fakes {

class MemoryStateStore : public state::StateStore {
public:
  std::optional<state::Position> position(const std::string& table) override;
  void save_position(const std::string& table, const state::Position& position) override;
  void clear_position(const std::string& table) override;
  std::int64_t begin_run(const std::string& table) override;
  void finish_run(std::int64_t id, const TableResult& result) override;
  void quarantine(const std::vector<state::QuarantineEntry>& entries) override;
  void release(const std::string& table, const std::vector<std::string>& keys) override;
  std::vector<state::QuarantineEntry> quarantined(const std::string& table) override;
  std::uint64_t successful_runs(const std::string& table) override;
  std::vector<state::RunRecord> latest_runs() override;
  std::vector<state::RunRecord> runs(const std::string& table, std::size_t last) override;
  std::int64_t begin_invocation(const state::InvocationStart& start) override;
  void finish_invocation(std::int64_t id, int exit_code, std::uint64_t notify_failures) override;
  std::vector<state::Invocation> invocations(std::size_t last) override;
  std::optional<state::RunRecord> last_successful_run(const std::string& table) override;

  std::int64_t record_validation(const state::ValidationRecord& record) override;
  std::int64_t record_cutover(const state::CutoverRecord& record) override;
  std::optional<state::CutoverRecord> cutover_in_force(const std::string& table) override;
  bool revert_cutover(const std::string& table, const std::string& by) override;
  std::vector<state::CutoverRecord> cutovers(std::size_t last) override;
  state::PruneCounts prune(const state::PruneCutoffs& cutoffs) override;
  std::vector<state::ValidationRecord>
  validations(const std::string& table, std::size_t last, bool with_rows) override;

private:
  std::map<std::string, state::Position> m_positions;
  std::map<std::int64_t, state::RunRecord> m_runs;
  std::vector<state::ValidationRecord> m_validations;
  std::vector<state::CutoverRecord> m_cutovers; // oldest first
  std::map<std::int64_t, state::Invocation> m_invocations;
  std::map<std::string, std::uint64_t> m_pruned_ok_runs; // successful runs retention removed
  std::int64_t m_invocation = 0; // the invocation new runs belong to; 0: none
  // By (table, key, column), as the state file's primary key.
  std::map<std::tuple<std::string, std::string, std::string>, state::QuarantineEntry> m_quarantine;
};

} // namespace migrate::fakes
