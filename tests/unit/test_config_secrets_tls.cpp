// database.yaml's password_file and TLS settings.
#include "config_dir.hpp"

#include "migrate/config/config.hpp"
#include "migrate/core/error.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using migrate::Error;
using migrate::config::load_config;
using migrate::config::SslMode;

namespace {

class EndpointSettings : public migrate::testing::ConfigDirTest {
protected:
  void SetUp() override {
    ConfigDirTest::SetUp();
    write("table_mapping.yaml", "tables:\n  - source_table: users\n");
  }

  // database.yaml with `mysql_extra` lines added to the mysql block.
  void write_database(const std::string& mysql_extra) {
    write("database.yaml",
          "mysql:\n  host: db.example.com\n  port: 3306\n  database: app\n  username: migrate\n"
              + mysql_extra
              + "postgresql:\n  host: 127.0.0.1\n  port: 5432\n  database: app\n  username: m\n");
  }

  void write_secret(const std::string& text, fs::perms mode) {
    write("mysql.pw", text);
    fs::permissions(m_dir / "mysql.pw", mode);
  }

  std::string error_of() {
    try {
      load_config(m_dir);
    } catch (const Error& e) {
      return e.what();
    }
    ADD_FAILURE() << "expected a configuration error";
    return {};
  }
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const auto k_owner_only = fs::perms::owner_read | fs::perms::owner_write;

} // namespace

TEST(PasswordFileText, IsTheFirstLineWithoutItsLineEnd) {
  using migrate::config::password_from_file_text;
  EXPECT_EQ(password_from_file_text("s3cret\n"), "s3cret");
  EXPECT_EQ(password_from_file_text("s3cret\r\n"), "s3cret");
  EXPECT_EQ(password_from_file_text("s3cret"), "s3cret");
  EXPECT_EQ(password_from_file_text(" spaced pw \nsecond line\n"), " spaced pw ");
  EXPECT_EQ(password_from_file_text(""), "");
}

TEST(SslModeText, RoundTripsEveryMode) {
  using migrate::config::parse_ssl_mode;
  for (const auto mode : {SslMode::disable,
                          SslMode::prefer,
                          SslMode::require,
                          SslMode::verify_ca,
                          SslMode::verify_full}) {
    EXPECT_EQ(parse_ssl_mode(to_string(mode)), mode);
  }
  EXPECT_FALSE(parse_ssl_mode("verify_full"));
  EXPECT_FALSE(parse_ssl_mode("on"));
}

TEST_F(EndpointSettings, ReadsThePasswordFromAnOwnerOnlyFileRelativeToTheConfig) {
  write_secret("from-file\n", k_owner_only);
  write_database("  password_file: mysql.pw\n");
  EXPECT_EQ(load_config(m_dir).mysql.password, "from-file");
}

TEST_F(EndpointSettings, RefusesAPasswordFileOthersCanReadWithoutShowingIt) {
  write_secret("from-file\n", k_owner_only | fs::perms::group_read);
  write_database("  password_file: mysql.pw\n");
  const auto message = error_of();
  EXPECT_TRUE(contains(message, "readable by other users (mode 0640)")) << message;
  EXPECT_TRUE(contains(message, "chmod 600")) << message;
  EXPECT_TRUE(contains(message, "database.yaml:")) << message;
  EXPECT_FALSE(contains(message, "from-file")) << message;
}

TEST_F(EndpointSettings, RefusesAMissingPasswordFile) {
  write_database("  password_file: nowhere.pw\n");
  EXPECT_TRUE(contains(error_of(), "nowhere.pw"));
}

TEST_F(EndpointSettings, RefusesPasswordAndPasswordFileTogether) {
  write_secret("from-file\n", k_owner_only);
  write_database("  password: inline\n  password_file: mysql.pw\n");
  EXPECT_TRUE(contains(error_of(), "set one of password, password_file and password_command"));
}

TEST_F(EndpointSettings, ReadsAPasswordCommandAsAProgramAndItsArguments) {
  write_database("  password_command: [aws, rds, generate-db-auth-token, --port, \"3306\"]\n");
  fs::permissions(m_dir / "database.yaml", k_owner_only);
  const auto config = load_config(m_dir);
  EXPECT_EQ(config.mysql.password_command,
            (std::vector<std::string>{"aws", "rds", "generate-db-auth-token", "--port", "3306"}));
  EXPECT_TRUE(config.mysql.password.empty());
  EXPECT_TRUE(config.postgresql.password_command.empty());
}

TEST_F(EndpointSettings, RefusesAPasswordCommandThatIsNotAListOrBesideAPassword) {
  write_database("  password_command: \"aws rds generate-db-auth-token\"\n");
  fs::permissions(m_dir / "database.yaml", k_owner_only);
  EXPECT_TRUE(contains(error_of(), "mysql.password_command: expected a list"));
  write_database("  password_command: []\n");
  EXPECT_TRUE(contains(error_of(), "expected the program and its arguments"));
  write_database("  password: inline\n  password_command: [print-password]\n");
  EXPECT_TRUE(contains(error_of(), "set one of password, password_file and password_command"));
}

TEST_F(EndpointSettings, RefusesAPasswordCommandNamedInAFileOthersCanWrite) {
  write_database("  password_command: [print-password]\n");
  fs::permissions(m_dir / "database.yaml", k_owner_only | fs::perms::others_write);
  EXPECT_TRUE(contains(error_of(), "is writable by other users (mode 0602)"));
}

TEST_F(EndpointSettings, TlsDefaultsToPrefer) {
  write_database("");
  const auto config = load_config(m_dir);
  EXPECT_EQ(config.mysql.tls.mode, SslMode::prefer);
  EXPECT_EQ(config.postgresql.tls.mode, SslMode::prefer);
  EXPECT_TRUE(config.mysql.tls.ca.empty());
}

TEST_F(EndpointSettings, ReadsTlsModeAndFiles) {
  write("ca.pem", "x");
  write("client.pem", "x");
  write("client.key", "x");
  write_database("  ssl_mode: verify-full\n  ssl_ca: ca.pem\n  ssl_cert: client.pem\n"
                 "  ssl_key: client.key\n");
  const auto tls = load_config(m_dir).mysql.tls;
  EXPECT_EQ(tls.mode, SslMode::verify_full);
  EXPECT_EQ(tls.ca, m_dir / "ca.pem");
  EXPECT_EQ(tls.cert, m_dir / "client.pem");
  EXPECT_EQ(tls.key, m_dir / "client.key");
}

TEST_F(EndpointSettings, VerificationNeedsACaFile) {
  write_database("  ssl_mode: verify-ca\n");
  EXPECT_TRUE(contains(error_of(), "verify-ca needs ssl_ca"));
}

TEST_F(EndpointSettings, RejectsAnUnknownModeAndMissingFiles) {
  write_database("  ssl_mode: strict\n");
  EXPECT_TRUE(contains(error_of(), "expected one of disable, prefer"));
  write_database("  ssl_mode: require\n  ssl_ca: missing.pem\n");
  EXPECT_TRUE(contains(error_of(), "no such file"));
}

TEST_F(EndpointSettings, ClientCertificateAndKeyGoTogether) {
  write("client.pem", "x");
  write_database("  ssl_cert: client.pem\n");
  EXPECT_TRUE(contains(error_of(), "ssl_cert and ssl_key go together"));
}
