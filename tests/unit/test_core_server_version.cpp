#include "migrate/core/server_version.hpp"

#include <gtest/gtest.h>

namespace migrate {
namespace {

TEST(ServerVersion, ReadsOracleMysqlVersions) {
  const auto v80 = parse_server_version("8.0.36", "MySQL Community Server - GPL");
  EXPECT_FALSE(v80.is_mariadb());
  EXPECT_EQ(v80.major, 8);
  EXPECT_EQ(v80.minor, 0);
  EXPECT_EQ(v80.patch, 36);
  EXPECT_EQ(v80.describe(), "MySQL 8.0.36 (MySQL Community Server - GPL)");
  const auto v57 = parse_server_version("5.7.44-log", "MySQL Community Server (GPL)");
  EXPECT_EQ(v57.major, 5);
  EXPECT_EQ(v57.minor, 7);
  EXPECT_EQ(v57.patch, 44);
  EXPECT_FALSE(v57.at_least(8, 0, 17));
  EXPECT_TRUE(parse_server_version("8.4.0", "").at_least(8, 0, 17));
}

TEST(ServerVersion, RecognisesMariadbByVersionOrComment) {
  const auto plain = parse_server_version("10.11.6-MariaDB-0+deb12u1", "Debian 12");
  EXPECT_TRUE(plain.is_mariadb());
  EXPECT_EQ(plain.major, 10);
  EXPECT_EQ(plain.minor, 11);
  EXPECT_EQ(plain.patch, 6);
  const auto prefixed = parse_server_version("5.5.5-10.6.12-MariaDB", "");
  EXPECT_TRUE(prefixed.is_mariadb());
  EXPECT_EQ(prefixed.major, 10);
  EXPECT_EQ(prefixed.minor, 6);
  EXPECT_TRUE(parse_server_version("10.6.12", "mariadb.org binary distribution").is_mariadb());
}

TEST(ServerVersion, LeavesUnreadablePartsAtZero) {
  const auto odd = parse_server_version("8.0.mysql_aurora.3.04.0", "Source distribution");
  EXPECT_FALSE(odd.is_mariadb());
  EXPECT_EQ(odd.major, 8);
  EXPECT_EQ(odd.minor, 0);
  EXPECT_EQ(odd.patch, 0);
  EXPECT_EQ(parse_server_version("", "").major, 0);
}

TEST(ServerProbes, TheStatementLimitIsTheFlavoursOwnVariable) {
  ServerProbes mysql;
  read_probe_variables(
      {{"max_execution_time", "1000"}, {"show_gipk_in_create_table_and_information_schema", "OFF"}},
      parse_server_version("8.0.36", ""),
      mysql);
  EXPECT_EQ(mysql.statement_limit, "max_execution_time");
  EXPECT_EQ(mysql.statement_limit_value, "1000");
  EXPECT_TRUE(mysql.gipk_visibility); // the variable exists: it is set ON for the session

  // MySQL 5.7.4 to 5.7.7 named it max_statement_time; a server with both takes its own.
  ServerProbes both;
  read_probe_variables({{"max_statement_time", "0.000000"}, {"max_execution_time", "5"}},
                       parse_server_version("10.11.6-MariaDB", ""),
                       both);
  EXPECT_EQ(both.statement_limit, "max_statement_time");
  EXPECT_FALSE(both.gipk_visibility);

  ServerProbes none;
  read_probe_variables({}, parse_server_version("5.7.3", ""), none);
  EXPECT_TRUE(none.statement_limit.empty());
}

TEST(ServerProbes, EachAnswerIsDescribedWithWhatTheToolDoes) {
  ServerProbes probes;
  probes.statement_limit = "max_execution_time";
  probes.statement_limit_value = "0";
  probes.axis_order_option = true;
  probes.default_axis_text = "POINT(1 2)";
  probes.time_to_sec_text = "1";
  const auto lines = describe_probes(probes);
  ASSERT_EQ(lines.size(), 4U);
  EXPECT_EQ(lines[0].second, "max_execution_time = 0 (set to 0 for the tool's sessions)");
  EXPECT_EQ(lines[2].first, "geometry axis order");
  EXPECT_NE(lines[2].second.find("read with axis-order=long-lat"), std::string::npos);
  EXPECT_NE(lines[3].second.find("= 1 (not relied on"), std::string::npos);
  EXPECT_NE(describe_probes(ServerProbes{})[2].second.find("no axis-order option"),
            std::string::npos);
}

} // namespace
} // namespace migrate
