#include "fakes/faults.hpp"

namespace migrate::fakes {
namespace {

class FaultyReader : public source::RowReader {
public:
  FaultyReader(std::unique_ptr<source::RowReader> inner, FaultPlan& faults)
      : m_inner(std::move(inner))
      , m_faults(faults) {}

  bool next(RowView& row) override {
    m_faults.call("reader.next");
    return m_inner->next(row);
  }

private:
  std::unique_ptr<source::RowReader> m_inner;
  FaultPlan& m_faults;
};

class FaultyLoad : public target::LoadSession {
public:
  FaultyLoad(std::unique_ptr<target::LoadSession> inner, FaultPlan& faults)
      : m_inner(std::move(inner))
      , m_faults(faults) {}

  CopyFormat choose_format(CopyFormat wanted) override { return m_inner->choose_format(wanted); }
  bool rows_carry_seal() const override { return m_inner->rows_carry_seal(); }
  void write(std::string_view lines, std::size_t rows) override {
    m_faults.call("load.write");
    m_inner->write(lines, rows);
  }
  target::MergeCounts commit(const target::Reconcile* reconcile) override {
    m_faults.call("load.commit");
    return m_inner->commit(reconcile);
  }
  target::MergeCounts replace(std::uint64_t expected_rows) override {
    m_faults.call("load.replace");
    return m_inner->replace(expected_rows);
  }

private:
  std::unique_ptr<target::LoadSession> m_inner;
  FaultPlan& m_faults;
};

} // namespace

void FaultPlan::call(const char* name) {
  if (++m_calls != m_fail_at) {
    return;
  }
  {
    std::lock_guard lock(m_mutex);
    m_failed_call = name;
  }
  throw Error(m_area,
              std::string("injected failure of ") + name,
              ErrorContext{.sqlstate = "injected", .transient = m_transient});
}

std::string FaultPlan::failed_call() const {
  std::lock_guard lock(m_mutex);
  return m_failed_call;
}

// Source
source::SourceServerInfo FaultySource::server_info() {
  m_faults.call("source.server_info");
  return m_inner.server_info();
}
std::vector<std::string> FaultySource::table_names() {
  m_faults.call("source.table_names");
  return m_inner.table_names();
}
SourceTable FaultySource::describe(const std::string& table) {
  m_faults.call("source.describe");
  return m_inner.describe(table);
}
source::ServerClock FaultySource::server_clock(std::chrono::seconds lag, const std::string& zone) {
  m_faults.call("source.server_clock");
  return m_inner.server_clock(lag, zone);
}
std::unique_ptr<source::RowReader> FaultySource::read(const source::ReadRequest& request) {
  m_faults.call("source.read");
  return std::make_unique<FaultyReader>(m_inner.read(request), m_faults);
}
std::uint64_t FaultySource::count_rows(const source::ReadRequest& request) {
  m_faults.call("source.count_rows");
  return m_inner.count_rows(request);
}
KeyRange FaultySource::key_range(const std::string& table,
                                 const std::string& key_column,
                                 const std::string& where) {
  m_faults.call("source.key_range");
  return m_inner.key_range(table, key_column, where);
}
std::vector<ChunkDigest> FaultySource::chunk_digests(const std::string& table,
                                                     const ComparePlan& plan) {
  m_faults.call("source.chunk_digests");
  return m_inner.chunk_digests(table, plan);
}

// Target
target::TargetServerInfo FaultyTarget::server_info() {
  m_faults.call("target.server_info");
  return m_inner.server_info();
}
std::vector<std::string> FaultyTarget::missing_privileges(const TargetTable& table) {
  m_faults.call("target.missing_privileges");
  return m_inner.missing_privileges(table);
}
std::optional<TargetTable> FaultyTarget::describe(const std::string& schema,
                                                  const std::string& table) {
  m_faults.call("target.describe");
  return m_inner.describe(schema, table);
}
void FaultyTarget::create_table(const TargetTable& table) {
  m_faults.call("target.create_table");
  m_inner.create_table(table);
}
std::string FaultyTarget::create_table_sql(const TargetTable& table) const {
  return m_inner.create_table_sql(table); // builds text, reaches no server
}
void FaultyTarget::build_keys(const TargetTable& table) {
  m_faults.call("target.build_keys");
  m_inner.build_keys(table);
}

bool FaultyTarget::prepare_first_load(const TargetTable& table, bool client_seals) {
  m_faults.call("target.prepare_first_load");
  return m_inner.prepare_first_load(table, client_seals);
}
void FaultyTarget::relax_unique_indexes(const TargetTable& table) {
  m_faults.call("target.relax_unique_indexes");
  m_inner.relax_unique_indexes(table);
}
std::unique_ptr<target::LoadSession> FaultyTarget::begin_load(const TargetTable& table,
                                                              target::LoadMode mode) {
  m_faults.call("target.begin_load");
  return std::make_unique<FaultyLoad>(m_inner.begin_load(table, mode), m_faults);
}
void FaultyTarget::ensure_tool_columns(const TargetTable& table) {
  m_faults.call("target.ensure_tool_columns");
  m_inner.ensure_tool_columns(table);
}
void FaultyTarget::alter_table(const TargetTable& table, const std::vector<SchemaChange>& changes) {
  m_faults.call("target.alter_table");
  m_inner.alter_table(table, changes);
}
std::string FaultyTarget::alter_table_sql(const TargetTable& table,
                                          const std::vector<SchemaChange>& changes) const {
  return m_inner.alter_table_sql(table, changes);
}
std::uint64_t FaultyTarget::count_rows(const TargetTable& table) {
  m_faults.call("target.count_rows");
  return m_inner.count_rows(table);
}
std::uint64_t FaultyTarget::count_null(const TargetTable& table, const std::string& column) {
  m_faults.call("target.count_null");
  return m_inner.count_null(table, column);
}
std::vector<ChunkDigest> FaultyTarget::chunk_digests(const TargetTable& table,
                                                     const ComparePlan& plan) {
  m_faults.call("target.chunk_digests");
  return m_inner.chunk_digests(table, plan);
}
bool FaultyTarget::is_empty(const TargetTable& table) {
  m_faults.call("target.is_empty");
  return m_inner.is_empty(table);
}
std::string FaultyTarget::identity(const TargetTable& table) {
  m_faults.call("target.identity");
  return m_inner.identity(table);
}
void FaultyTarget::drop_table(const TargetTable& table) {
  m_faults.call("target.drop_table");
  m_inner.drop_table(table);
}

// State
std::optional<state::Position> FaultyStateStore::position(const std::string& table) {
  m_faults.call("state.position");
  return m_inner.position(table);
}
void FaultyStateStore::save_position(const std::string& table, const state::Position& position) {
  m_faults.call("state.save_position");
  m_inner.save_position(table, position);
}
void FaultyStateStore::clear_position(const std::string& table) {
  m_faults.call("state.clear_position");
  m_inner.clear_position(table);
}
std::int64_t FaultyStateStore::begin_run(const std::string& table) {
  m_faults.call("state.begin_run");
  return m_inner.begin_run(table);
}
void FaultyStateStore::finish_run(std::int64_t id, const TableResult& result) {
  m_faults.call("state.finish_run");
  m_inner.finish_run(id, result);
}
void FaultyStateStore::quarantine(const std::vector<state::QuarantineEntry>& entries) {
  m_faults.call("state.quarantine");
  m_inner.quarantine(entries);
}
void FaultyStateStore::release(const std::string& table, const std::vector<std::string>& keys) {
  m_faults.call("state.release");
  m_inner.release(table, keys);
}
std::vector<state::QuarantineEntry> FaultyStateStore::quarantined(const std::string& table) {
  m_faults.call("state.quarantined");
  return m_inner.quarantined(table);
}
std::uint64_t FaultyStateStore::successful_runs(const std::string& table) {
  m_faults.call("state.successful_runs");
  return m_inner.successful_runs(table);
}
std::vector<state::RunRecord> FaultyStateStore::latest_runs() {
  m_faults.call("state.latest_runs");
  return m_inner.latest_runs();
}

std::vector<RowDigest> FaultySource::row_digests(const std::string& table,
                                                 const ChunkFilter& chunk) {
  m_faults.call("source.row_digests");
  return m_inner.row_digests(table, chunk);
}
std::vector<RowDigest> FaultyTarget::row_digests(const TargetTable& table,
                                                 const ChunkFilter& chunk) {
  m_faults.call("target.row_digests");
  return m_inner.row_digests(table, chunk);
}
std::vector<state::RunRecord> FaultyStateStore::runs(const std::string& table, std::size_t last) {
  m_faults.call("state.runs");
  return m_inner.runs(table, last);
}
std::int64_t FaultyStateStore::record_validation(const state::ValidationRecord& record) {
  m_faults.call("state.record_validation");
  return m_inner.record_validation(record);
}
std::vector<state::ValidationRecord>
FaultyStateStore::validations(const std::string& table, std::size_t last, bool with_rows) {
  m_faults.call("state.validations");
  return m_inner.validations(table, last, with_rows);
}

std::optional<std::uint64_t> FaultySource::estimated_rows(const std::string& table) {
  m_faults.call("source.estimated_rows");
  return m_inner.estimated_rows(table);
}
std::optional<AutoIncrement> FaultySource::auto_increment(const std::string& table) {
  m_faults.call("source.auto_increment");
  return m_inner.auto_increment(table);
}
std::vector<SourceForeignKey> FaultySource::foreign_keys(const std::string& table) {
  m_faults.call("source.foreign_keys");
  return m_inner.foreign_keys(table);
}
TargetCatalog FaultyTarget::catalog(const TargetTable& table, const std::string& serial_column) {
  m_faults.call("target.catalog");
  return m_inner.catalog(table, serial_column);
}
void FaultyTarget::execute(const TargetTable& table, const std::string& sql) {
  m_faults.call("target.execute");
  m_inner.execute(table, sql);
}
std::vector<std::string> FaultyTarget::orphan_keys(const TargetForeignKey& key, std::size_t limit) {
  m_faults.call("target.orphan_keys");
  return m_inner.orphan_keys(key, limit);
}
std::int64_t FaultyStateStore::begin_invocation(const state::InvocationStart& start) {
  m_faults.call("state.begin_invocation");
  return m_inner.begin_invocation(start);
}
void FaultyStateStore::finish_invocation(std::int64_t id,
                                         int exit_code,
                                         std::uint64_t notify_failures) {
  m_faults.call("state.finish_invocation");
  m_inner.finish_invocation(id, exit_code, notify_failures);
}
std::vector<state::Invocation> FaultyStateStore::invocations(std::size_t last) {
  m_faults.call("state.invocations");
  return m_inner.invocations(last);
}
std::optional<state::RunRecord> FaultyStateStore::last_successful_run(const std::string& table) {
  m_faults.call("state.last_successful_run");
  return m_inner.last_successful_run(table);
}

} // namespace migrate::fakes
