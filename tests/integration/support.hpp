// Support for integration tests against the real MariaDB and PostgreSQL that scripts/servers.sh
// starts (connection settings from MIGRATE_MYSQL_* / MIGRATE_PG_*).
//
// Each test gets a uniquely named database on both servers, dropped afterwards. Without servers the
// tests skip, except under CI=true, where a missing server is a failure.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace migrate::testing {

using Rows = std::vector<std::vector<std::optional<std::string>>>;

// A MySQL column as the dumps need it.
struct ColumnInfo {
  std::string name;
  std::string data_type;
  std::string column_type;
  std::string precision;
};

struct ServerSettings {
  std::string mysql_host, mysql_port, mysql_user, mysql_password;
  std::string pg_host, pg_port, pg_user, pg_password;
};

// The servers from the environment, or nullopt when they are not configured.
std::optional<ServerSettings> server_settings();

// A connection to MariaDB through the C API, in a UTC session with utf8mb4.
class MysqlClient {
public:
  MysqlClient(const ServerSettings& settings, const std::string& database);
  ~MysqlClient();
  MysqlClient(const MysqlClient&) = delete;
  MysqlClient& operator=(const MysqlClient&) = delete;

  void exec(const std::string& sql);
  Rows query(const std::string& sql);
  std::string scalar(const std::string& sql);
  // MariaDB or Oracle MySQL: the tests run on both (MIGRATE_MYSQL_* names the server).
  bool is_mariadb();
  // Lets a recursive WITH generate `depth` rows: max_recursive_iterations on MariaDB,
  // cte_max_recursion_depth on MySQL.
  void allow_recursion(unsigned long long depth);

private:
  struct Handle;
  std::unique_ptr<Handle> m_handle;
};

// A connection to PostgreSQL (TimeZone UTC).
class PgClient {
public:
  PgClient(const ServerSettings& settings, const std::string& database);
  ~PgClient();
  PgClient(const PgClient&) = delete;
  PgClient& operator=(const PgClient&) = delete;

  void exec(const std::string& sql);
  Rows query(const std::string& sql);
  std::string scalar(const std::string& sql);
  // MariaDB or Oracle MySQL: the tests run on both (MIGRATE_MYSQL_* names the server).
  bool is_mariadb();
  // Lets a recursive WITH generate `depth` rows: max_recursive_iterations on MariaDB,
  // cte_max_recursion_depth on MySQL.
  void allow_recursion(unsigned long long depth);

private:
  struct Handle;
  std::unique_ptr<Handle> m_handle;
};

struct ProcessResult {
  int exit_code = -1;
  std::string output; // stdout and stderr
};

// Runs a command through the shell with extra environment variables, capturing its output.
// `value` as one word for /bin/sh: single-quoted.
std::string shell_quote(const std::string& value);

// The line of `output` (standard output and error together) that starts with `start`: a --json
// document among log lines. Empty when there is none.
std::string line_starting(const std::string& output, const std::string& start);

// Evaluates a Python expression over the JSON document `json` (bound to `d`) and returns what it
// prints, without the newline; fails the test when the document does not parse. `scratch` is a
// file it may write.
std::string json_eval(const std::filesystem::path& scratch,
                      const std::string& json,
                      const std::string& expression);

ProcessResult run_command(const std::string& command,
                          const std::map<std::string, std::string>& env = {});

// A child process started without a shell, so that it can be killed with SIGKILL mid-run.
class Process {
public:
  // `env`: variables set in the child in addition to this process's environment.
  Process(const std::vector<std::string>& argv,
          const std::filesystem::path& log,
          const std::map<std::string, std::string>& env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool running();
  // Exit code, or -signal when killed.
  int wait();
  // wait(), for at most `limit`: a child still running then is killed, and -1 returned.
  int wait_for(std::chrono::seconds limit);
  // The child's peak resident memory in KiB, once it has been waited for.
  long max_rss_kib() const { return m_max_rss_kib; }
  void kill9();

private:
  int m_pid = -1;
  int m_status = 0;
  bool m_done = false;
  long m_max_rss_kib = 0;
};

// A test's own database on both servers, a config directory pointing at them and a state file.
class TestDatabase : public ::testing::Test {
protected:
  void SetUp() override;
  void TearDown() override;

  MysqlClient& mysql() { return *m_mysql; }
  // Opens the test's own connections again (after a server restart).
  void reconnect();
  PgClient& pg() { return *m_pg; }
  const std::string& name() const { return m_name; }
  const std::filesystem::path& dir() const { return m_dir; }
  const std::filesystem::path& config_dir() const { return m_config_dir; }
  std::filesystem::path state_file() const { return m_dir / "state.db"; }

