// Decorators that fail the Nth call made through them, to test what the pipeline does when any
// call of a Source, Target (and its load sessions and readers) or StateStore fails. They wrap
// fakes or real adapters alike.
#pragma once

#include "migrate/core/error.hpp"
#include "migrate/source/source.hpp"
#include "migrate/state/state_store.hpp"
#include "migrate/target/target.hpp"

#include <atomic>
#include <mutex>

namespace migrate::fakes {

// Counts the calls of one adapter and fails call number `fail_at` (1-based; 0: never).
class FaultPlan {
public:
  FaultPlan(ErrorArea area, std::size_t fail_at = 0, bool transient = false)
      : m_area(area)
      , m_fail_at(fail_at)
      , m_transient(transient) {}

  void call(const char* name);
  std::size_t calls() const { return m_calls; }
  // The call that failed, "" when none did.
  std::string failed_call() const;

private:
  ErrorArea m_area;
  std::size_t m_fail_at;
  bool m_transient;
  std::atomic<std::size_t> m_calls{0};
  mutable std::mutex m_mutex;
  std::string m_failed_call;
};

class FaultySource : public source::Source {
public:
  FaultySource(source::Source& inner, FaultPlan& faults)
      : m_inner(inner)
      , m_faults(faults) {}

  std::string encryption() const override { return m_inner.encryption(); }
  const ServerVersion& server_version() const override { return m_inner.server_version(); }
  source::SourceServerInfo server_info() override;
  std::vector<std::string> table_names() override;
  SourceTable describe(const std::string& table) override;
  source::ServerClock server_clock(std::chrono::seconds lag, const std::string& zone) override;
  std::optional<std::string> newest_timestamp(const std::string& table,
                                              const std::string& column,
                                              const std::string& until) override {
    m_faults.call("source.newest_timestamp");
    return m_inner.newest_timestamp(table, column, until);
  }
  std::unique_ptr<source::RowReader> read(const source::ReadRequest& request) override;
  std::uint64_t count_rows(const source::ReadRequest& request) override;
  KeyRange key_range(const std::string& table,
                     const std::string& key_column,
                     const std::string& where) override;
  std::vector<ChunkDigest> chunk_digests(const std::string& table,
                                         const ComparePlan& plan) override;
  std::vector<RowDigest> row_digests(const std::string& table, const ChunkFilter& chunk) override;
  std::vector<DigestSample>
  digest_samples(const std::string& table, const ChunkFilter& chunk, std::size_t limit) override {
    return m_inner.digest_samples(table, chunk, limit);
  }
  std::optional<std::uint64_t> estimated_rows(const std::string& table) override;
  std::optional<AutoIncrement> auto_increment(const std::string& table) override;
  std::vector<SourceForeignKey> foreign_keys(const std::string& table) override;
  std::vector<SourceCheck> check_constraints(const std::string& table) override {
    m_faults.call("source.check_constraints");
    return m_inner.check_constraints(table);
  }
  std::vector<std::string> other_objects() override { return m_inner.other_objects(); }

private:
  source::Source& m_inner;
  FaultPlan& m_faults;
};

class FaultyTarget : public target::Target {
public:
  FaultyTarget(target::Target& inner, FaultPlan& faults)
      : m_inner(inner)
      , m_faults(faults) {}

  std::string encryption() const override { return m_inner.encryption(); }
  target::TargetServerInfo server_info() override;
  std::vector<std::string> missing_privileges(const TargetTable& table) override;
  std::optional<TargetTable> describe(const std::string& schema, const std::string& table) override;
  void create_table(const TargetTable& table) override;
  std::string create_table_sql(const TargetTable& table) const override;
  void build_keys(const TargetTable& table) override;
  bool prepare_first_load(const TargetTable& table, bool client_seals) override;
  void relax_unique_indexes(const TargetTable& table) override;
  std::unique_ptr<target::LoadSession> begin_load(const TargetTable& table,
                                                  target::LoadMode mode) override;
  void ensure_tool_columns(const TargetTable& table) override;
  void alter_table(const TargetTable& table, const std::vector<SchemaChange>& changes) override;
  std::string alter_table_sql(const TargetTable& table,
                              const std::vector<SchemaChange>& changes) const override;
  std::uint64_t count_rows(const TargetTable& table) override;
  std::uint64_t count_null(const TargetTable& table, const std::string& column) override;
  std::vector<ChunkDigest> chunk_digests(const TargetTable& table,
                                         const ComparePlan& plan) override;
  bool is_empty(const TargetTable& table) override;
  std::string identity(const TargetTable& table) override;
  void drop_table(const TargetTable& table) override;
  std::vector<RowDigest> row_digests(const TargetTable& table, const ChunkFilter& chunk) override;
  TargetCatalog catalog(const TargetTable& table, const std::string& serial_column) override;
  void execute(const TargetTable& table, const std::string& sql) override;
  std::vector<std::string> orphan_keys(const TargetForeignKey& key, std::size_t limit) override;

private:
  target::Target& m_inner;
  FaultPlan& m_faults;
};

class FaultyStateStore : public state::StateStore {
public:
  FaultyStateStore(state::StateStore& inner, FaultPlan& faults)
      : m_inner(inner)
      , m_faults(faults) {}

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
  std::vector<state::ValidationRecord>
  validations(const std::string& table, std::size_t last, bool with_rows) override;
  std::int64_t record_cutover(const state::CutoverRecord& record) override {
    return m_inner.record_cutover(record);
  }
  std::optional<state::CutoverRecord> cutover_in_force(const std::string& table) override {
    return m_inner.cutover_in_force(table);
  }
  bool revert_cutover(const std::string& table, const std::string& by) override {
    return m_inner.revert_cutover(table, by);
  }
  std::vector<state::CutoverRecord> cutovers(std::size_t last) override {
    return m_inner.cutovers(last);
  }
  state::PruneCounts prune(const state::PruneCutoffs& cutoffs) override {
    return m_inner.prune(cutoffs);
  }

private:
  state::StateStore& m_inner;
  FaultPlan& m_faults;
};

} // namespace migrate::fakes
