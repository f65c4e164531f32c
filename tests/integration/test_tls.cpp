// TLS to both databases, against an extra pair of servers this suite starts with a throwaway CA and
// a server certificate for "localhost" only (scripts/servers.sh with MIGRATE_SERVERS_TLS=1).
#include "fault_proxy.hpp"
#include "support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace migrate::testing {
namespace {

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t found = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++found;
  }
  return found;
}

namespace fs = std::filesystem;

// A port nothing listens on now, chosen by the kernel.
std::string free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), size) != 0
      || ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    throw std::runtime_error("cannot pick a free port");
  }
  ::close(fd);
  return std::to_string(ntohs(address.sin_port));
}

struct Side {
  std::string host = "localhost";
  std::string mode;
  std::string ca; // file name in the servers' tls directory, or ""
};

class Tls : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    if (!server_settings()) {
      return;
    }
    s_dir = fs::temp_directory_path() / ("migrate-tls-" + std::to_string(::getpid()));
    s_mysql_port = free_port();
    s_pg_port = free_port();
    const auto started = run_command(
        "cd " + std::string(MIGRATE_SOURCE_DIR)
        + " && timeout 180 bash -c 'unset MIGRATE_SERVERS_DIR; source scripts/servers.sh"
          " && MIGRATE_SERVERS_TLS=1 MIGRATE_TEST_MYSQL_PORT="
        + s_mysql_port + " MIGRATE_TEST_PG_PORT=" + s_pg_port + " servers_start " + s_dir.string()
        + "'");
    s_start_output = started.output;
    s_started = started.exit_code == 0;
  }

  static void TearDownTestSuite() {
    if (!s_dir.empty()) {
      run_command("cd " + std::string(MIGRATE_SOURCE_DIR)
                  + " && timeout 120 bash -c 'source scripts/servers.sh && MIGRATE_SERVERS_DIR="
                  + s_dir.string() + " servers_stop'");
    }
  }

  void SetUp() override {
    if (!server_settings()) {
      if (const char* ci = std::getenv("CI"); ci != nullptr && std::string(ci) == "true") {
        FAIL() << "CI=true but no test servers are configured";
      }
      GTEST_SKIP() << "no test servers configured: run scripts/test.sh";
    }
    ASSERT_TRUE(s_started) << s_start_output;
    m_settings = ServerSettings{"127.0.0.1",
                                s_mysql_port,
                                "migrate",
                                "migrate_pw",
                                "127.0.0.1",
                                s_pg_port,
                                "migrate",
                                "migrate_pw"};
    m_name = "tls_" + std::to_string(::getpid()) + "_"
             + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    m_name = m_name.substr(0, 60);
    for (auto& c : m_name) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    MysqlClient(m_settings, "").exec("CREATE DATABASE `" + m_name + "`");
    MysqlClient(m_settings, m_name).exec("CREATE TABLE items (id INT PRIMARY KEY, v INT)");
    MysqlClient(m_settings, m_name).exec("INSERT INTO items VALUES (1, 10)");
    PgClient(m_settings, "").exec("CREATE DATABASE " + m_name);
    m_config = s_dir / ("config-" + m_name);
    fs::create_directories(m_config);
    std::ofstream(m_config / "table_mapping.yaml") << "tables:\n  - source_table: items\n";
  }

  void TearDown() override {
    if (m_name.empty()) {
      return;
    }
    MysqlClient(m_settings, "").exec("DROP DATABASE IF EXISTS `" + m_name + "`");
    PgClient(m_settings, "").exec("DROP DATABASE IF EXISTS " + m_name + " WITH (FORCE)");
    fs::remove_all(m_config);
  }

  static std::string block(const Side& side, const std::string& port, const std::string& name) {
    std::string out = "  host: " + side.host + "\n  port: " + port + "\n  database: " + name
                      + "\n  username: migrate\n  password: migrate_pw\n  connect_timeout: 10s\n";
    if (!side.mode.empty()) {
      out += "  ssl_mode: " + side.mode + "\n";
    }
    if (!side.ca.empty()) {
      out += "  ssl_ca: " + (s_dir / "tls" / side.ca).string() + "\n";
    }
    return out;
  }

  // A run (or `command`) against the TLS servers with these settings (a fresh state file each
  // time).
  // `mysql_port` and `pg_port` replace the servers' ports (a proxy in front of them).
  ProcessResult run(const Side& mysql,
                    const Side& pg,
                    const std::string& command = {},
                    const std::string& mysql_port = {},
                    const std::string& pg_port = {}) {
    std::ofstream(m_config / "database.yaml")
        << "mysql:\n"
        << block(mysql, mysql_port.empty() ? s_mysql_port : mysql_port, m_name) << "postgresql:\n"
        << block(pg, pg_port.empty() ? s_pg_port : pg_port, m_name);
    fs::remove(m_config / "state.db");
    return run_command("timeout 120 " + std::string(MIGRATE_BINARY) + " " + command + " --config "
                       + m_config.string() + " --state " + (m_config / "state.db").string());
  }

  static inline fs::path s_dir;
  static inline std::string s_mysql_port;
  static inline std::string s_pg_port;
  static inline bool s_started = false;
  static inline std::string s_start_output;
  ServerSettings m_settings;
  std::string m_name;
  fs::path m_config;
};

