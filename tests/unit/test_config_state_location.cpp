// Where the state store lives: migrate.yaml's `state:`, `state_file:` and `state_schema:`.
#include "config_dir.hpp"

#include "migrate/config/config.hpp"
#include "migrate/config/state_location.hpp"
#include "migrate/core/error.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using migrate::config::parse_state_location;

namespace {

std::string error_of(const std::string& value, const std::string& schema = {}) {
  try {
    parse_state_location(value, "/etc/migrate", schema);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

} // namespace

TEST(StateLocation, TakesAPlainPathAsASqliteFileBesideTheConfiguration) {
  const auto state = parse_state_location("../state/migrate.db", "/etc/migrate/config");
  EXPECT_FALSE(state.shared());
  EXPECT_EQ(state.file, fs::path("/etc/migrate/state/migrate.db"));
  EXPECT_EQ(parse_state_location("/var/lib/m.db", "/etc").file, fs::path("/var/lib/m.db"));
}

TEST(StateLocation, TakesASqliteUrlAsAFile) {
  const auto state = parse_state_location("sqlite:///var/lib/migrate/state.db", "/etc");
  EXPECT_FALSE(state.shared());
  EXPECT_EQ(state.file, fs::path("/var/lib/migrate/state.db"));
  EXPECT_EQ(parse_state_location("sqlite://state.db", "/etc/m").file, fs::path("/etc/m/state.db"));
}

TEST(StateLocation, TakesAPostgresqlUrlWithTheDefaultSchema) {
  const auto state = parse_state_location("postgresql://migrate:pw@db:5432/app", "/etc");
  EXPECT_TRUE(state.shared());
  EXPECT_EQ(state.url, "postgresql://migrate:pw@db:5432/app");
  EXPECT_EQ(state.schema, "migrate_state");
  EXPECT_TRUE(parse_state_location("postgres://db/app", "/etc").shared());
}

TEST(StateLocation, TakesTheSchemaOutOfTheUrlAndKeepsTheOtherParameters) {
  const auto state =
      parse_state_location("postgresql://db/app?sslmode=verify-full&schema=sync_state&x=1", "/");
  EXPECT_EQ(state.schema, "sync_state");
  EXPECT_EQ(state.url, "postgresql://db/app?sslmode=verify-full&x=1");
  EXPECT_EQ(parse_state_location("postgresql://db/app?schema=s1", "/").url, "postgresql://db/app");
}

TEST(StateLocation, TakesTheSeparateSchemaSettingUnlessTheUrlDisagrees) {
  EXPECT_EQ(parse_state_location("postgresql://db/app", "/", "shared").schema, "shared");
  EXPECT_EQ(parse_state_location("postgresql://db/app?schema=shared", "/", "shared").schema,
            "shared");
  EXPECT_NE(error_of("postgresql://db/app?schema=a", "b").find("keep one"), std::string::npos);
}

TEST(StateLocation, RefusesWhatItCannotUse) {
  EXPECT_EQ(error_of(""), "must not be empty");
  EXPECT_NE(error_of("mysql://db/app").find("unknown state store 'mysql://'"), std::string::npos);
  EXPECT_NE(error_of("postgresql://db/app?schema=Bad-Name").find("lower-case"), std::string::npos);
  EXPECT_NE(error_of("postgresql://db/app?schema=").find("empty"), std::string::npos);
  EXPECT_NE(error_of("postgresql://").find("names no server"), std::string::npos);
  EXPECT_NE(error_of("sqlite://").find("names no file"), std::string::npos);
  EXPECT_NE(error_of("/var/lib/m.db", "s").find("only to a postgresql://"), std::string::npos);
}

TEST(StateLocation, DescribesAUrlWithoutItsPassword) {
  const auto state = parse_state_location("postgresql://migrate:s3cret@db/app?schema=s", "/");
  EXPECT_EQ(state.describe(), "postgresql://migrate:***@db/app schema=s");
  EXPECT_EQ(parse_state_location("postgresql://db/app", "/").describe(),
            "postgresql://db/app schema=migrate_state");
}

TEST(StateLocation, AcceptsOnlyPlainLowerCaseIdentifiers) {
  using migrate::config::is_plain_identifier;
  EXPECT_TRUE(is_plain_identifier("migrate_state"));
  EXPECT_TRUE(is_plain_identifier("_s2"));
  EXPECT_FALSE(is_plain_identifier("2s"));
  EXPECT_FALSE(is_plain_identifier("a\"b"));
  EXPECT_FALSE(is_plain_identifier(std::string(64, 'a')));
}

class StateSetting : public migrate::testing::ConfigDirTest {
protected:
  void SetUp() override {
    ConfigDirTest::SetUp();
    write("table_mapping.yaml", "tables:\n  - source_table: users\n");
  }

  migrate::config::Config load() {
    return migrate::config::load_config(m_dir, migrate::config::ReadScope::state_only);
  }
  std::string load_error() {
    try {
      load();
    } catch (const migrate::Error& e) {
      return e.what();
    }
    return "(no error)";
  }
};

TEST_F(StateSetting, DefaultsToASqliteFileBesideTheConfigurationDirectory) {
  const auto config = load();
  EXPECT_TRUE(config.state.url.empty());
  EXPECT_EQ(config.state.file.filename(), "migrate.db");
}

TEST_F(StateSetting, ReadsAPostgresqlUrlAndItsSchema) {
  ::setenv("MIGRATE_TEST_STATE_PASSWORD", "pw", 1);
  write("migrate.yaml",
        "state: postgresql://migrate:${MIGRATE_TEST_STATE_PASSWORD}@db/app\n"
        "state_schema: sync_state\n");
  const auto config = load();
  EXPECT_EQ(config.state.url, "postgresql://migrate:pw@db/app");
  EXPECT_EQ(config.state.schema, "sync_state");
}

TEST_F(StateSetting, ReadsAPathInStateAsStateFile) {
  write("migrate.yaml", "state: sqlite:///var/lib/migrate/m.db\n");
  const auto config = load();
  EXPECT_TRUE(config.state.url.empty());
  EXPECT_EQ(config.state.file, fs::path("/var/lib/migrate/m.db"));
}

TEST_F(StateSetting, NamesFileAndLineOfAWrongValue) {
  write("migrate.yaml", "logging:\n  level: info\nstate: redis://cache/0\n");
  const auto error = load_error();
  EXPECT_NE(error.find("migrate.yaml:3: state: unknown state store 'redis://'"), std::string::npos)
      << error;
  write("migrate.yaml", "state: /a.db\nstate_file: /b.db\n");
  EXPECT_NE(load_error().find("either state or state_file"), std::string::npos);
  write("migrate.yaml", "state_file: postgresql://db/app\n");
  EXPECT_NE(load_error().find("use state: for a URL"), std::string::npos);
  write("migrate.yaml", "state: postgresql://db/app?schema=a\nstate_schema: b\n");
  EXPECT_NE(load_error().find("migrate.yaml:1: state:"), std::string::npos) << load_error();
}
