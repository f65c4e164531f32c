// A target that fails on its Nth commit proves that the stored position never moves past rows
// PostgreSQL did not commit, and that the next run resumes exactly there.
#include "support.hpp"

#include "migrate/core/error.hpp"
#include "migrate/mysql/mysql_source.hpp"
#include "migrate/pipeline/table_sync.hpp"
#include "migrate/postgres/postgres_target.hpp"
#include "migrate/state/sqlite_state_store.hpp"

namespace migrate::testing {
namespace {

class FailingLoad final : public target::LoadSession {
public:
  FailingLoad(std::unique_ptr<target::LoadSession> real, int& commits, int fail_on, bool miscount)
      : m_real(std::move(real))
      , m_commits(commits)
      , m_fail_on(fail_on)
      , m_miscount(miscount) {}

  CopyFormat choose_format(CopyFormat wanted) override { return m_real->choose_format(wanted); }
  bool rows_carry_seal() const override { return m_real->rows_carry_seal(); }
  void write(std::string_view lines, std::size_t rows) override { m_real->write(lines, rows); }

  target::MergeCounts commit(const target::Reconcile* reconcile) override {
    if (++m_commits == m_fail_on) {
      throw Error(ErrorArea::target, "injected commit failure", ErrorContext{.sqlstate = "08006"});
    }
    return m_real->commit(reconcile);
  }

  target::MergeCounts replace(std::uint64_t expected_rows) override {
    if (++m_commits == m_fail_on) {
      throw Error(ErrorArea::target, "injected commit failure", ErrorContext{.sqlstate = "08006"});
    }
    // One row more than the pipeline counted: PostgreSQL's staged count must catch it.
    return m_real->replace(m_miscount ? expected_rows + 1 : expected_rows);
  }

private:
  std::unique_ptr<target::LoadSession> m_real;
  int& m_commits;
  int m_fail_on;
  bool m_miscount;
};

class FailingTarget final : public target::Target {
public:
  FailingTarget(target::Target& real, int fail_on, bool miscount = false)
      : m_real(real)
      , m_fail_on(fail_on)
      , m_miscount(miscount) {}

