// migrate.yaml's max_age, metrics and notify blocks: defaults, ${VAR} interpolation, clear errors,
// and status needing none of notify's variables.
#include "config_dir.hpp"

#include "migrate/config/config.hpp"
#include "migrate/core/error.hpp"

#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using migrate::Error;
using migrate::config::load_config;
using migrate::config::load_logging;
using migrate::config::ReadScope;

namespace {

const char* const k_database = R"(mysql:
  host: localhost
  port: 3306
  database: app
  username: migrate
  password: secret
postgresql:
  host: localhost
  port: 5432
  database: app
  username: migrate
  password: secret
)";

class ConfigNotify : public migrate::testing::ConfigDirTest {
protected:
  void SetUp() override {
    ConfigDirTest::SetUp();
    write("database.yaml", k_database);
    write("table_mapping.yaml", "tables:\n  - source_table: users\n");
  }
  void TearDown() override {
    ConfigDirTest::TearDown();
    ::unsetenv("MIGRATE_TEST_SMTP_URL");
  }

  std::string error_of(ReadScope mode = ReadScope::full) {
    try {
      load_config(m_dir, mode);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(ConfigNotify, DefaultsToEightDaysAndNoChannels) {
  const auto config = load_config(m_dir);
  EXPECT_EQ(config.max_age, std::chrono::hours(8 * 24));
  EXPECT_FALSE(config.notify.any());
  EXPECT_TRUE(config.metrics_textfile.empty());
}

TEST_F(ConfigNotify, ReadsEmailWebhookMetricsAndMaxAge) {
  ::setenv("MIGRATE_TEST_SMTP_URL", "smtp://mail.example.com:587", 1);
  write("migrate.yaml", R"(max_age: 36h
metrics: {textfile: metrics/migrate.prom}
notify:
  email:
    smtp_url: ${MIGRATE_TEST_SMTP_URL}
    username: ${MIGRATE_TEST_SMTP_USER:-alerts}
    password: ${MIGRATE_TEST_SMTP_PASSWORD:-pw1234}
    from: migrate@example.com
    to: [dba@example.com, ops@example.com]
    on: [failure, success]
  webhook:
    url: https://hooks.example.com/T000/B000
    on: always
  timeout: 20s
)");
  const auto config = load_config(m_dir);
  EXPECT_EQ(config.max_age, std::chrono::hours(36));
  EXPECT_EQ(config.metrics_textfile, m_dir / "metrics" / "migrate.prom");
  ASSERT_TRUE(config.notify.email.has_value());
  EXPECT_EQ(config.notify.email->smtp_url, "smtp://mail.example.com:587");
  EXPECT_EQ(config.notify.email->username, "alerts");
  EXPECT_EQ(config.notify.email->password, "pw1234");
  EXPECT_EQ(config.notify.email->to.size(), 2U);
  EXPECT_TRUE(config.notify.email->when.failure);
  EXPECT_TRUE(config.notify.email->when.success);
  ASSERT_TRUE(config.notify.webhook.has_value());
  EXPECT_TRUE(config.notify.webhook->when.success);
  EXPECT_EQ(config.notify.timeout, std::chrono::seconds(20));
}

TEST_F(ConfigNotify, SendsOnFailureOnlyUnlessTold) {
  write("migrate.yaml", "notify:\n  webhook:\n    url: http://127.0.0.1:9/hook\n");
  const auto config = load_config(m_dir);
  ASSERT_TRUE(config.notify.webhook.has_value());
  EXPECT_TRUE(config.notify.webhook->when.failure);
  EXPECT_FALSE(config.notify.webhook->when.success);
}

TEST_F(ConfigNotify, RejectsAWrongSchemeNamingFileLineAndKey) {
  write("migrate.yaml",
        "notify:\n  email:\n    smtp_url: http://mail:25\n    from: a@b\n"
        "    to: [c@d]\n");
  const auto error = error_of();
  EXPECT_NE(error.find("migrate.yaml:3"), std::string::npos) << error;
  EXPECT_NE(error.find("notify.email.smtp_url"), std::string::npos) << error;
  EXPECT_NE(error.find("smtp://"), std::string::npos) << error;
}

TEST_F(ConfigNotify, RejectsAnUnknownWhenAndAnEmptyRecipientList) {
  write("migrate.yaml", "notify:\n  webhook:\n    url: https://x/y\n    on: [failures]\n");
  EXPECT_NE(error_of().find("expected failure, success or always"), std::string::npos);
  write("migrate.yaml", "notify:\n  email:\n    smtp_url: smtp://m\n    from: a@b\n    to: []\n");
  EXPECT_NE(error_of().find("at least one address"), std::string::npos) << error_of();
}

TEST_F(ConfigNotify, ResolvesTheCaFileAndRejectsOneThatIsMissing) {
  write("mail-ca.pem", "-----BEGIN CERTIFICATE-----\n");
  write("migrate.yaml", "notify:\n  ca_file: mail-ca.pem\n  webhook:\n    url: https://x/y\n");
  EXPECT_EQ(load_config(m_dir).notify.ca_file, m_dir / "mail-ca.pem");
  write("migrate.yaml", "notify:\n  ca_file: nope.pem\n  webhook:\n    url: https://x/y\n");
  const auto error = error_of();
  EXPECT_NE(error.find("notify.ca_file"), std::string::npos) << error;
  EXPECT_NE(error.find("nope.pem"), std::string::npos) << error;
}

TEST_F(ConfigNotify, RejectsABadMaxAge) {
  write("migrate.yaml", "max_age: 8 days\n");
  const auto error = error_of();
  EXPECT_NE(error.find("max_age"), std::string::npos) << error;
  EXPECT_NE(error.find("not a duration"), std::string::npos) << error;
}

TEST_F(ConfigNotify, AnUnsetVariableFailsTheRunButNotStatusNorTheLogSettings) {
  write("migrate.yaml",
        "max_age: 2d\nnotify:\n  email:\n    smtp_url: ${MIGRATE_TEST_SMTP_URL}\n"
        "    from: a@b\n    to: [c@d]\n");
  EXPECT_NE(error_of().find("MIGRATE_TEST_SMTP_URL"), std::string::npos) << error_of();
  EXPECT_NE(error_of(ReadScope::state_and_notify).find("MIGRATE_TEST_SMTP_URL"), std::string::npos);
  EXPECT_EQ(error_of(ReadScope::state_only), "");
  EXPECT_EQ(load_config(m_dir, ReadScope::state_only).max_age, std::chrono::hours(48));
  EXPECT_NO_THROW(load_logging(m_dir));
}

} // namespace