TEST_F(Tls, VerifyFullWithTheRightCaPassesOnBothConnections) {
  const Side side{"localhost", "verify-full", "ca.pem"};
  const auto result = run(side, side);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "mysql_tls=\"TLSv1.")) << result.output;
  EXPECT_TRUE(contains(result.output, "postgresql_tls=\"TLSv1.")) << result.output;
}

TEST_F(Tls, CheckShowsTheCipherAndTheServerCertificateOfEachSide) {
  const Side side{"localhost", "verify-full", "ca.pem"};
  const auto checked = run(side, side, "check");
  EXPECT_TRUE(contains(checked.output, "mysql tls")) << checked.output;
  EXPECT_EQ(count(checked.output, "server certificate /CN=localhost"), 2U) << checked.output;
}

TEST_F(Tls, VerifyFullWithAWrongCaFailsClearly) {
  const Side wrong{"localhost", "verify-full", "wrong-ca.pem"};
  const Side plain{"localhost", "disable", ""};
  const auto mysql = run(wrong, plain);
  EXPECT_EQ(mysql.exit_code, 1) << mysql.output;
  EXPECT_TRUE(contains(mysql.output, "cannot connect to MySQL")) << mysql.output;
  EXPECT_TRUE(contains(mysql.output, "self-signed certificate in certificate chain"))
      << mysql.output;
  EXPECT_TRUE(contains(mysql.output, "must be signed by the CA in")) << mysql.output;
  const auto pg = run(plain, wrong);
  EXPECT_EQ(pg.exit_code, 1) << pg.output;
  EXPECT_TRUE(contains(pg.output, "cannot connect to PostgreSQL")) << pg.output;
  EXPECT_TRUE(contains(pg.output, "certificate verify failed")) << pg.output;
  // verify-ca checks the chain as well, with every TLS option set explicitly.
  const Side wrong_ca{"localhost", "verify-ca", "wrong-ca.pem"};
  const auto chain = run(wrong_ca, plain);
  EXPECT_EQ(chain.exit_code, 1) << chain.output;
  EXPECT_TRUE(contains(chain.output, "must be signed by the CA in")) << chain.output;
}

TEST_F(Tls, VerifyFullFailsForAHostNameTheCertificateDoesNotName) {
  const Side by_address{"127.0.0.1", "verify-full", "ca.pem"};
  const Side plain{"127.0.0.1", "disable", ""};
  const auto mysql = run(by_address, plain);
  EXPECT_EQ(mysql.exit_code, 1) << mysql.output;
  EXPECT_TRUE(contains(mysql.output, "cannot connect to MySQL")) << mysql.output;
  EXPECT_TRUE(contains(mysql.output, "name the host '127.0.0.1'")) << mysql.output;
  const auto pg = run(plain, by_address);
  EXPECT_EQ(pg.exit_code, 1) << pg.output;
  EXPECT_TRUE(contains(pg.output, "does not match host name \"127.0.0.1\"")) << pg.output;
  // The CA alone is right: verify-ca does not look at the name.
  const Side ca_only{"127.0.0.1", "verify-ca", "ca.pem"};
  const auto verify_ca = run(ca_only, ca_only);
  EXPECT_EQ(verify_ca.exit_code, 0) << verify_ca.output;
}

TEST_F(Tls, RequireEncryptsWithoutACa) {
  const Side side{"127.0.0.1", "require", ""};
  const auto result = run(side, side);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "mysql_tls=\"TLSv1.")) << result.output;
  EXPECT_TRUE(contains(result.output, "postgresql_tls=\"TLSv1.")) << result.output;
}

