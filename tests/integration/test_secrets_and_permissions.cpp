// Passwords from owner-only files, never shown anywhere; state and log files for their owner only.
#include "support.hpp"

#include <sys/stat.h>

#include <fstream>

namespace migrate::testing {
namespace {

namespace fs = std::filesystem;

unsigned mode_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777U;
}

class SecretsAndPermissions : public TestDatabase {
protected:
  void SetUp() override {
    TestDatabase::SetUp();
    if (IsSkipped()) {
      return;
    }
    mysql().exec("CREATE TABLE items (id INT PRIMARY KEY, payload VARCHAR(50) NOT NULL)");
    mysql().exec("INSERT INTO items VALUES (1, 'one'), (2, 'two')");
    write_mapping("tables:\n  - source_table: items\n");
    // State and logs in directories the run has to create.
    std::ofstream(config_dir() / "migrate.yaml")
        << "state_file: ../private/state/migrate.db\nlogging:\n  file: "
           "../private/logs/migrate.log\n";
  }

  // database.yaml reading both passwords from files beside it, written with `mode`.
  void use_password_files(fs::perms mode, const std::string& mysql_password) {
    std::ofstream(config_dir() / "mysql.pw") << mysql_password << "\n";
    std::ofstream(config_dir() / "pg.pw") << m_settings->pg_password << "\n";
    fs::permissions(config_dir() / "mysql.pw", mode);
    fs::permissions(config_dir() / "pg.pw", mode);
    std::ofstream(config_dir() / "database.yaml")
        << "mysql:\n  host: ${MIGRATE_MYSQL_HOST}\n  port: ${MIGRATE_MYSQL_PORT}\n  database: "
        << name()
        << "\n  username: ${MIGRATE_MYSQL_USER}\n  password_file: mysql.pw\n"
           "postgresql:\n  host: ${MIGRATE_PG_HOST}\n  port: ${MIGRATE_PG_PORT}\n  database: "
        << name() << "\n  username: ${MIGRATE_PG_USER}\n  password_file: pg.pw\n";
  }

  // database.yaml whose passwords come from `tools/password.sh <which>`: it logs each call to
  // calls.log and prints the password in <which>.pw (read at each call, so a test can rotate it),
  // or fails with status 3 while <which>.fail exists. The accounts are the test's own, so that
  // rotating a password touches no other test.
  void use_password_command() {
    const auto accounts = least_privilege_accounts(false);
    fs::create_directories(dir() / "tools");
    const auto script = dir() / "tools" / "password.sh";
    std::ofstream(script)
        << "#!/bin/sh\nd=$(dirname \"$0\")\necho \"$1\" >>\"$d/calls.log\"\n"
           "if [ -e \"$d/$1.fail\" ]; then echo \"token service: access denied\" >&2; "
           "exit 3; fi\ncat \"$d/$1.pw\"\n";
    fs::permissions(script, fs::perms::owner_all);
    std::ofstream(dir() / "tools" / "mysql.pw") << accounts.at("MIGRATE_MYSQL_PASSWORD") << "\n";
    std::ofstream(dir() / "tools" / "pg.pw") << accounts.at("MIGRATE_PG_PASSWORD") << "\n";
    std::ofstream(config_dir() / "database.yaml")
        << "mysql:\n  host: ${MIGRATE_MYSQL_HOST}\n  port: ${MIGRATE_MYSQL_PORT}\n  database: "
        << name() << "\n  username: " << accounts.at("MIGRATE_MYSQL_USER")
        << "\n  password_command: [" << script.string()
        << ", mysql]\npostgresql:\n  host: ${MIGRATE_PG_HOST}\n  port: ${MIGRATE_PG_PORT}\n"
        << "  database: " << name() << "\n  username: " << accounts.at("MIGRATE_PG_USER")
        << "\n  password_command: [" << script.string() << ", pg]\n";
    fs::permissions(config_dir() / "database.yaml", k_owner_only);
    m_command_passwords = {accounts.at("MIGRATE_MYSQL_PASSWORD")};
  }

  std::size_t password_calls(const std::string& which) const {
    std::ifstream in(dir() / "tools" / "calls.log");
    std::size_t calls = 0;
    for (std::string line; std::getline(in, line);) {
      calls += line == which ? 1U : 0U;
    }
    return calls;
  }

  // Runs with the password variables unset, so only the files can supply the passwords.
  ProcessResult run(const std::string& args = {}) {
    return run_command("env -u MIGRATE_MYSQL_PASSWORD -u MIGRATE_PG_PASSWORD timeout 120 "
                       + std::string(MIGRATE_BINARY) + " --config '" + config_dir().string() + "' "
                       + args);
  }

  fs::path state() const { return dir() / "private" / "state" / "migrate.db"; }
  fs::path log() const { return dir() / "private" / "logs" / "migrate.log"; }

