// `migrate check`: one line per check, exit 0 only when a run would start cleanly, and nothing
// changed on either side. Runs with the least-privilege accounts docs/operations.md documents.
#include "support.hpp"

namespace migrate::testing {
namespace {

class Check : public TestDatabase {
protected:
  void SetUp() override {
    TestDatabase::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    mysql().exec("CREATE TABLE users (user_id INT PRIMARY KEY, email VARCHAR(100), updated_at "
                 "TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))");
    mysql().exec("CREATE TABLE orders (order_id INT PRIMARY KEY, modified_date DATETIME)");
    mysql().exec("INSERT INTO users (user_id, email) VALUES (1, 'a@example.com')");
    write_mapping("tables:\n  users:\n    timestamp_column: updated_at\n    primary_key: user_id\n"
                  "  orders:\n    timestamp_column: modified_date\n");
    m_env = least_privilege_accounts(); // the accounts every test's binary runs with
  }

  ProcessResult check(const std::map<std::string, std::string>& extra = {}) {
    auto env = m_env;
    for (const auto& [key, value] : extra) {
      env[key] = value;
    }
    return migrate("check", env);
  }

  static bool has_line(const std::string& output, const std::string& start) {
    return output.find("\n" + start) != std::string::npos || output.rfind(start, 0) == 0;
  }

