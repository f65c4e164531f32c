// `compress: true` on the mysql connection: the rows arrive equal, and the bytes MariaDB sent,
// counted by the link simulator between the two, are far fewer than the rows' own size.
#include "support.hpp"
#include "wan_link_process.hpp"

#include <fstream>
#include <iterator>

namespace migrate::testing {
namespace {

constexpr int k_rows = 3000;
constexpr std::size_t k_body_bytes = 1000; // text that zlib shrinks well, as real notes do

class MysqlCompression : public TestDatabase {
protected:
  void SetUp() override {
    TestDatabase::SetUp();
    if (IsSkipped()) {
      return;
    }
    mysql().exec("CREATE TABLE notes (id INT PRIMARY KEY, body TEXT NOT NULL, updated_at "
                 "TIMESTAMP NOT NULL DEFAULT '2025-01-01 00:00:00')");
    mysql().exec("INSERT INTO notes (id, body) SELECT seq, RPAD(CONCAT('note ', seq, ' '), "
                 + std::to_string(k_body_bytes) + ", 'lorem ipsum dolor sit amet ') FROM "
                 + numbers(1, k_rows));
    write_mapping("tables:\n  - source_table: notes\n    timestamp_column: updated_at\n"
                  "    lookback: 0s\n    safety_lag: 0s\n");
  }

  // database.yaml with the mysql connection through port ${WAN_PORT} and `compress`.
  void write_database(const std::string& compress) {
    std::ofstream(config_dir() / "database.yaml")
        << "mysql:\n  host: ${MIGRATE_MYSQL_HOST}\n  port: ${WAN_PORT}\n  database: " << name()
        << "\n  username: ${MIGRATE_MYSQL_USER}\n  password: ${MIGRATE_MYSQL_PASSWORD}\n"
        << "  compress: " << compress
        << "\npostgresql:\n  host: ${MIGRATE_PG_HOST}\n  port: ${MIGRATE_PG_PORT}\n  database: "
        << name() << "\n  username: ${MIGRATE_PG_USER}\n  password: ${MIGRATE_PG_PASSWORD}\n";
  }

  // Syncs with `compress` through the link simulator, expects the rows equal, and returns the
  // bytes MariaDB sent.
  unsigned long long sync_through_link(const std::string& compress) {
    write_database(compress);
    WanLink link(std::stoi(m_settings->mysql_port), {});
    EXPECT_GT(link.port(), 0);
    const auto result = migrate("", {{"WAN_PORT", std::to_string(link.port())}});
    EXPECT_EQ(result.exit_code, 0) << result.output;
    const auto received = counter(link.stop(), "bytes_to_client");
    expect_same_content("notes");
    return received;
  }

  std::string log_text() { return read_file(dir() / "logs" / "migrate.log"); }
};

TEST_F(MysqlCompression, MovesTheRowsEqualWithFarFewerBytesOnTheWire) {
  const auto received = sync_through_link("true");
  EXPECT_NE(log_text().find("compression=\"zlib\""), std::string::npos) << log_text();
  // Uncompressed, the bodies alone would be k_rows × k_body_bytes = 3 MB.
  EXPECT_LT(received, k_rows * k_body_bytes / 4) << "bytes from MariaDB: " << received;
}

TEST_F(MysqlCompression, SendsTheRowsAsTheyAreWhenOff) {
  const auto received = sync_through_link("false");
  EXPECT_NE(log_text().find("compression=\"off\""), std::string::npos) << log_text();
  EXPECT_GT(received, k_rows * k_body_bytes);
}

} // namespace
} // namespace migrate::testing