  static constexpr fs::perms k_owner_only = fs::perms::owner_read | fs::perms::owner_write;
  std::vector<std::string> m_command_passwords; // what use_password_command() set up
};

TEST_F(SecretsAndPermissions, PasswordFilesWorkAndThePasswordIsShownNowhere) {
  use_password_files(k_owner_only, m_settings->mysql_password);
  const auto first = run();
  ASSERT_EQ(first.exit_code, 0) << first.output;
  expect_same_content("items");
  const auto status = run("status");
  EXPECT_EQ(status.exit_code, 0) << status.output;
  const auto validate = run("validate");
  EXPECT_EQ(validate.exit_code, 0) << validate.output;
  for (const auto& secret : {m_settings->mysql_password, m_settings->pg_password}) {
    for (const auto& output : {first.output, status.output, validate.output}) {
      EXPECT_FALSE(contains(output, secret)) << output;
    }
    EXPECT_FALSE(contains(read_file(log()), secret));
    EXPECT_FALSE(contains(read_file(state()), secret));
    EXPECT_FALSE(contains(read_file(fs::path(state().string() + "-wal")), secret));
  }
}

TEST_F(SecretsAndPermissions, AWrongPasswordFromAFileIsNotInTheError) {
  const std::string wrong = "wrong-pw-7f3a9c";
  use_password_files(k_owner_only, wrong);
  const auto result = run();
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output, "cannot connect to MySQL")) << result.output;
  EXPECT_FALSE(contains(result.output, wrong)) << result.output;
  EXPECT_FALSE(contains(read_file(log()), wrong));
  EXPECT_FALSE(contains(read_file(state()), wrong));
}

TEST_F(SecretsAndPermissions, APasswordFileOthersCanReadIsRefusedAsAConfigurationError) {
  use_password_files(k_owner_only | fs::perms::others_read, m_settings->mysql_password);
  const auto result = run();
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_TRUE(contains(result.output, "mysql.pw is readable by other users (mode 0604)"))
      << result.output;
  EXPECT_FALSE(contains(result.output, m_settings->mysql_password)) << result.output;
  EXPECT_FALSE(fs::exists(state())) << "nothing ran";
}

TEST_F(SecretsAndPermissions, StateLogsAndTheirDirectoriesAreTheOwnersOnly) {
  use_password_files(k_owner_only, m_settings->mysql_password);
  const auto result = run();
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(mode_of(state()), 0600U);
  EXPECT_EQ(mode_of(state().parent_path()), 0700U);
  EXPECT_EQ(mode_of(log()), 0600U);
  EXPECT_EQ(mode_of(log().parent_path()), 0700U);
  EXPECT_EQ(mode_of(fs::path(state().string() + ".lock")), 0600U);
  EXPECT_FALSE(contains(result.output, "readable by other users")) << result.output;
}

TEST_F(SecretsAndPermissions, AStateFileOthersCanReadGetsAWarning) {
  use_password_files(k_owner_only, m_settings->mysql_password);
  ASSERT_EQ(run().exit_code, 0);
  fs::permissions(state(), k_owner_only | fs::perms::group_read | fs::perms::others_read);
  const auto status = run("status");
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_TRUE(contains(
      status.output, "state file " + state().string() + " is readable by other users (mode 0644)"))
      << status.output;
  EXPECT_TRUE(contains(status.output, "chmod 600")) << status.output;
}

// An IAM token or a secrets manager: the command runs for every new connection, so a password
// that changes between connections (a token lasts 15 minutes) is always the current one.
TEST_F(SecretsAndPermissions, APasswordCommandIsRunForEachConnectionAndItsOutputShownNowhere) {
  use_password_command();
  const auto first = run();
  ASSERT_EQ(first.exit_code, 0) << first.output;
  expect_same_content("items");
  // MySQL: the catalog's connection and the read's own, each with a fresh password.
  EXPECT_GE(password_calls("mysql"), 2U);
  EXPECT_GE(password_calls("pg"), 1U);
  // The password changes between runs, as a rotated secret does: the next connection asks again.
  const std::string rotated = "rotated-pw-51c2";
  mysql().exec("ALTER USER " + mysql_account() + " IDENTIFIED BY '" + rotated + "'");
  std::ofstream(dir() / "tools" / "mysql.pw") << rotated << "\n";
  const auto before = password_calls("mysql");
  const auto second = run("validate");
  EXPECT_EQ(second.exit_code, 0) << second.output;
  EXPECT_GT(password_calls("mysql"), before);
  for (const auto& output : {first.output, second.output, read_file(log())}) {
    EXPECT_FALSE(contains(output, rotated)) << output;
    EXPECT_FALSE(contains(output, m_command_passwords.at(0))) << output;
  }
}

TEST_F(SecretsAndPermissions, AFailingPasswordCommandIsAClearErrorAndNothingIsLost) {
  use_password_command();
  ASSERT_EQ(run().exit_code, 0);
  mysql().exec("INSERT INTO items VALUES (3, 'three')");
  std::ofstream(dir() / "tools" / "mysql.fail");
  const auto failed = run();
  EXPECT_EQ(failed.exit_code, 1) << failed.output;
  EXPECT_TRUE(contains(failed.output,
                       "mysql.password_command (" + (dir() / "tools" / "password.sh").string()
                           + "): exited with status 3: token service: access denied"))
      << failed.output;
  fs::remove(dir() / "tools" / "mysql.fail");
  const auto next = run();
  EXPECT_EQ(next.exit_code, 0) << next.output;
  expect_same_content("items");
}

TEST_F(SecretsAndPermissions, APasswordCommandNamedInAFileOthersCanWriteIsRefused) {
  use_password_command();
  fs::permissions(config_dir() / "database.yaml",
                  k_owner_only | fs::perms::group_write | fs::perms::group_read);
  const auto result = run("check");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_TRUE(contains(result.output,
                       "is writable by other users (mode 0660); refusing to run a "
                       "command it names"))
      << result.output;
  EXPECT_EQ(password_calls("mysql"), 0U);
}

} // namespace
} // namespace migrate::testing
