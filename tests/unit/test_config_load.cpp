#include "config_dir.hpp"
#include "design_document_config.hpp"

#include "migrate/config/config.hpp"
#include "migrate/core/error.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace fs = std::filesystem;
using migrate::Error;
using migrate::ErrorArea;
using migrate::config::load_config;

namespace {

const char* const k_database = R"(mysql:
  host: 127.0.0.1
  port: 3306
  database: app
  username: migrate
  password: ${MIGRATE_TEST_SECRET:-s3cret}
postgresql:
  host: 127.0.0.1
  port: 5432
  database: app
  username: migrate
  password: pw
  schema: sync
)";

const char* const k_mapping = R"(defaults:
  batch_size: 500
  lookback: 15m
tables:
  - source_table: users
    timestamp_column: updated_at
    primary_key: id
    transformations:
      - column: email
        type: lowercase
  - source_table: film_actor
    target_table: film_actors
    primary_key: [actor_id, film_id]
    batch_size: 2000
)";

class ConfigDir : public migrate::testing::ConfigDirTest {
protected:
  void SetUp() override {
    ConfigDirTest::SetUp();
    write("database.yaml", k_database);
    write("table_mapping.yaml", k_mapping);
  }

  // The message of the config error load_config() throws.
  std::string error_of() {
    try {
      load_config(m_dir);
    } catch (const Error& e) {
      EXPECT_EQ(e.area(), ErrorArea::config);
      return e.what();
    }
    ADD_FAILURE() << "expected a configuration error";
    return {};
  }
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_F(ConfigDir, ParsesConnectionsAndTables) {
  const auto config = load_config(m_dir);
  EXPECT_EQ(config.mysql.host, "127.0.0.1");
  EXPECT_EQ(config.mysql.port, 3306U);
  EXPECT_EQ(config.mysql.password, "s3cret");
  EXPECT_EQ(config.postgresql.schema, "sync");
  ASSERT_EQ(config.tables.size(), 2U);
  const auto& users = config.tables[0];
  EXPECT_EQ(users.target_table, "users");
  EXPECT_EQ(users.timestamp_column.value_or(""), "updated_at");
  EXPECT_EQ(users.primary_key, std::vector<std::string>{"id"});
  EXPECT_EQ(users.batch_size, 500U);
  EXPECT_EQ(users.lookback, std::chrono::minutes(15));
  ASSERT_EQ(users.transformations.size(), 1U);
  EXPECT_EQ(users.transformations[0].column, "email");
  const auto& film_actor = config.tables[1];
  EXPECT_EQ(film_actor.target_table, "film_actors");
  EXPECT_EQ(film_actor.primary_key, (std::vector<std::string>{"actor_id", "film_id"}));
  EXPECT_EQ(film_actor.batch_size, 2000U);
  EXPECT_FALSE(film_actor.timestamp_column.has_value());
}

TEST_F(ConfigDir, DefaultsBatchSizeTo1000) {
  write("table_mapping.yaml", "tables:\n  - source_table: t\n");
  EXPECT_EQ(load_config(m_dir).tables[0].batch_size, 1000U);
}

TEST_F(ConfigDir, DescribeNeverShowsThePassword) {
  const auto config = load_config(m_dir);
  EXPECT_FALSE(contains(config.mysql.describe(), "s3cret"));
  EXPECT_TRUE(contains(config.mysql.describe(), "migrate@127.0.0.1:3306/app"));
}

TEST_F(ConfigDir, ReportsMalformedYamlWithFileAndLine) {
  write("table_mapping.yaml", "tables:\n  - source_table: [unclosed\n");
  const auto message = error_of();
  EXPECT_TRUE(contains(message, "table_mapping.yaml:")) << message;
  EXPECT_TRUE(contains(message, "malformed YAML")) << message;
}

TEST_F(ConfigDir, ReportsMissingRequiredKey) {
  write("table_mapping.yaml", "tables:\n  - target_table: users\n");
  const auto message = error_of();
  EXPECT_TRUE(contains(message, "table_mapping.yaml:2")) << message;
  EXPECT_TRUE(contains(message, "source_table")) << message;
}

TEST_F(ConfigDir, ReportsUnknownKeyWithItsLine) {
  write("table_mapping.yaml", "tables:\n  - source_table: users\n    batchsize: 10\n");
  const auto message = error_of();
  EXPECT_TRUE(contains(message, "table_mapping.yaml:3")) << message;
  EXPECT_TRUE(contains(message, "tables[0].batchsize: unknown key")) << message;
}

TEST_F(ConfigDir, ReportsUnsetEnvironmentVariable) {
  std::string text = k_database;
  text.replace(text.find("${MIGRATE_TEST_SECRET:-s3cret}"),
               std::string("${MIGRATE_TEST_SECRET:-s3cret}").size(),
               "${MIGRATE_TEST_SURELY_UNSET}");
  write("database.yaml", text);
  const auto message = error_of();
  EXPECT_TRUE(contains(message, "database.yaml:6")) << message;
  EXPECT_TRUE(contains(message, "mysql.password")) << message;
  EXPECT_TRUE(contains(message, "MIGRATE_TEST_SURELY_UNSET")) << message;
}

TEST_F(ConfigDir, ReportsUnknownTransformation) {
  write("table_mapping.yaml",
        "tables:\n  - source_table: users\n    transformations:\n      - column: a\n"
        "        type: reverse\n");
  const auto message = error_of();
  EXPECT_TRUE(contains(message, "table_mapping.yaml:5")) << message;
  EXPECT_TRUE(contains(message, "unknown transformation 'reverse'")) << message;
}

TEST_F(ConfigDir, ReportsBadNumbersAndDurations) {
  write("table_mapping.yaml", "tables:\n  - source_table: users\n    batch_size: 0\n");
  EXPECT_TRUE(contains(error_of(), "batch_size: expected a whole number"));
  write("table_mapping.yaml", "tables:\n  - source_table: users\n    lookback: soon\n");
  EXPECT_TRUE(contains(error_of(), "lookback: not a duration"));
}

TEST_F(ConfigDir, ReportsMissingFile) {
  fs::remove(m_dir / "database.yaml");
  EXPECT_TRUE(contains(error_of(), "database.yaml: file not found"));
}

TEST_F(ConfigDir, ReportsTargetMappedTwice) {
  write("table_mapping.yaml",
        "tables:\n  - source_table: a\n    target_table: t\n  - source_table: b\n"
        "    target_table: t\n");
  EXPECT_TRUE(contains(error_of(), "mapped twice"));
}

TEST_F(ConfigDir, ResolvesSettingsRelativeToTheDirectory) {
  write("migrate.yaml", "state_file: state.db\nlogging:\n  file: /var/log/m.log\n  max_files: 3\n");
  const auto config = load_config(m_dir);
  EXPECT_EQ(config.state.file, m_dir / "state.db");
  EXPECT_EQ(config.logging.file, fs::path("/var/log/m.log"));
  EXPECT_EQ(config.logging.max_files, 3U);
}

TEST_F(ConfigDir, ReadsRetentionWithForeverAndDefaults) {
  auto defaults = load_config(m_dir).retention;
  EXPECT_EQ(defaults.history, std::chrono::seconds(400 * 86400));
  EXPECT_EQ(defaults.quarantine_values, std::chrono::seconds(90 * 86400));
  write("migrate.yaml", "retention: {history: forever, quarantine_values: 30d}\n");
  const auto retention = load_config(m_dir).retention;
  EXPECT_FALSE(retention.history.has_value());
  EXPECT_EQ(retention.validations, std::chrono::seconds(400 * 86400));
  EXPECT_EQ(retention.quarantine_values, std::chrono::seconds(30 * 86400));
  write("migrate.yaml", "retention: {validations: 12h}\n");
  EXPECT_TRUE(contains(error_of(), "at least 1d, or forever"));
}

TEST(ParseDuration, AcceptsUnits) {
  using migrate::config::parse_duration;
  EXPECT_EQ(parse_duration("90"), std::chrono::seconds(90));
  EXPECT_EQ(parse_duration("2m"), std::chrono::seconds(120));
  EXPECT_EQ(parse_duration("1h"), std::chrono::seconds(3600));
  EXPECT_EQ(parse_duration("1d"), std::chrono::seconds(86400));
  EXPECT_THROW(parse_duration("5 minutes"), std::invalid_argument);
  EXPECT_THROW(parse_duration("-5s"), std::invalid_argument);
  EXPECT_THROW(parse_duration("200000d"), std::invalid_argument); // no overflow into the future
  EXPECT_EQ(parse_duration("36500d"), std::chrono::seconds(36500LL * 86400));
}

namespace {

TEST_F(ConfigDir, RejectsAKeyGivenTwiceInOneEntryNamingBothLines) {
  write("table_mapping.yaml", R"(tables:
  - source_table: users
    primary_key: a
    timestamp_column: updated_at
    primary_key: u
)");
  const auto message = error_of();
  EXPECT_TRUE(contains(message, "table_mapping.yaml:5")) << message;
  EXPECT_TRUE(contains(message, "duplicate key")) << message;
  EXPECT_TRUE(contains(message, "line 3")) << message;
}

TEST_F(ConfigDir, RejectsADuplicateKeyInDatabaseYamlToo) {
  write("database.yaml", std::string(k_database) + "mysql:\n  host: other\n");
  EXPECT_TRUE(contains(error_of(), "duplicate key"));
}

TEST_F(ConfigDir, ReadsSchemaDotTableAsTheTargetSchema) {
  write("table_mapping.yaml", R"(tables:
  - source_table: users
    target_table: other.tbl
  - source_table: orders
)");
  const auto config = load_config(m_dir);
  EXPECT_EQ(config.tables[0].target_schema, "other");
  EXPECT_EQ(config.tables[0].target_table, "tbl");
  EXPECT_EQ(config.tables[1].target_schema, "sync"); // database.yaml's schema
  EXPECT_EQ(config.tables[1].target_table, "orders");
  EXPECT_EQ(config.find_table("other.tbl"), &config.tables[0]);
}

TEST_F(ConfigDir, RejectsATargetNameWithMoreThanOneDotOrAnEmptyPart) {
  for (const char* name : {"a.b.c", ".tbl", "sch."}) {
    write("table_mapping.yaml",
          std::string("tables:\n  - source_table: users\n    target_table: ") + name + "\n");
    const auto message = error_of();
    EXPECT_TRUE(contains(message, "schema.table")) << name << ": " << message;
  }
}

TEST_F(ConfigDir, LookbackDefaultsToTenMinutes) {
  write("table_mapping.yaml", "tables:\n  - source_table: users\n");
  const auto config = load_config(m_dir);
  EXPECT_EQ(config.tables[0].lookback, std::chrono::minutes(10));
  EXPECT_EQ(config.tables[0].safety_lag, std::chrono::seconds(0));
}

} // namespace
TEST_F(ConfigDir, ReadsSyncModeAndReplaceMaxRowsWithDefaults) {
  write("table_mapping.yaml",
        "defaults:\n  replace_max_rows: 500\ntables:\n  - source_table: a\n    sync: replace\n"
        "  - source_table: b\n    sync: upsert\n    replace_max_rows: 7\n  - source_table: c\n");
  const auto config = load_config(m_dir);
  using migrate::config::SyncMode;
  EXPECT_EQ(config.tables[0].sync, SyncMode::replace);
  EXPECT_EQ(config.tables[0].replace_max_rows, 500U);
  EXPECT_EQ(config.tables[1].sync, SyncMode::upsert);
  EXPECT_EQ(config.tables[1].replace_max_rows, 7U);
  EXPECT_FALSE(config.tables[2].sync.has_value());
}

TEST_F(ConfigDir, DefaultsReplaceMaxRowsToTenMillion) {
  write("table_mapping.yaml", "tables:\n  - source_table: t\n");
  EXPECT_EQ(load_config(m_dir).tables[0].replace_max_rows, 10'000'000U);
}

TEST_F(ConfigDir, RejectsAnUnknownSyncMode) {
  write("table_mapping.yaml", "tables:\n  - source_table: t\n    sync: mirror\n");
  const auto message = error_of();
  EXPECT_TRUE(contains(message, "table_mapping.yaml:3")) << message;
  EXPECT_TRUE(contains(message, "expected upsert or replace")) << message;
}

TEST_F(ConfigDir, RejectsReplaceWithATimestampColumn) {
  write("table_mapping.yaml",
        "tables:\n  - source_table: t\n    timestamp_column: updated_at\n    sync: replace\n");
  const auto message = error_of();
  EXPECT_TRUE(contains(message, "tables[0].sync")) << message;
  EXPECT_TRUE(contains(message, "timestamp_column")) << message;
}

TEST_F(ConfigDir, RejectsReplaceWithDeletesIgnoredOrSoft) {
  write("table_mapping.yaml",
        "tables:\n  - source_table: t\n    deletes: soft\n    sync: replace\n");
  EXPECT_TRUE(contains(error_of(), "deletes: ignore or soft"));
  write("table_mapping.yaml",
        "defaults:\n  deletes: ignore\ntables:\n  - source_table: t\n    sync: replace\n");
  EXPECT_TRUE(contains(error_of(), "deletes: ignore or soft"));
  write("table_mapping.yaml",
        "tables:\n  - source_table: t\n    deletes: delete\n    sync: replace\n");
  EXPECT_NO_THROW(load_config(m_dir));
}

TEST_F(ConfigDir, SyncIsPerTableOnly) {
  write("table_mapping.yaml", "defaults:\n  sync: replace\ntables:\n  - source_table: t\n");
  EXPECT_TRUE(contains(error_of(), "defaults.sync: unknown key"));
}

TEST_F(ConfigDir, LoadsTheDesignDocumentFilesVerbatim) {
  write("database.yaml", migrate::testing::k_design_database_yaml);
  write("table_mapping.yaml", migrate::testing::k_design_table_mapping_yaml);
  const std::map<std::string, std::string> env = {{"MYSQL_HOST", "db1"},
                                                  {"MYSQL_PORT", "3306"},
                                                  {"MYSQL_DATABASE", "shop"},
                                                  {"MYSQL_USERNAME", "reader"},
                                                  {"MYSQL_PASSWORD", "pw"},
                                                  {"POSTGRES_HOST", "pg1"},
                                                  {"POSTGRES_PORT", "5432"},
                                                  {"POSTGRES_DATABASE", "shop"},
                                                  {"POSTGRES_USERNAME", "writer"},
                                                  {"POSTGRES_PASSWORD", "pw"}};
  for (const auto& [name, value] : env) {
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  const auto config = load_config(m_dir);
  for (const auto& entry : env) {
    ::unsetenv(entry.first.c_str());
  }
  EXPECT_EQ(config.mysql.describe(), "reader@db1:3306/shop");
  ASSERT_EQ(config.tables.size(), 2U);
  EXPECT_EQ(config.tables[0].name, "users");
  EXPECT_EQ(config.tables[0].primary_key, std::vector<std::string>{"user_id"});
  ASSERT_EQ(config.tables[0].transformations.size(), 2U);
  EXPECT_EQ(config.tables[0].transformations[0].kind, migrate::config::TransformKind::format_phone);
  EXPECT_TRUE(config.tables[0].transformations[0].country_code.empty());
  EXPECT_EQ(config.tables[0].transformations[0].on_error, migrate::config::OnError::quarantine);
  EXPECT_EQ(config.tables[1].name, "orders");
  EXPECT_EQ(config.tables[1].timestamp_column, "modified_date");
  EXPECT_EQ(config.tables[1].batch_size, 500U);
}

TEST_F(ConfigDir, MapFormDefaultsSourceTableToTheKey) {
  write("table_mapping.yaml",
        "tables:\n  customers:\n    primary_key: id\n  film_actor:\n    target_table: fa\n");
  const auto config = load_config(m_dir);
  ASSERT_EQ(config.tables.size(), 2U);
  EXPECT_EQ(config.tables[0].source_table, "customers");
  EXPECT_EQ(config.tables[0].target_table, "customers");
  EXPECT_EQ(config.tables[1].source_table, "film_actor");
  EXPECT_EQ(config.tables[1].target_table, "fa");
  EXPECT_EQ(config.find_table("film_actor"), &config.tables[1]);
}

TEST_F(ConfigDir, MapFormErrorsNameTheTableKey) {
  write("table_mapping.yaml", "tables:\n  users:\n    batchsize: 10\n");
  const auto message = error_of();
  EXPECT_TRUE(contains(message, "table_mapping.yaml:3")) << message;
  EXPECT_TRUE(contains(message, "tables.users.batchsize: unknown key")) << message;
}

TEST_F(ConfigDir, MapFormRejectsTwoKeysForOneTarget) {
  write("table_mapping.yaml", "tables:\n  a:\n    source_table: t\n  b:\n    source_table: t\n");
  EXPECT_TRUE(contains(error_of(), "mapped twice"));
}

TEST_F(ConfigDir, TablesMustBeAListOrAMap) {
  write("table_mapping.yaml", "tables: users\n");
  EXPECT_TRUE(contains(error_of(), "expected a list of tables or a map"));
}

TEST_F(ConfigDir, ReadsSchemaChangesPerTableAndFromDefaults) {
  write("table_mapping.yaml",
        "defaults:\n  schema_changes: fail\ntables:\n  - source_table: a\n"
        "  - source_table: b\n    schema_changes: apply\n");
  const auto config = load_config(m_dir);
  using migrate::config::SchemaChanges;
  EXPECT_EQ(config.tables[0].schema_changes, SchemaChanges::fail);
  EXPECT_EQ(config.tables[1].schema_changes, SchemaChanges::apply);
  write("table_mapping.yaml", "tables:\n  - source_table: a\n");
  EXPECT_EQ(load_config(m_dir).tables[0].schema_changes, SchemaChanges::apply);
}

TEST_F(ConfigDir, RejectsAnUnknownSchemaChangesValueWithItsLine) {
  write("table_mapping.yaml", "tables:\n  - source_table: a\n    schema_changes: always\n");
  const auto message = error_of();
  EXPECT_NE(message.find("expected apply or fail"), std::string::npos) << message;
  EXPECT_NE(message.find("table_mapping.yaml:3"), std::string::npos) << message;
}

namespace migrate::config {
namespace {

TEST(FindConfigDirectory, EnvironmentThenHereThenWhereThePackageInstallsIt) {
  const auto only = [](std::set<std::string> present) {
    return [present](const std::string& path) {
      return present.count(path) != 0;
    };
  };
  EXPECT_EQ(find_config_directory("/srv/migrate", only({"config", "/etc/migrate"})),
            "/srv/migrate");
  EXPECT_EQ(find_config_directory("", only({"config", "/etc/migrate"})), "config");
  EXPECT_EQ(find_config_directory(nullptr, only({"/etc/migrate"})), "/etc/migrate");
  EXPECT_EQ(find_config_directory(nullptr, only({})), "config"); // the loader says it is missing
}

} // namespace
} // namespace migrate::config
