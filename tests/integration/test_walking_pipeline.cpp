// The walking pipeline end to end: every table of a real schema moves with identical content, a
// second run moves nothing, changes move exactly once, --table and validate behave.
#include "support.hpp"

#include <fstream>
#include <iterator>
#include <numeric>

namespace migrate::testing {
namespace {

struct Dataset {
  std::function<void()> load;
  std::string update_ten;  // updates 10 rows, moving their timestamp
  std::string insert_five; // inserts 5 rows
  std::string single_table;
  std::string delete_one_in_pg; // for validate to find
};

class WalkingPipeline : public TestDatabase {
protected:
  // Maps every base table; last_update is the timestamp column where a table has one.
  void map_all_tables() {
    std::string yaml = "defaults:\n  batch_size: 100\n  commit_rows: 1000\n  lookback: 0s\n"
                       "  safety_lag: 0s\ntables:\n";
    for (const auto& row : mysql().query(
             "SELECT t.TABLE_NAME, (SELECT COUNT(*) FROM information_schema.COLUMNS c WHERE "
             "c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME AND c.COLUMN_NAME = "
             "'last_update') FROM information_schema.TABLES t WHERE t.TABLE_SCHEMA = DATABASE() "
             "AND t.TABLE_TYPE = 'BASE TABLE' ORDER BY t.TABLE_NAME")) {
      m_tables.push_back(*row[0]);
      yaml += "  - source_table: " + *row[0] + "\n";
      if (*row[1] == "1") {
        yaml += "    timestamp_column: last_update\n";
      }
    }
    write_mapping(yaml);
  }

  void expect_all_tables_equal() {
    for (const auto& table : m_tables) {
      expect_same_content(table);
    }
  }

  long long total_moved() {
    const auto moved = moved_by_latest_runs();
    return std::accumulate(moved.begin(), moved.end(), 0LL, [](long long sum, const auto& entry) {
      return sum + entry.second;
    });
  }

  void scenario(const Dataset& data) {
    data.load();
    map_all_tables();
    ASSERT_GE(m_tables.size(), 8U);

    auto first = migrate();
    ASSERT_EQ(first.exit_code, 0) << first.output;
    expect_all_tables_equal();

    auto second = migrate();
    ASSERT_EQ(second.exit_code, 0) << second.output;
    EXPECT_EQ(total_moved(), 0) << second.output;
    // Nothing changed, so nothing is shipped: timestamp tables read no row but those whose
    // timestamp is NULL (merged at the comparison cadence, every run by default, and unchanged),
    // the others compare chunk digests computed inside both servers and find them equal.
    for (const auto& table : m_tables) {
      const auto run = latest_run(table);
      EXPECT_EQ(run.at("rows_read"), run.at("null_timestamps")) << table << "\n" << second.output;
      EXPECT_EQ(run.at("rows_unchanged"), run.at("rows_read")) << table;
      EXPECT_EQ(run.at("chunks_differing"), "0") << table;
    }

    mysql().exec(data.update_ten);
    mysql().exec(data.insert_five);
    wait_for_next_second(mysql());
    auto third = migrate();
    ASSERT_EQ(third.exit_code, 0) << third.output;
    EXPECT_EQ(total_moved(), 15) << third.output;
    expect_all_tables_equal();

    std::map<std::string, long long> runs_before;
    for (const auto& table : m_tables) {
      runs_before[table] = run_count(table);
    }
    auto single = migrate("--table " + data.single_table);
    ASSERT_EQ(single.exit_code, 0) << single.output;
    for (const auto& table : m_tables) {
      EXPECT_EQ(run_count(table), runs_before[table] + (table == data.single_table ? 1 : 0))
          << table;
    }

    auto validate = migrate("validate");
    EXPECT_EQ(validate.exit_code, 0) << validate.output;
    pg().exec(data.delete_one_in_pg);
    validate = migrate("validate");
    EXPECT_EQ(validate.exit_code, 1) << validate.output;
    EXPECT_NE(validate.output.find("MISMATCH"), std::string::npos) << validate.output;

    auto status = migrate("status");
    EXPECT_EQ(status.exit_code, 0) << status.output;
    EXPECT_NE(status.output.find(data.single_table), std::string::npos) << status.output;

    // No secret in what an operator reads.
    const auto password = m_settings->mysql_password;
    for (const auto& output : {first.output, third.output, validate.output, status.output}) {
      EXPECT_EQ(output.find(password), std::string::npos) << output;
    }
    std::ifstream log(dir() / "logs" / "migrate.log");
    const std::string logged((std::istreambuf_iterator<char>(log)), {});
    EXPECT_FALSE(logged.empty());
    EXPECT_EQ(logged.find(password), std::string::npos);
    std::ifstream state(state_file(), std::ios::binary);
    const std::string stored((std::istreambuf_iterator<char>(state)), {});
    EXPECT_FALSE(stored.empty());
    EXPECT_EQ(stored.find(password), std::string::npos) << "the state file holds no password";
  }

  std::vector<std::string> m_tables;
};

TEST_F(WalkingPipeline, SakilaMovesEveryTableWithIdenticalContent) {
  const auto dir = sakila_dir();
  if (!dir) {
    GTEST_SKIP() << "the shared Sakila data is not beside the project; the fixture test covers it";
  }
  scenario(Dataset{
      [&] {
        const std::map<std::string, std::string> rename = {{"\\bsakila\\b", name()}};
        load_mysql_file(*dir / "sakila-schema.sql", rename);
        load_mysql_file(*dir / "sakila-data.sql", rename);
      },
      "UPDATE customer SET email = CONCAT('x.', email) WHERE customer_id <= 10",
      "INSERT INTO actor (first_name, last_name) VALUES ('A','ONE'), ('B','TWO'), ('C','THREE'), "
      "('D','FOUR'), ('E','FIVE')",
      "actor",
      "DELETE FROM actor WHERE actor_id = 1"});
}

TEST_F(WalkingPipeline, FixtureMovesEveryTableWithIdenticalContent) {
  scenario(Dataset{
      [&] { load_mysql_file(test_data_dir() / "fixture.sql"); },
      "UPDATE film SET rental_rate = rental_rate + 1 WHERE film_id <= 10",
      "INSERT INTO person (first_name, last_name) VALUES ('A','ONE'), ('B','TWO'), ('C','THREE'), "
      "('D','FOUR'), ('E','FIVE')",
      "person",
      "DELETE FROM person WHERE person_id = 1"});
}

} // namespace
} // namespace migrate::testing

namespace migrate::testing {
namespace {

// The binary itself, without servers: help, version and configuration errors.
TEST(Binary, PrintsHelpWithExitCodesAndVersion) {
  const auto help = run_command(std::string(MIGRATE_BINARY) + " --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("Exit codes:"), std::string::npos) << help.output;
  EXPECT_NE(help.output.find("3  another migrate run holds the lock"), std::string::npos)
      << help.output;
  EXPECT_NE(help.output.find("4  max_runtime stopped the run"), std::string::npos) << help.output;
  EXPECT_NE(help.output.find("validate"), std::string::npos);
  const auto version = run_command(std::string(MIGRATE_BINARY) + " --version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.output.find('.'), std::string::npos);
}

TEST(Binary, ConfigurationAndUsageErrorsExitWith2AndNameTheProblem) {
  const auto missing = run_command(std::string(MIGRATE_BINARY) + " --config /nonexistent/dir");
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("/nonexistent/dir/database.yaml: file not found"),
            std::string::npos)
      << missing.output;
  const auto unknown = run_command(std::string(MIGRATE_BINARY) + " --no-such-option");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
}

} // namespace
} // namespace migrate::testing