  // Writes config/table_mapping.yaml (database.yaml and migrate.yaml are written by SetUp).
  void write_mapping(const std::string& yaml);

  // Runs the migrate binary with --config and --state of this test, plus `args`, as the
  // least-privilege accounts (`env` may override any variable).
  ProcessResult migrate(const std::string& args = {},
                        const std::map<std::string, std::string>& env = {});

  // Starts the migrate binary without waiting for it (output in dir()/<log_name>).
  std::unique_ptr<Process> start_migrate(const std::vector<std::string>& args,
                                         const std::string& log_name = "child.log");

  // Creates `table (id, payload, updated_at)` in MySQL with rows 1..rows, stamped an hour ago.
  void create_numbered_table(const std::string& table, int rows);
  // The numbers from `from` to `to` as a derived table of one column, `seq`, on MariaDB and MySQL
  // alike (MariaDB's seq_1_to_N tables are not in MySQL): "FROM " + numbers(1, 40).
  std::string numbers(long long from, long long to);

  // Inserts rows [from, to] into a table `items (id, payload, updated_at)`, stamped with
  // `timestamp` (an SQL expression: one statement, one value).
  void insert_items(int from, int to, const std::string& timestamp);

  // Starts a run and kills it with SIGKILL right after its next commit of `table` (bounded: two
  // minutes). True when it was killed while still running (false: it finished first).
  bool kill_after_next_commit(const std::string& table);

  // The stored position of a table: "phase|timestamp|key", or "" when there is none.
  std::string stored_position(const std::string& table);

  // The latest run of a table as column → value, from the state file.
  std::map<std::string, std::string> latest_run(const std::string& table);

  // Loads a SQL file into this test's MySQL database with the mariadb client (DELIMITER and all).
  void load_mysql_file(const std::filesystem::path& file,
                       const std::map<std::string, std::string>& replacements = {});

  std::vector<ColumnInfo> source_columns(const std::string& table);

  // Normalised, sorted rows of a table on each side, to compare content and not just counts.
  std::vector<std::string> mysql_dump(const std::string& table);
  std::vector<std::string> pg_dump(const std::string& table, const std::string& target_table = {});

  // Expects identical dumps, printing the first differences.
  void expect_same_content(const std::string& table, const std::string& target_table = {});

  // Creates the accounts docs/operations.md asks for in production, for this test's databases: a
  // MySQL user with SELECT on the database (and PROCESS when `process`), and a PostgreSQL role that
  // is not a superuser and owns the target schema `public` (through owning the database, as on
  // Aurora). Dropped in TearDown. The environment that makes database.yaml use them is returned.
  std::map<std::string, std::string> least_privilege_accounts(bool process = true);
  std::string mysql_account() const { return "'" + m_reader + "'@'%'"; }
  // The environment migrate() and start_migrate() run the binary with, plus `extra`.
  std::map<std::string, std::string> run_env(std::map<std::string, std::string> extra = {}) const {
    extra.insert(m_run_env.begin(), m_run_env.end()); // `extra` wins
    return extra;
  }
  const std::string& pg_role() const { return m_writer; }

  // Rows moved (inserted + updated + deleted) by each table's latest run, from the state file.
  std::map<std::string, long long> moved_by_latest_runs();
  long long run_count(const std::string& table);

  std::optional<ServerSettings> m_settings;

private:
  std::map<std::string, std::string> m_run_env; // the binary's accounts
  std::string m_reader;                         // least-privilege MySQL user, when created
  std::string m_writer;                         // least-privilege PostgreSQL role, when created
  std::string m_name;
  std::filesystem::path m_dir;
  std::filesystem::path m_config_dir;
  std::unique_ptr<MysqlClient> m_mysql;
  std::unique_ptr<PgClient> m_pg;
};

// Whether `text` holds `part`.
bool contains(const std::string& text, const std::string& part);

// The whole content of a file, byte for byte; empty when it cannot be read.
std::string read_file(const std::filesystem::path& path);

// The directory of the shared Sakila data when it is beside the project, else nullopt.
std::optional<std::filesystem::path> sakila_dir();

// The project's tests/data directory.
std::filesystem::path test_data_dir();

// Waits until MySQL's clock has moved into a later second than now, so that rows stamped before the
// call lie in a complete tick (the run's upper bound excludes the current one).
void wait_for_next_second(MysqlClient& mysql);

} // namespace migrate::testing
