#include "migrate/core/error.hpp"
#include "migrate/validate/readiness.hpp"

#include <gtest/gtest.h>

namespace migrate::validate {
namespace {

std::chrono::system_clock::time_point at(std::time_t seconds, int millis = 0) {
  return std::chrono::system_clock::from_time_t(seconds) + std::chrono::milliseconds(millis);
}

TEST(Readiness, MeasuresClockSkewAgainstTheHost) {
  // 2024-01-01 00:00:00 UTC is 1704067200.
  EXPECT_EQ(clock_skew_ms("2024-01-01 00:00:00.000000", at(1704067200)), 0);
  EXPECT_EQ(clock_skew_ms("2024-01-01 00:00:01.500000", at(1704067200)), 1500);
  EXPECT_EQ(clock_skew_ms("2024-01-01 00:00:00", at(1704067203, 250)), -3250);
  EXPECT_EQ(clock_skew_ms("2024-01-01 00:00:00.5", at(1704067200)), 500);
  EXPECT_FALSE(clock_skew_ms("yesterday", at(0)).has_value());
}

TEST(Readiness, WarnsOnlyBeyondFiveSecondsOfSkew) {
  EXPECT_EQ(clock_level(0), CheckLevel::ok);
  EXPECT_EQ(clock_level(5000), CheckLevel::ok);
  EXPECT_EQ(clock_level(-5000), CheckLevel::ok);
  EXPECT_EQ(clock_level(5001), CheckLevel::warn);
  EXPECT_EQ(clock_level(-60000), CheckLevel::warn);
  EXPECT_EQ(to_string(CheckLevel::fail), "fail");
}

} // namespace
} // namespace migrate::validate

namespace migrate {
namespace {

TEST(MissingPrivilege, NamesThePrivilegeTheObjectAndTheRole) {
  EXPECT_EQ(missing_privilege_message("'app'",
                                      "INSERT INTO \"public\".\"users\" SELECT * FROM s",
                                      "ERROR:  permission denied for table users\n"),
            "PostgreSQL role 'app' lacks the INSERT privilege on table users (ERROR:  permission "
            "denied for table users; see Least-privilege accounts in docs/operations.md)");
  EXPECT_NE(
      missing_privilege_message("'app'", "ALTER TABLE t ADD x int", "must be owner of table t")
          .find("lacks ownership on table t"),
      std::string::npos);
  EXPECT_NE(
      missing_privilege_message("'app'", " CREATE TABLE s.t ()", "permission denied for schema s")
          .find("lacks the CREATE privilege on schema s"),
      std::string::npos);
  EXPECT_NE(missing_privilege_message("'app'", "COPY t FROM STDIN", "permission denied for table t")
                .find("lacks the INSERT privilege on table t"),
            std::string::npos);
}

} // namespace
} // namespace migrate

TEST(Readiness, ListsTheSourceTablesNoMappingNames) {
  using migrate::validate::unmapped_tables;
  EXPECT_EQ(unmapped_tables({"a", "b", "c", "d"}, {"c", "a"}),
            (std::vector<std::string>{"b", "d"}));
  EXPECT_TRUE(unmapped_tables({"a"}, {"a", "gone"}).empty());
  EXPECT_EQ(unmapped_tables({"A"}, {"a"}), std::vector<std::string>{"A"}); // names are exact
}
