// A state store that several threads of one process share (`--jobs N`): every call holds one
// mutex, so the store underneath (one SQLite or PostgreSQL connection) sees one call at a time.
// Each call is short next to a table's run, so serialising them costs nothing measurable.
#pragma once

#include "migrate/state/state_store.hpp"

#include <memory>
#include <mutex>

namespace migrate::state {

class SerializedStateStore final : public StateStore {
public:
  explicit SerializedStateStore(std::unique_ptr<StateStore> inner)
      : m_inner(std::move(inner)) {}

  std::optional<Position> position(const std::string& table) override;
  void save_position(const std::string& table, const Position& position) override;
  void clear_position(const std::string& table) override;
  std::int64_t begin_run(const std::string& table) override;
  std::int64_t begin_invocation(const InvocationStart& start) override;
  void finish_invocation(std::int64_t id, int exit_code, std::uint64_t notify_failures) override;
  std::vector<Invocation> invocations(std::size_t last) override;
  void finish_run(std::int64_t id, const TableResult& result) override;
  void quarantine(const std::vector<QuarantineEntry>& entries) override;
  void release(const std::string& table, const std::vector<std::string>& keys) override;
  std::vector<QuarantineEntry> quarantined(const std::string& table) override;
  std::uint64_t successful_runs(const std::string& table) override;
  std::vector<RunRecord> latest_runs() override;
  std::vector<RunRecord> runs(const std::string& table, std::size_t last) override;
  std::int64_t record_validation(const ValidationRecord& record) override;
  std::vector<ValidationRecord>
  validations(const std::string& table, std::size_t last, bool with_rows) override;
  std::optional<RunRecord> last_successful_run(const std::string& table) override;
  std::int64_t record_cutover(const CutoverRecord& record) override;
  std::optional<CutoverRecord> cutover_in_force(const std::string& table) override;
  bool revert_cutover(const std::string& table, const std::string& by) override;
  std::vector<CutoverRecord> cutovers(std::size_t last) override;
  PruneCounts prune(const PruneCutoffs& cutoffs) override;
  Lease lease(const std::string& table) override;
  void release_lease(const std::string& table) override;
  std::optional<bool> leased_elsewhere(const std::string& table) override;
  void restore(const StateSnapshot& snapshot) override;

private:
  std::mutex m_mutex;
  std::unique_ptr<StateStore> m_inner;
};

} // namespace migrate::state
