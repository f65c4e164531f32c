// Loading modes and the logging settings: what status and quarantine need, and what is read before
// the rest so that errors reach the log file.
#include "config_dir.hpp"

#include "migrate/config/config.hpp"
#include "migrate/core/error.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using migrate::Error;
using migrate::config::default_logging;
using migrate::config::load_config;
using migrate::config::load_logging;
using migrate::config::ReadScope;

namespace {

// Every connection value comes from a variable no test environment sets.
const char* const k_secret_database = R"(mysql:
  host: ${MIGRATE_UNSET_TEST_HOST}
  port: 3306
  database: ${MIGRATE_UNSET_TEST_DATABASE}
  username: migrate
  password: ${MIGRATE_UNSET_TEST_PASSWORD}
postgresql:
  host: ${MIGRATE_UNSET_TEST_HOST}
  port: 5432
  database: app
  username: migrate
  password: ${MIGRATE_UNSET_TEST_PASSWORD}
  schema: ${MIGRATE_UNSET_TEST_SCHEMA:-sync}
)";

const char* const k_mapping = R"(tables:
  - source_table: users
    transformations:
      - {column: ssn, type: mask, salt_env: MIGRATE_UNSET_TEST_SALT}
  - source_table: orders
    target_table: other.orders
)";

class ConfigModes : public migrate::testing::ConfigDirTest {
protected:
  void SetUp() override {
    ConfigDirTest::SetUp();
    write("database.yaml", k_secret_database);
    write("table_mapping.yaml", k_mapping);
  }
};

} // namespace

TEST_F(ConfigModes, FullLoadNeedsTheConnectionVariables) {
  EXPECT_THROW(load_config(m_dir), Error);
  EXPECT_THROW(load_config(m_dir, ReadScope::full), Error);
}

TEST_F(ConfigModes, StateOnlyLoadNeedsNeitherConnectionVariablesNorSalts) {
  const auto config = load_config(m_dir, ReadScope::state_only);
  ASSERT_EQ(config.tables.size(), 2U);
  EXPECT_EQ(config.tables[0].source_table, "users");
  EXPECT_TRUE(config.mysql.password.empty());
  EXPECT_TRUE(config.mysql.host.empty());
  EXPECT_TRUE(config.tables[0].transformations[0].salt.empty());
  // The schema reads with its default, so target names still resolve for --table.
  EXPECT_EQ(config.tables[1].target_schema, "other");
  EXPECT_EQ(config.find_table("sync.users"), &config.tables[0]);
}

TEST_F(ConfigModes, StateOnlyLoadTakesPublicWhenDatabaseYamlIsMissingOrBroken) {
  fs::remove(m_dir / "database.yaml");
  EXPECT_EQ(load_config(m_dir, ReadScope::state_only).tables[0].target_schema, "public");
  write("database.yaml", "mysql: [unclosed\n");
  EXPECT_EQ(load_config(m_dir, ReadScope::state_only).tables[0].target_schema, "public");
}

TEST_F(ConfigModes, StateOnlyLoadStillValidatesTheMappingAndSettings) {
  write("table_mapping.yaml", "tables:\n  - source_table: users\n    batchsize: 1\n");
  EXPECT_THROW(load_config(m_dir, ReadScope::state_only), Error);
  write("table_mapping.yaml", "tables:\n  - source_table: users\n");
  write("migrate.yaml", "logging:\n  level: loud\n");
  EXPECT_THROW(load_config(m_dir, ReadScope::state_only), Error);
}

TEST_F(ConfigModes, StateOnlyLoadReadsTheStateFileSetting) {
  write("migrate.yaml", "state_file: /var/lib/migrate/m.db\n");
  EXPECT_EQ(load_config(m_dir, ReadScope::state_only).state.file, "/var/lib/migrate/m.db");
}

TEST_F(ConfigModes, ConsoleLevelDefaultsToInfoAndIsSeparateFromTheFileLevel) {
  EXPECT_EQ(load_logging(m_dir).console_level, "info");
  EXPECT_EQ(load_logging(m_dir).level, "info");
  write("migrate.yaml", "logging:\n  level: debug\n  console_level: warn\n");
  const auto logging = load_logging(m_dir);
  EXPECT_EQ(logging.level, "debug");
  EXPECT_EQ(logging.console_level, "warn");
}

TEST_F(ConfigModes, RejectsAnUnknownConsoleLevelWithItsLine) {
  write("migrate.yaml", "logging:\n  console_level: quiet\n");
  try {
    load_logging(m_dir);
    FAIL() << "expected a configuration error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("migrate.yaml:2"), std::string::npos) << e.what();
  }
}

TEST_F(ConfigModes, LoggingSettingsNeedNeitherDatabaseYamlNorTheMapping) {
  fs::remove(m_dir / "database.yaml");
  fs::remove(m_dir / "table_mapping.yaml");
  write("migrate.yaml", "logging:\n  file: logs/x.log\n");
  EXPECT_EQ(load_logging(m_dir).file, m_dir / "logs/x.log");
}

TEST_F(ConfigModes, DefaultLogFileIsBesideTheConfigurationDirectory) {
  EXPECT_EQ(default_logging(m_dir).file, (m_dir / "../logs/migrate.log").lexically_normal());
  EXPECT_EQ(load_logging(m_dir).file, default_logging(m_dir).file);
}
