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

} // namespace
} // namespace migrate