TEST_F(Tls, PreferIsTheDefaultAndEncryptsWhenTheServerOffersTls) {
  const Side side{"127.0.0.1", "", ""};
  const auto result = run(side, side);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "mysql_tls=\"TLSv1.")) << result.output;
  EXPECT_TRUE(contains(result.output, "postgresql_tls=\"TLSv1.")) << result.output;
}

TEST_F(Tls, DisableConnectsUnencrypted) {
  const Side side{"127.0.0.1", "disable", ""};
  const auto result = run(side, side);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "mysql_tls=\"unencrypted\"")) << result.output;
  EXPECT_TRUE(contains(result.output, "postgresql_tls=\"unencrypted\"")) << result.output;
  EXPECT_FALSE(contains(result.output, "is not encrypted")) << "no warning on loopback";
}

// A connection cut mid-load over TLS (on MySQL it reads as a TLS error, 2026, not as 2013) is
// retried on either side, and the run ends equal.
TEST_F(Tls, ACutOverTlsIsRetriedOnEitherSide) {
  MysqlClient source(m_settings, m_name);
  source.allow_recursion(200000);
  source.exec("CREATE TABLE big (id INT PRIMARY KEY, payload VARCHAR(60) NOT NULL)");
  source.exec("INSERT INTO big WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM "
              "seq WHERE n < 150000) SELECT n, CONCAT('row number ', n, ' with some text') FROM "
              "seq");
  std::ofstream(m_config / "table_mapping.yaml") << "tables:\n  - source_table: big\n";
  std::ofstream(m_config / "migrate.yaml") << "retry:\n  attempts: 4\n  max_wait: 1s\n";
  PgClient target(m_settings, m_name);
  for (const bool cut_mysql : {true, false}) {
    SCOPED_TRACE(cut_mysql ? "cut on the MySQL side" : "cut on the PostgreSQL side");
    target.exec("DROP TABLE IF EXISTS big");
    FaultProxy proxy(std::stoi(cut_mysql ? s_mysql_port : s_pg_port));
    proxy.cut_after_bytes(4 << 20, 1);
    const Side side{"127.0.0.1", "require", ""};
    const auto port = std::to_string(proxy.port());
    const auto result =
        run(side, side, {}, cut_mysql ? port : std::string(), cut_mysql ? std::string() : port);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_EQ(proxy.cuts(), 1);
    EXPECT_TRUE(contains(result.output, "retry=1/4")) << result.output;
    EXPECT_TRUE(contains(result.output, "mysql_tls=\"TLSv1.")) << result.output;
    EXPECT_TRUE(contains(result.output, "postgresql_tls=\"TLSv1.")) << result.output;
    EXPECT_EQ(target.scalar("SELECT count(*) FROM big"), "150000");
    EXPECT_EQ(target.scalar("SELECT count(DISTINCT payload) FROM big"), "150000");
  }
}

// The shared test servers offer no TLS.
class TlsAgainstAPlainServer : public TestDatabase {};

TEST_F(TlsAgainstAPlainServer, RequireFailsAndPreferFallsBackToPlainText) {
  if (!mysql().is_mariadb()) {
    GTEST_SKIP() << "Oracle MySQL makes its own certificate and always offers TLS";
  }
  mysql().exec("CREATE TABLE items (id INT PRIMARY KEY)");
  write_mapping("tables:\n  - source_table: items\n");
  const auto yaml = config_dir() / "database.yaml";
  std::ifstream in(yaml);
  const std::string original((std::istreambuf_iterator<char>(in)), {});
  const auto with_mode = [&](const std::string& mode) {
    std::string text = original;
    for (const std::string block : {"mysql:\n", "postgresql:\n"}) {
      text.insert(text.find(block) + block.size(), "  ssl_mode: " + mode + "\n");
    }
    std::ofstream(yaml) << text;
  };
  with_mode("require");
  const auto required = migrate();
  EXPECT_EQ(required.exit_code, 1) << required.output;
  EXPECT_TRUE(contains(required.output, "did not encrypt the connection (ssl_mode require)"))
      << required.output;
  with_mode("prefer");
  const auto preferred = migrate();
  EXPECT_EQ(preferred.exit_code, 0) << preferred.output;
  EXPECT_TRUE(contains(preferred.output, "mysql_tls=\"unencrypted\"")) << preferred.output;
  EXPECT_TRUE(contains(preferred.output, "postgresql_tls=\"unencrypted\"")) << preferred.output;
}

} // namespace
} // namespace migrate::testing
