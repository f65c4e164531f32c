// The design document's database.yaml and table_mapping.yaml, byte for byte, load and run against
// tables of the shape they describe, with the connection taken from the variables they name.
#include "design_document_config.hpp"
#include "support.hpp"

#include <fstream>

namespace migrate::testing {
namespace {

class DesignDocument : public TestDatabase {
protected:
  void SetUp() override {
    TestDatabase::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    std::ofstream(config_dir() / "database.yaml", std::ios::binary) << k_design_database_yaml;
    std::ofstream(config_dir() / "table_mapping.yaml", std::ios::binary)
        << k_design_table_mapping_yaml;
    m_env = {{"MYSQL_HOST", m_settings->mysql_host},
             {"MYSQL_PORT", m_settings->mysql_port},
             {"MYSQL_DATABASE", name()},
             {"MYSQL_USERNAME", m_settings->mysql_user},
             {"MYSQL_PASSWORD", m_settings->mysql_password},
             {"POSTGRES_HOST", m_settings->pg_host},
             {"POSTGRES_PORT", m_settings->pg_port},
             {"POSTGRES_DATABASE", name()},
             {"POSTGRES_USERNAME", m_settings->pg_user},
             {"POSTGRES_PASSWORD", m_settings->pg_password}};
  }

  std::map<std::string, std::string> m_env;
};

TEST_F(DesignDocument, TheDocumentsTwoFilesRunVerbatim) {
  mysql().exec(
      "CREATE TABLE users (user_id INT PRIMARY KEY, phone_number VARCHAR(32), "
      "email VARCHAR(255), updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))");
  mysql().exec("CREATE TABLE orders (order_id BIGINT PRIMARY KEY, user_id INT, total "
               "DECIMAL(10,2), modified_date DATETIME NOT NULL)");
  mysql().exec("INSERT INTO users VALUES (1, '+49 30 1234-5678', 'Ann@Example.COM', "
               "'2024-01-01 10:00:00'), (2, '0044 20 7946 0958', 'bo@example.com', "
               "'2024-01-01 10:00:01'), (3, '030 1234-5678', 'cy@example.com', "
               "'2024-01-01 10:00:02'), (4, NULL, NULL, '2024-01-01 10:00:03')");
  mysql().exec("INSERT INTO orders SELECT seq, 1 + seq % 4, seq / 100, '2024-02-01 00:00:00' + "
               "INTERVAL seq SECOND FROM "
               + numbers(1, 1200));

  const auto run = migrate({}, m_env);
  // The national number cannot be placed in a country: quarantined, counted and logged.
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("no country_code"), std::string::npos) << run.output;
  EXPECT_EQ(pg().scalar("SELECT string_agg(coalesce(phone_number, 'NULL') || ' ' || "
                        "coalesce(email, 'NULL'), ', ' ORDER BY user_id) FROM users"),
            "+493012345678 ann@example.com, +442079460958 bo@example.com, NULL NULL");
  EXPECT_EQ(latest_run("users").at("quarantined"), "1");
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM orders"), "1200");
  expect_same_content("orders");

  // The application stamps modified_date with the server's local time, as DATETIME columns are.
  mysql().exec("SET SESSION time_zone = @@GLOBAL.time_zone");
  mysql().exec("UPDATE orders SET total = 99999, modified_date = NOW() WHERE order_id <= 3");
  mysql().exec("SET SESSION time_zone = '+00:00'");
  wait_for_next_second(mysql());
  const auto second = migrate({}, m_env);
  EXPECT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(latest_run("orders").at("mode"), "incremental+verify");
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM orders WHERE total = 99999"), "3");
  expect_same_content("orders");
}

} // namespace
} // namespace migrate::testing