  std::map<std::string, std::string> m_env;
};

TEST_F(Check, PassesAndChangesNothing) {
  const auto result = check();
  EXPECT_EQ(result.exit_code, 0) << result.output;
  const auto server = mysql().is_mariadb() ? "MariaDB" : "MySQL";
  EXPECT_TRUE(has_line(result.output, std::string("ok   mysql server: ") + server))
      << result.output;
  EXPECT_TRUE(has_line(result.output, "ok   mysql authenticated: as " + mysql_account()))
      << result.output;
  EXPECT_TRUE(has_line(result.output, "ok   postgresql role: " + pg_role() + " is not a superuser"))
      << result.output;
  EXPECT_TRUE(has_line(result.output, "ok   table users columns: key (user_id), timestamp"))
      << result.output;
  EXPECT_TRUE(has_line(result.output, "ok   table orders privileges: held on both sides"))
      << result.output;
  EXPECT_TRUE(has_line(result.output, "ok   table users target: public.users does not exist yet"))
      << result.output;
  EXPECT_TRUE(has_line(result.output, "ok   state file:")) << result.output;
  EXPECT_EQ(result.output.find("\nfail "), std::string::npos) << result.output;
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "0");
  EXPECT_FALSE(std::filesystem::exists(state_file()));
  // After a run the target exists and matches.
  const auto run = migrate({}, m_env);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto again = check();
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(has_line(again.output, "ok   table users target: public.users exists and matches"))
      << again.output;
}

TEST_F(Check, WarnsOfSourceTablesNoMappingNamesAndOfSchemaChangesARunApplies) {
  mysql().exec("CREATE TABLE audit_log (id INT PRIMARY KEY)");
  mysql().exec("CREATE VIEW recent_users AS SELECT * FROM users"); // a view is no table to sync
  const auto result = check();
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(has_line(result.output, "warn mysql table audit_log: no mapping names it"))
      << result.output;
  EXPECT_EQ(result.output.find("recent_users"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("mysql table users"), std::string::npos) << result.output;
  const auto run = migrate({}, m_env);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  mysql().exec("ALTER TABLE users ADD COLUMN nickname VARCHAR(20)");
  const auto changed = check();
  EXPECT_EQ(changed.exit_code, 0) << changed.output;
  EXPECT_TRUE(has_line(changed.output,
                       "warn table users target: the next run applies: add column nickname"))
      << changed.output;
}

// For monitoring: one document, the same checks and verdict as the text.
TEST_F(Check, JsonIsOneDocumentWithEveryCheckAndTheVerdict) {
  const auto result = migrate("check --json", m_env);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(json_eval(dir() / "check.json",
                      line_starting(result.output, "{\"ok\""),
                      "d['ok'], [c['level'] for c in d['checks'] if c['check'] == "
                      "'postgresql encoding'], any(c['check'] == 'table users columns' for c in "
                      "d['checks'])"),
            "(True, ['ok'], True)");
  mysql().exec("DROP TABLE orders");
  const auto failed = migrate("check --json", m_env);
  EXPECT_EQ(failed.exit_code, 1) << failed.output;
  EXPECT_EQ(json_eval(dir() / "check.json",
                      line_starting(failed.output, "{\"ok\""),
                      "d['ok'], [c['level'] for c in d['checks'] if c['check'] == "
                      "'table orders mysql table']"),
            "(False, ['fail'])");
}

// A SQL_ASCII database takes any bytes without a check; check says so before a run writes there.
TEST_F(Check, FailsOnATargetDatabaseNotInUtf8) {
  PgClient admin(*m_settings, "");
  admin.exec("DROP DATABASE " + name() + " WITH (FORCE)");
  admin.exec("CREATE DATABASE " + name()
             + " ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0 OWNER "
             + pg_role());
  const auto result = check();
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(has_line(result.output,
                       "fail postgresql encoding: the database is SQL_ASCII, not UTF8: text from "
                       "MySQL would be stored unchecked"))
      << result.output;
}

TEST_F(Check, FailsOnAWrongPassword) {
  const auto result = check({{"MIGRATE_MYSQL_PASSWORD", "wrong"}});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(has_line(result.output, "ok   mysql reachable")) << result.output;
  EXPECT_TRUE(has_line(result.output, "fail mysql authenticated: ")) << result.output;
  const auto pg = check({{"MIGRATE_PG_PASSWORD", "wrong"}});
  EXPECT_EQ(pg.exit_code, 1) << pg.output;
  EXPECT_TRUE(has_line(pg.output, "fail postgresql authenticated: ")) << pg.output;
}

TEST_F(Check, FailsOnAnUnreachableServer) {
  const auto result = check({{"MIGRATE_PG_PORT", "1"}});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(has_line(result.output, "fail postgresql reachable: ")) << result.output;
}

TEST_F(Check, FailsOnAMissingTable) {
  write_mapping("tables:\n  users:\n    timestamp_column: updated_at\n  invoices:\n"
                "    primary_key: id\n");
  const auto result = check();
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(has_line(result.output,
                       "fail table invoices mysql table: MySQL table 'invoices' "
                       "does not exist"))
      << result.output;
  EXPECT_TRUE(has_line(result.output, "ok   table users privileges")) << result.output;
}

TEST_F(Check, FailsOnAMissingColumn) {
  write_mapping("tables:\n  users:\n    timestamp_column: changed_at\n");
  const auto result = check();
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(has_line(result.output, "fail table users columns: ")) << result.output;
  EXPECT_NE(result.output.find("changed_at"), std::string::npos) << result.output;
}

TEST_F(Check, FailsOnAMissingMysqlPrivilege) {
  MysqlClient admin(*m_settings, "");
  admin.exec("REVOKE SELECT ON `" + name() + "`.* FROM " + mysql_account());
  admin.exec("GRANT SELECT ON `" + name() + "`.orders TO " + mysql_account());
  const auto result = check();
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(has_line(result.output,
                       "fail table users mysql table: MySQL account " + mysql_account()
                           + " lacks the SELECT privilege on " + name() + ".users"))
      << result.output;
  EXPECT_TRUE(has_line(result.output, "ok   table orders mysql table")) << result.output;
}

TEST_F(Check, FailsOnAMissingPostgresPrivilegeAndWarnsWithoutProcess) {
  pg().exec("ALTER DATABASE " + name() + " OWNER TO " + m_settings->pg_user);
  pg().exec("GRANT CONNECT, TEMPORARY ON DATABASE " + name() + " TO " + pg_role());
  pg().exec("GRANT USAGE ON SCHEMA public TO " + pg_role());
  MysqlClient admin(*m_settings, "");
  admin.exec("REVOKE PROCESS ON *.* FROM " + mysql_account());
  const auto result = check();
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(has_line(
      result.output, "fail table users privileges: PostgreSQL role lacks CREATE on schema public"))
      << result.output;
  EXPECT_TRUE(has_line(result.output,
                       "warn mysql open transactions: " + mysql_account() + " lacks PROCESS"))
      << result.output;
}

// A run, not only check, names the missing grant, the object and the account.
TEST_F(Check, ARunNamesAMissingPrivilegeOnBothSides) {
  pg().exec("CREATE TABLE orders (order_id integer PRIMARY KEY, modified_date timestamp)");
  write_mapping("tables:\n  orders:\n    timestamp_column: modified_date\n");
  const auto run = migrate({}, m_env);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("PostgreSQL role '" + pg_role() + "' lacks"), std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("table orders"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("lacks ownership on table orders"), std::string::npos) << run.output;

  MysqlClient admin(*m_settings, "");
  admin.exec("REVOKE SELECT ON `" + name() + "`.* FROM " + mysql_account());
  admin.exec("GRANT SELECT ON `" + name() + "`.users TO " + mysql_account());
  pg().exec("DROP TABLE orders");
  const auto mysql_side = migrate({}, m_env);
  EXPECT_EQ(mysql_side.exit_code, 1) << mysql_side.output;
  EXPECT_NE(mysql_side.output.find("MySQL account " + mysql_account()
                                   + " lacks the SELECT privilege on " + name() + ".orders"),
            std::string::npos)
      << mysql_side.output;
}

} // namespace
} // namespace migrate::testing