  std::string encryption() const override { return m_real.encryption(); }
  std::optional<TargetTable> describe(const std::string& schema,
                                      const std::string& table) override {
    return m_real.describe(schema, table);
  }
  target::TargetServerInfo server_info() override { return m_real.server_info(); }
  std::vector<std::string> missing_privileges(const TargetTable& table) override {
    return m_real.missing_privileges(table);
  }
  void create_table(const TargetTable& table) override { m_real.create_table(table); }
  void build_keys(const TargetTable& table) override { m_real.build_keys(table); }
  bool prepare_first_load(const TargetTable& table, bool client_seals) override {
    return m_real.prepare_first_load(table, client_seals);
  }
  void relax_unique_indexes(const TargetTable& table) override {
    m_real.relax_unique_indexes(table);
  }
  std::string create_table_sql(const TargetTable& table) const override {
    return m_real.create_table_sql(table);
  }
  std::unique_ptr<target::LoadSession> begin_load(const TargetTable& table,
                                                  target::LoadMode mode) override {
    return std::make_unique<FailingLoad>(
        m_real.begin_load(table, mode), m_commits, m_fail_on, m_miscount);
  }
  void ensure_tool_columns(const TargetTable& table) override { m_real.ensure_tool_columns(table); }
  TargetCatalog catalog(const TargetTable& table, const std::string& serial_column) override {
    return m_real.catalog(table, serial_column);
  }
  void execute(const TargetTable& table, const std::string& sql) override {
    m_real.execute(table, sql);
  }
  std::vector<std::string> orphan_keys(const TargetForeignKey& key, std::size_t limit) override {
    return m_real.orphan_keys(key, limit);
  }
  void alter_table(const TargetTable& table, const std::vector<SchemaChange>& changes) override {
    m_real.alter_table(table, changes);
  }
  std::string alter_table_sql(const TargetTable& table,
                              const std::vector<SchemaChange>& changes) const override {
    return m_real.alter_table_sql(table, changes);
  }
  std::uint64_t count_rows(const TargetTable& table) override { return m_real.count_rows(table); }
  std::uint64_t count_null(const TargetTable& table, const std::string& column) override {
    return m_real.count_null(table, column);
  }
  bool is_empty(const TargetTable& table) override { return m_real.is_empty(table); }
  std::vector<RowDigest> row_digests(const TargetTable& table, const ChunkFilter& chunk) override {
    return m_real.row_digests(table, chunk);
  }
  std::string identity(const TargetTable& table) override { return m_real.identity(table); }
  void drop_table(const TargetTable& table) override { m_real.drop_table(table); }
  std::vector<ChunkDigest> chunk_digests(const TargetTable& table,
                                         const ComparePlan& plan) override {
    return m_real.chunk_digests(table, plan);
  }

private:
  target::Target& m_real;
  int m_fail_on;
  bool m_miscount;
  int m_commits = 0;
};

class FaultInjection : public TestDatabase {
protected:
  // This test's database on one server.
  void fill(config::Endpoint& e,
            const std::string& host,
            const std::string& port,
            const std::string& user,
            const std::string& password) const {
    e.host = host;
    e.port = static_cast<unsigned>(std::stoul(port));
    e.database = name();
    e.username = user;
    e.password = password;
  }
  config::Endpoint mysql_endpoint() const {
    config::Endpoint e;
    const auto& s = *m_settings;
    fill(e, s.mysql_host, s.mysql_port, s.mysql_user, s.mysql_password);
    return e;
  }
  config::PostgresEndpoint pg_endpoint() const {
    config::PostgresEndpoint e;
    const auto& s = *m_settings;
    fill(e, s.pg_host, s.pg_port, s.pg_user, s.pg_password);
    return e;
  }
};

TEST_F(FaultInjection, PositionNeverPassesAFailedCommitAndTheNextRunResumesThere) {
  mysql().allow_recursion(100000);
  mysql().exec("CREATE TABLE items (id INT PRIMARY KEY, payload VARCHAR(20), updated_at DATETIME)");
  mysql().exec("INSERT INTO items WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM "
               "seq WHERE n < 10000) SELECT n, CONCAT('p', n), '2026-01-01 00:00:00' FROM seq");
  config::TableMapping mapping;
  mapping.source_table = mapping.target_table = "items";
  mapping.timestamp_column = "updated_at";
  mapping.timestamp_time_zone = "+00:00"; // the test's sessions write in UTC: the bound holds
  mapping.batch_size = 500;
  mapping.commit_rows = 1000;

  auto source = source::make_mysql_source(mysql_endpoint());
  auto real = target::make_postgres_target(pg_endpoint());
  auto state = state::open_sqlite_state(state_file());
  FailingTarget failing(*real, 4);
  const auto failed = pipeline::sync_table(mapping, *source, failing, *state, {});
  EXPECT_EQ(failed.outcome, Outcome::failed);
  EXPECT_NE(failed.error_text().find("injected"), std::string::npos);
  EXPECT_EQ(failed.counts.inserted, 3000U);
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM items"), "3000");
  const auto position = state->position("items");
  ASSERT_TRUE(position.has_value());
  EXPECT_EQ(position->phase, Pass::initial);
  EXPECT_EQ(position->key, std::vector<std::string>{"3000"});

  const auto resumed = pipeline::sync_table(mapping, *source, *real, *state, {});
  EXPECT_EQ(resumed.outcome, Outcome::ok) << resumed.error_text();
  EXPECT_EQ(resumed.counts.rows_read, 7000U);
  EXPECT_EQ(resumed.counts.inserted, 7000U);
  expect_same_content("items");
}

TEST_F(FaultInjection, AFailedOrMiscountedReplacementLeavesTheTargetAsItWas) {
  mysql().exec("CREATE TABLE loose (v INT, w VARCHAR(10))");
  mysql().exec("INSERT INTO loose VALUES (1, 'a'), (1, 'a'), (2, 'b')");
  config::TableMapping mapping;
  mapping.source_table = mapping.target_table = "loose";
  auto source = source::make_mysql_source(mysql_endpoint());
  auto real = target::make_postgres_target(pg_endpoint());
  auto state = state::open_sqlite_state(state_file());
  ASSERT_EQ(pipeline::sync_table(mapping, *source, *real, *state, {}).outcome, Outcome::ok);
  const auto before = pg_dump("loose");
  mysql().exec("UPDATE loose SET w = 'c' WHERE v = 2");
  mysql().exec("DELETE FROM loose WHERE v = 1 LIMIT 1");

  FailingTarget failing(*real, 1);
  const auto failed = pipeline::sync_table(mapping, *source, failing, *state, {});
  EXPECT_EQ(failed.outcome, Outcome::failed);
  EXPECT_NE(failed.error_text().find("injected"), std::string::npos) << failed.error_text();
  EXPECT_EQ(pg_dump("loose"), before);

  FailingTarget miscounting(*real, 0, true);
  const auto miscounted = pipeline::sync_table(mapping, *source, miscounting, *state, {});
  EXPECT_EQ(miscounted.outcome, Outcome::failed);
  EXPECT_NE(miscounted.error_text().find("staged 2 rows but 3 were read"), std::string::npos)
      << miscounted.error_text();
  EXPECT_EQ(pg_dump("loose"), before);

  const auto replaced = pipeline::sync_table(mapping, *source, *real, *state, {});
  EXPECT_EQ(replaced.outcome, Outcome::ok) << replaced.error_text();
  EXPECT_EQ(to_string(replaced.mode), "replace");
  EXPECT_EQ(replaced.counts.inserted, 2U);
  EXPECT_EQ(replaced.counts.deleted, 3U);
  expect_same_content("loose");
}

} // namespace
} // namespace migrate::testing
