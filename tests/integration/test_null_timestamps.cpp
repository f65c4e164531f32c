// Rows whose timestamp is NULL: invisible to the cursor, so they are read by IS NULL and merged
// when their count differs between the sides or a comparison is due, with deletes: ignore too.
#include "support.hpp"

namespace migrate::testing {
namespace {

class NullTimestamps : public TestDatabase {
protected:
  void SetUp() override {
    TestDatabase::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    mysql().exec("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20), "
                 "updated_at DATETIME(6) NULL)");
    mysql().exec("INSERT INTO items VALUES (1, 'a', '2024-01-01'), (2, 'b', NULL)");
  }

  void run_ok() {
    const auto result = migrate();
    ASSERT_EQ(result.exit_code, 0) << result.output;
    m_output = result.output;
  }

  std::string m_output;
};

TEST_F(NullTimestamps, NewRowsWithoutATimestampArriveOnTheNextRun) {
  write_mapping("tables:\n  items:\n    timestamp_column: updated_at\n    lookback: 0s\n");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM items"), "2");
  mysql().exec("INSERT INTO items VALUES (3, 'c', NULL), (4, 'd', NULL)");
  run_ok();
  EXPECT_EQ(latest_run("items").at("mode"), "incremental+verify");
  EXPECT_NE(m_output.find("null_timestamps source=3 target=1"), std::string::npos) << m_output;
  expect_same_content("items");
  // An edit that keeps the count arrives at the comparison cadence: every run by default.
  mysql().exec("UPDATE items SET name = 'bb' WHERE id = 2");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT name FROM items WHERE id = 2"), "bb");
}

TEST_F(NullTimestamps, BetweenComparisonsOnlyADifferentCountMovesThem) {
  write_mapping("tables:\n  items:\n    timestamp_column: updated_at\n    lookback: 0s\n"
                "    compare_every: 3\n");
  run_ok(); // run 1 (0 earlier runs: due)
  mysql().exec("UPDATE items SET name = 'bb' WHERE id = 2");
  run_ok(); // run 2: same count, not due
  EXPECT_EQ(pg().scalar("SELECT name FROM items WHERE id = 2"), "b");
  EXPECT_EQ(m_output.find("null_timestamps source="), std::string::npos) << m_output;
  mysql().exec("INSERT INTO items VALUES (5, 'e', NULL)");
  run_ok(); // run 3: the count differs
  EXPECT_EQ(pg().scalar("SELECT name FROM items WHERE id = 2"), "bb");
  expect_same_content("items");
}

// A NOT NULL column can still hold the zero date: one count on MySQL, none on PostgreSQL, and no
// merge while MySQL has none.
TEST_F(NullTimestamps, ANotNullColumnWithoutZeroDatesMergesNothing) {
  mysql().exec("CREATE TABLE stamped (id INT PRIMARY KEY, updated_at DATETIME NOT NULL)");
  mysql().exec("INSERT INTO stamped VALUES (1, '2024-01-01')");
  write_mapping("tables:\n  stamped:\n    timestamp_column: updated_at\n");
  run_ok();
  run_ok();
  EXPECT_EQ(m_output.find("null_timestamps source="), std::string::npos) << m_output;
}

} // namespace
} // namespace migrate::testing
