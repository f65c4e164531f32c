// `migrate plan`: the mode, cursor, bound, row count and DDL of the next run, with nothing written.
#include "support.hpp"

namespace migrate::testing {
namespace {

class Plan : public TestDatabase {
protected:
  void SetUp() override {
    TestDatabase::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    mysql().exec("CREATE TABLE users (user_id INT PRIMARY KEY, email VARCHAR(100), updated_at "
                 "TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))");
    mysql().exec("CREATE TABLE tags (tag_id INT PRIMARY KEY, label VARCHAR(20))");
    mysql().exec("INSERT INTO users (user_id, email, updated_at) VALUES (1, 'a', '2024-01-01'), "
                 "(2, 'b', '2024-01-02'), (3, 'c', '2024-01-03')");
    mysql().exec("INSERT INTO tags VALUES (1, 'x'), (2, 'y')");
    write_mapping("defaults:\n  lookback: 0s\ntables:\n  users:\n    timestamp_column: updated_at\n"
                  "  tags: {}\n");
  }

  static bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }
};

TEST_F(Plan, ShowsTheFirstRunWithoutWritingAnything) {
  const auto result = migrate("plan");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "table users:\n  mode: initial\n")) << result.output;
  EXPECT_TRUE(contains(result.output, "  rows to read: 3\n")) << result.output;
  EXPECT_TRUE(contains(result.output, "  upper bound: ")) << result.output;
  EXPECT_TRUE(contains(result.output, "CREATE TABLE public.users")
              || contains(result.output, "CREATE TABLE \"public\".\"users\""))
      << result.output;
  EXPECT_TRUE(contains(result.output, "table tags:\n  mode: full\n")) << result.output;
  EXPECT_TRUE(contains(result.output, "  rows to read: 2\n")) << result.output;
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "0");
  EXPECT_FALSE(std::filesystem::exists(state_file()));
}

TEST_F(Plan, CountsTheRowsAnIncrementalRunWouldRead) {
  const auto first = migrate();
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto position = stored_position("users");
  mysql().exec("INSERT INTO users (user_id, email) VALUES (4, 'd'), (5, 'e')");
  mysql().exec("UPDATE tags SET label = 'z' WHERE tag_id = 1");
  wait_for_next_second(mysql());
  const auto result = migrate("plan");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "table users:\n  mode: incremental, then compare slice "))
      << result.output;
  EXPECT_TRUE(contains(result.output, "  rows to read: 2\n")) << result.output;
  EXPECT_TRUE(contains(result.output, "  ddl: none, the target exists\n")) << result.output;
  EXPECT_TRUE(contains(result.output, "table tags:\n  mode: compare\n")) << result.output;
  EXPECT_TRUE(contains(result.output, "  comparison due: yes\n")) << result.output;
  // Nothing moved: the position stands and the next run reads exactly what plan counted.
  EXPECT_EQ(stored_position("users"), position);
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM users"), "3");
  const auto run = migrate("--table users");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(latest_run("users").at("rows_read"), "2");
}

TEST_F(Plan, WorksForOneTableAndFailsForAnUnplannableOne) {
  const auto one = migrate("plan --table users");
  ASSERT_EQ(one.exit_code, 0) << one.output;
  EXPECT_FALSE(contains(one.output, "table tags:")) << one.output;
  write_mapping("tables:\n  users:\n    timestamp_column: updated_at\n  missing: {}\n");
  const auto result = migrate("plan");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output, "table missing:\n  cannot be planned: MySQL table 'missing'"))
      << result.output;
  EXPECT_TRUE(contains(result.output, "table users:\n  mode: initial\n")) << result.output;
}

// The same plan as one JSON document: what a script or a dashboard reads before the weekly run.
TEST_F(Plan, JsonHoldsEachTablesPlanOrWhyItHasNone) {
  write_mapping("defaults:\n  lookback: 0s\ntables:\n  users:\n    timestamp_column: updated_at\n"
                "  missing: {}\n");
  const auto result = migrate("plan --json");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_EQ(
      json_eval(dir() / "plan.json",
                line_starting(result.output, "{\"tables\""),
                "d['ok'], [(t['table'], t.get('pass'), t.get('rows_to_read'), "
                "t.get('ddl') is not None, t['error'] is None) for t in d['tables']]"),
      "(False, [('users', 'initial', 3, True, True), ('missing', None, None, False, False)])");
  EXPECT_FALSE(std::filesystem::exists(state_file()));
}

} // namespace
} // namespace migrate::testing
