#include "support.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <mysql.h>
#include <pqxx/pqxx>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace migrate::testing {
namespace {

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

std::string unique_name() {
  static std::atomic<int> counter{0};
  return "mt_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + "_"
         + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 100000);
}

bool is_float(const std::string& type) {
  return type == "float" || type == "double";
}

// One expression per engine that prints the same text for the same logical value.
std::pair<std::string, std::string> normalisers(const ColumnInfo& c) {
  const std::string m = "`" + c.name + "`";
  const std::string p = "\"" + c.name + "\"";
  const auto& t = c.data_type;
  if (t == "tinyint" && c.column_type.rfind("tinyint(1)", 0) == 0) {
    return {"CAST(" + m + " AS CHAR)", "(" + p + "::int)::text"};
  }
  if (t == "bit") {
    if (c.precision == "1") {
      return {"CAST(" + m + " + 0 AS CHAR)", "(" + p + "::int)::text"};
    }
    return {"LPAD(BIN(" + m + "), " + c.precision + ", '0')", p + "::text"};
  }
  if (is_float(t)) {
    return {"CAST(" + m + " AS DOUBLE)", p + "::float8::text"};
  }
  if (t == "date") {
    return {"DATE_FORMAT(" + m + ", '%Y-%m-%d')", "to_char(" + p + ", 'YYYY-MM-DD')"};
  }
  if (t == "datetime" || t == "timestamp") {
    return {"DATE_FORMAT(" + m + ", '%Y-%m-%d %H:%i:%s.%f')",
            "to_char(" + p + ", 'YYYY-MM-DD HH24:MI:SS.US')"};
  }
  if (t == "time") {
    // TIME_TO_SEC() drops the fraction on MySQL: the seconds from the parts, as the tool does.
    return {"CAST(IF(" + m + " < TIME'00:00:00', -1, 1) * (HOUR(" + m + ") * 3600 + MINUTE(" + m
                + ") * 60 + SECOND(" + m + ") + MICROSECOND(" + m
                + ") * 0.000001) AS DECIMAL(20,6))",
            "CAST(EXTRACT(EPOCH FROM " + p + ") AS numeric(20,6))::text"};
  }
  if (t == "set") {
    return {m, "array_to_string(" + p + ", ',')"};
  }
  if (t == "binary" || t == "varbinary" || t.find("blob") != std::string::npos) {
    return {"LOWER(HEX(" + m + "))", "encode(" + p + ", 'hex')"};
  }
  if (t == "geometry" || t == "point" || t == "polygon" || t == "linestring"
      || t.rfind("multi", 0) == 0 || t == "geometrycollection" || t == "geomcollection") {
    return {"ST_AsText(" + m + ")", p};
  }
  return {"CAST(" + m + " AS CHAR)", p + "::text"};
}

std::string normalise_float(const std::string& text) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.17g", std::strtod(text.c_str(), nullptr));
  return buffer;
}

std::vector<std::string> to_lines(const Rows& rows, const std::vector<ColumnInfo>& columns) {
  std::vector<std::string> lines;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i > 0) {
        line += '\x1f';
      }
      if (!row[i]) {
        line += "\\N";
      } else {
        line += is_float(columns[i].data_type) ? normalise_float(*row[i]) : *row[i];
      }
    }
    lines.push_back(std::move(line));
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

} // namespace

std::string line_starting(const std::string& output, const std::string& start) {
  const auto at = output.rfind(start, 0) == 0 ? 0 : output.find("\n" + start);
  if (at == std::string::npos) {
    return {};
  }
  const auto begin = at == 0 ? 0 : at + 1;
  return output.substr(begin, output.find('\n', begin) - begin);
}

std::string json_eval(const std::filesystem::path& scratch,
                      const std::string& json,
                      const std::string& expression) {
  std::ofstream(scratch) << json;
  const auto result = run_command(
      "python3 -c "
      + shell_quote("import json,sys; d=json.load(sys.stdin); print((" + expression + "))") + " < "
      + shell_quote(scratch.string()));
  EXPECT_EQ(result.exit_code, 0) << "not JSON:\n" << json << "\n" << result.output;
  auto text = result.output;
  while (!text.empty() && text.back() == '\n') {
    text.pop_back();
  }
  return text;
}

std::string shell_quote(const std::string& value) {
  std::string out = "'";
  for (const char c : value) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::optional<ServerSettings> server_settings() {
  ServerSettings s;
  s.mysql_host = env_or_empty("MIGRATE_MYSQL_HOST");
  s.mysql_port = env_or_empty("MIGRATE_MYSQL_PORT");
  s.mysql_user = env_or_empty("MIGRATE_MYSQL_USER");
  s.mysql_password = env_or_empty("MIGRATE_MYSQL_PASSWORD");
  s.pg_host = env_or_empty("MIGRATE_PG_HOST");
  s.pg_port = env_or_empty("MIGRATE_PG_PORT");
  s.pg_user = env_or_empty("MIGRATE_PG_USER");
  s.pg_password = env_or_empty("MIGRATE_PG_PASSWORD");
  if (s.mysql_host.empty() || s.mysql_port.empty() || s.pg_host.empty() || s.pg_port.empty()) {
    return std::nullopt;
  }
  return s;
}

// ---- MysqlClient ----

struct MysqlClient::Handle {
  MYSQL* mysql = nullptr;
};

MysqlClient::MysqlClient(const ServerSettings& s, const std::string& database)
    : m_handle(std::make_unique<Handle>()) {
  m_handle->mysql = mysql_init(nullptr);
  mysql_options(m_handle->mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  const unsigned protocol = MYSQL_PROTOCOL_TCP;
  mysql_options(m_handle->mysql, MYSQL_OPT_PROTOCOL, &protocol);
  if (mysql_real_connect(m_handle->mysql,
                         s.mysql_host.c_str(),
                         s.mysql_user.c_str(),
                         s.mysql_password.c_str(),
                         database.empty() ? nullptr : database.c_str(),
                         static_cast<unsigned>(std::stoul(s.mysql_port)),
                         nullptr,
                         CLIENT_MULTI_STATEMENTS)
      == nullptr) {
    throw std::runtime_error(std::string("MySQL connect: ") + mysql_error(m_handle->mysql));
  }
  exec("SET time_zone = '+00:00'");
}

MysqlClient::~MysqlClient() {
  mysql_close(m_handle->mysql);
}

bool MysqlClient::is_mariadb() {
  return scalar("SELECT VERSION()").find("MariaDB") != std::string::npos;
}

void MysqlClient::allow_recursion(unsigned long long depth) {
  exec(std::string("SET SESSION ")
       + (is_mariadb() ? "max_recursive_iterations" : "cte_max_recursion_depth") + " = "
       + std::to_string(depth));
}

void MysqlClient::exec(const std::string& sql) {
  if (mysql_real_query(m_handle->mysql, sql.data(), sql.size()) != 0) {
    throw std::runtime_error("MySQL: " + std::string(mysql_error(m_handle->mysql)) + " in: " + sql);
  }
  // Drain every result of a multi-statement string.
  do {
    MYSQL_RES* result = mysql_store_result(m_handle->mysql);
    if (result != nullptr) {
      mysql_free_result(result);
    }
  } while (mysql_next_result(m_handle->mysql) == 0);
  if (mysql_errno(m_handle->mysql) != 0) {
    throw std::runtime_error("MySQL: " + std::string(mysql_error(m_handle->mysql)) + " in: " + sql);
  }
}

Rows MysqlClient::query(const std::string& sql) {
  if (mysql_real_query(m_handle->mysql, sql.data(), sql.size()) != 0) {
    throw std::runtime_error("MySQL: " + std::string(mysql_error(m_handle->mysql)) + " in: " + sql);
  }
  MYSQL_RES* result = mysql_store_result(m_handle->mysql);
  if (result == nullptr) {
    throw std::runtime_error("MySQL: no result for: " + sql);
  }
  Rows rows;
  const unsigned fields = mysql_num_fields(result);
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    const unsigned long* lengths = mysql_fetch_lengths(result);
    auto& out = rows.emplace_back();
    for (unsigned i = 0; i < fields; ++i) {
      if (row[i] == nullptr) {
        out.emplace_back(std::nullopt);
      } else {
        out.emplace_back(std::string(row[i], lengths[i]));
      }
    }
  }
  mysql_free_result(result);
  return rows;
}

std::string MysqlClient::scalar(const std::string& sql) {
  const auto rows = query(sql);
  return rows.at(0).at(0).value_or("NULL");
}

// ---- PgClient ----

struct PgClient::Handle {
  std::unique_ptr<pqxx::connection> connection;
};

PgClient::PgClient(const ServerSettings& s, const std::string& database)
    : m_handle(std::make_unique<Handle>()) {
  m_handle->connection = std::make_unique<pqxx::connection>(
      "host=" + s.pg_host + " port=" + s.pg_port + " user=" + s.pg_user
      + " password=" + s.pg_password + " dbname=" + (database.empty() ? "postgres" : database));
  exec("SET TimeZone = 'UTC'");
}

PgClient::~PgClient() = default;

void PgClient::exec(const std::string& sql) {
  pqxx::nontransaction tx(*m_handle->connection);
  tx.exec(sql);
}

Rows PgClient::query(const std::string& sql) {
  pqxx::nontransaction tx(*m_handle->connection);
  Rows rows;
  for (const auto& row : tx.exec(sql)) {
    auto& out = rows.emplace_back();
    for (const auto& field : row) {
      if (field.is_null()) {
        out.emplace_back(std::nullopt);
      } else {
        out.emplace_back(field.as<std::string>());
      }
    }
  }
  return rows;
}

std::string PgClient::scalar(const std::string& sql) {
  return query(sql).at(0).at(0).value_or("NULL");
}

// ---- processes ----

ProcessResult run_command(const std::string& command,
                          const std::map<std::string, std::string>& env) {
  std::string line;
  for (const auto& [name, value] : env) {
    line += name + "=" + shell_quote(value) + " ";
  }
  line += command + " 2>&1";
  ProcessResult result;
  FILE* pipe = ::popen(line.c_str(), "r");
  if (pipe == nullptr) {
    throw std::runtime_error("cannot run: " + command);
  }
  char buffer[4096];
  std::size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    result.output.append(buffer, read);
  }
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// ---- Process ----

Process::Process(const std::vector<std::string>& argv,
                 const fs::path& log,
                 const std::map<std::string, std::string>& env) {
  m_pid = ::fork();
  if (m_pid < 0) {
    throw std::runtime_error("fork failed");
  }
  if (m_pid == 0) {
    for (const auto& [name, value] : env) {
      ::setenv(name.c_str(), value.c_str(), 1);
    }
    FILE* out = std::freopen(log.c_str(), "a", stdout);
    if (out != nullptr) {
      ::dup2(::fileno(stdout), 2);
    }
    std::vector<char*> args;
    for (const auto& arg : argv) {
      args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
}

Process::~Process() {
  if (!m_done) {
    kill9();
  }
}

bool Process::running() {
  if (m_done) {
    return false;
  }
  struct rusage usage {};
  if (::wait4(m_pid, &m_status, WNOHANG, &usage) == m_pid) {
    m_done = true;
    m_max_rss_kib = usage.ru_maxrss;
  }
  return !m_done;
}

int Process::wait() {
  if (!m_done) {
    struct rusage usage {};
    ::wait4(m_pid, &m_status, 0, &usage);
    m_done = true;
    m_max_rss_kib = usage.ru_maxrss;
  }
  return WIFEXITED(m_status) ? WEXITSTATUS(m_status) : -WTERMSIG(m_status);
}

int Process::wait_for(std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (running()) {
    kill9();
    return -1;
  }
  return wait();
}

void Process::kill9() {
  if (!m_done) {
    ::kill(m_pid, SIGKILL);
    wait();
  }
}

// ---- TestDatabase ----

void TestDatabase::SetUp() {
  m_settings = server_settings();
  if (!m_settings) {
    if (env_or_empty("CI") == "true") {
      FAIL()
          << "CI=true but no test servers are configured (MIGRATE_MYSQL_HOST, MIGRATE_PG_HOST...)";
    }
    GTEST_SKIP() << "no test servers configured: run scripts/test.sh";
  }
  m_name = unique_name();
  m_dir = fs::temp_directory_path() / ("migrate-it-" + m_name);
  m_config_dir = m_dir / "config";
  fs::create_directories(m_config_dir);

  MysqlClient admin(*m_settings, "");
  admin.exec("CREATE DATABASE `" + m_name + "` CHARACTER SET utf8mb4");
  PgClient pg_admin(*m_settings, "");
  pg_admin.exec("CREATE DATABASE " + m_name + " TEMPLATE template0 ENCODING 'UTF8'");
  m_mysql = std::make_unique<MysqlClient>(*m_settings, m_name);
  m_pg = std::make_unique<PgClient>(*m_settings, m_name);

  std::ofstream(m_config_dir / "database.yaml")
      << "mysql:\n  host: ${MIGRATE_MYSQL_HOST}\n  port: ${MIGRATE_MYSQL_PORT}\n  database: "
      << m_name
      << "\n  username: ${MIGRATE_MYSQL_USER}\n  password: ${MIGRATE_MYSQL_PASSWORD}\n"
         "postgresql:\n  host: ${MIGRATE_PG_HOST}\n  port: ${MIGRATE_PG_PORT}\n  database: "
      << m_name << "\n  username: ${MIGRATE_PG_USER}\n  password: ${MIGRATE_PG_PASSWORD}\n";
  std::ofstream(m_config_dir / "migrate.yaml")
      << "state_file: ../state.db\nlogging:\n  file: ../logs/migrate.log\n";
  // The binary runs as production accounts do; the admin connections above only set up.
  m_run_env = least_privilege_accounts();
}

void TestDatabase::reconnect() {
  m_mysql = std::make_unique<MysqlClient>(*m_settings, m_name);
  m_pg = std::make_unique<PgClient>(*m_settings, m_name);
}

void TestDatabase::TearDown() {
  if (!m_settings || m_name.empty()) {
    return;
  }
  m_mysql.reset();
  m_pg.reset();
  try {
    MysqlClient admin(*m_settings, "");
    admin.exec("DROP DATABASE IF EXISTS `" + m_name + "`");
    if (!m_reader.empty()) {
      admin.exec("DROP USER IF EXISTS '" + m_reader + "'@'%'");
    }
    PgClient pg_admin(*m_settings, "");
    pg_admin.exec("DROP DATABASE IF EXISTS " + m_name + " WITH (FORCE)");
    if (!m_writer.empty()) {
      pg_admin.exec("DROP ROLE IF EXISTS " + m_writer);
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "cleanup: " << e.what();
  }
  if (!HasFailure()) {
    fs::remove_all(m_dir);
  }
}

std::map<std::string, std::string> TestDatabase::least_privilege_accounts(bool process) {
  const std::string password = "lp_" + m_name;
  if (m_reader.empty()) {
    m_reader = m_name + "_r";
    MysqlClient admin(*m_settings, "");
    admin.exec("CREATE USER '" + m_reader + "'@'%' IDENTIFIED BY '" + password + "'");
    admin.exec("GRANT SELECT ON `" + m_name + "`.* TO '" + m_reader + "'@'%'");
    if (process) {
      admin.exec("GRANT PROCESS ON *.* TO '" + m_reader + "'@'%'");
    }
    m_writer = m_name + "_w";
    PgClient pg_admin(*m_settings, "");
    pg_admin.exec("CREATE ROLE " + m_writer
                  + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '" + password + "'");
    // PostgreSQL 15's public schema belongs to pg_database_owner: the database's owner owns it.
    pg_admin.exec("ALTER DATABASE " + m_name + " OWNER TO " + m_writer);
  }
  return {{"MIGRATE_MYSQL_USER", m_reader},
          {"MIGRATE_MYSQL_PASSWORD", password},
          {"MIGRATE_PG_USER", m_writer},
          {"MIGRATE_PG_PASSWORD", password}};
}

void TestDatabase::write_mapping(const std::string& yaml) {
  std::ofstream(m_config_dir / "table_mapping.yaml") << yaml;
}

ProcessResult TestDatabase::migrate(const std::string& args,
                                    const std::map<std::string, std::string>& env) {
  auto merged = m_run_env;
  for (const auto& [key, value] : env) {
    merged[key] = value;
  }
  return run_command(
      std::string(MIGRATE_BINARY) + " --config " + shell_quote(m_config_dir) + " " + args, merged);
}

std::unique_ptr<Process> TestDatabase::start_migrate(const std::vector<std::string>& args,
                                                     const std::string& log_name) {
  std::vector<std::string> argv = {MIGRATE_BINARY, "--config", m_config_dir.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<Process>(argv, m_dir / log_name, m_run_env);
}

void TestDatabase::insert_items(int from, int to, const std::string& timestamp) {
  mysql().allow_recursion(10000000);
  mysql().exec("INSERT INTO items (id, payload, updated_at) WITH RECURSIVE seq (n) AS (SELECT "
               + std::to_string(from) + " UNION ALL SELECT n + 1 FROM seq WHERE n < "
               + std::to_string(to) + ") SELECT n, CONCAT('item ', n), " + timestamp + " FROM seq");
}

std::string TestDatabase::numbers(long long from, long long to) {
  mysql().allow_recursion(static_cast<unsigned long long>(to - from + 2));
  return "(WITH RECURSIVE numbers (seq) AS (SELECT " + std::to_string(from)
         + " UNION ALL SELECT seq + 1 FROM numbers WHERE seq < " + std::to_string(to)
         + ") SELECT seq FROM numbers) AS seq_rows";
}

void TestDatabase::create_numbered_table(const std::string& table, int rows) {
  mysql().exec("CREATE TABLE " + table
               + " (id INT PRIMARY KEY, payload VARCHAR(50) NOT NULL, updated_at TIMESTAMP(6) "
                 "NOT NULL)");
  mysql().allow_recursion(1000000);
  mysql().exec("INSERT INTO " + table + " WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n "
               + "+ 1 FROM seq WHERE n < " + std::to_string(rows)
               + ") SELECT n, CONCAT('row ', n), NOW(6) - INTERVAL 1 HOUR FROM seq");
}

bool TestDatabase::kill_after_next_commit(const std::string& table) {
  using namespace std::chrono_literals;
  const auto before = stored_position(table);
  auto child = start_migrate({});
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (child->running() && std::chrono::steady_clock::now() < deadline) {
    if (stored_position(table) != before) {
      break;
    }
    std::this_thread::sleep_for(2ms);
  }
  const bool was_running = child->running();
  child->kill9();
  return was_running;
}

std::string TestDatabase::stored_position(const std::string& table) {
  if (!fs::exists(state_file())) {
    return {};
  }
  try {
    SQLite::Database db(state_file().string(), SQLite::OPEN_READONLY);
    db.setBusyTimeout(5000);
    SQLite::Statement query(db,
                            "SELECT phase || '|' || coalesce(cursor_timestamp, '') || '|' || "
                            "cursor_key FROM table_state WHERE table_name = ?");
    query.bind(1, table);
    return query.executeStep() ? query.getColumn(0).getString() : std::string();
  } catch (const SQLite::Exception&) {
    return {}; // the run has not created its state yet
  }
}

std::map<std::string, std::string> TestDatabase::latest_run(const std::string& table) {
  SQLite::Database db(state_file().string(), SQLite::OPEN_READONLY);
  SQLite::Statement query(db, "SELECT * FROM runs WHERE table_name = ? ORDER BY id DESC LIMIT 1");
  query.bind(1, table);
  std::map<std::string, std::string> out;
  if (query.executeStep()) {
    for (int i = 0; i < query.getColumnCount(); ++i) {
      out[query.getColumnName(i)] = query.getColumn(i).getString();
    }
  }
  return out;
}

void TestDatabase::load_mysql_file(const fs::path& file,
                                   const std::map<std::string, std::string>& replacements) {
  std::ifstream in(file, std::ios::binary);
  ASSERT_TRUE(in) << "cannot read " << file;
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  for (const auto& [pattern, replacement] : replacements) {
    text = std::regex_replace(text, std::regex(pattern), replacement);
  }
  if (!mysql().is_mariadb()) {
    text =
        std::regex_replace(text, std::regex("max_recursive_iterations"), "cte_max_recursion_depth");
  }
  const auto copy = m_dir / file.filename();
  std::ofstream(copy, std::ios::binary) << text;
  const auto result =
      run_command("mariadb --default-character-set=utf8mb4 -h " + m_settings->mysql_host + " -P "
                      + m_settings->mysql_port + " -u " + m_settings->mysql_user + " " + m_name
                      + " < " + shell_quote(copy),
                  {{"MYSQL_PWD", m_settings->mysql_password}});
  ASSERT_EQ(result.exit_code, 0) << "loading " << file << ":\n" << result.output;
}

std::vector<ColumnInfo> TestDatabase::source_columns(const std::string& table) {
  std::vector<ColumnInfo> columns;
  for (const auto& row : mysql().query(
           "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, COALESCE(NUMERIC_PRECISION, '') "
           "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '"
           + table + "' ORDER BY ORDINAL_POSITION")) {
    columns.push_back(ColumnInfo{*row[0], *row[1], *row[2], *row[3]});
  }
  return columns;
}

std::vector<std::string> TestDatabase::mysql_dump(const std::string& table) {
  const auto columns = source_columns(table);
  std::string select;
  for (const auto& column : columns) {
    select += (select.empty() ? "" : ", ") + normalisers(column).first;
  }
  return to_lines(mysql().query("SELECT " + select + " FROM `" + table + "`"), columns);
}

std::vector<std::string> TestDatabase::pg_dump(const std::string& table,
                                               const std::string& target_table) {
  const auto columns = source_columns(table);
  std::string select;
  for (const auto& column : columns) {
    select += (select.empty() ? "" : ", ") + normalisers(column).second;
  }
  const auto target = target_table.empty() ? table : target_table;
  return to_lines(pg().query("SELECT " + select + " FROM \"" + target + "\""), columns);
}

void TestDatabase::expect_same_content(const std::string& table, const std::string& target_table) {
  const auto source = mysql_dump(table);
  const auto target = pg_dump(table, target_table);
  EXPECT_EQ(source.size(), target.size()) << "row count differs for " << table;
  std::size_t shown = 0;
  for (std::size_t i = 0; i < std::min(source.size(), target.size()) && shown < 5; ++i) {
    if (source[i] != target[i]) {
      ADD_FAILURE() << table << " differs:\n  mysql: " << source[i] << "\n  pg:    " << target[i];
      ++shown;
    }
  }
}

std::map<std::string, long long> TestDatabase::moved_by_latest_runs() {
  SQLite::Database db(state_file().string(), SQLite::OPEN_READONLY);
  SQLite::Statement query(
      db,
      "SELECT table_name, rows_inserted + rows_updated + rows_deleted FROM runs "
      "WHERE id IN (SELECT max(id) FROM runs GROUP BY table_name)");
  std::map<std::string, long long> out;
  while (query.executeStep()) {
    out[query.getColumn(0).getString()] = query.getColumn(1).getInt64();
  }
  return out;
}

long long TestDatabase::run_count(const std::string& table) {
  SQLite::Database db(state_file().string(), SQLite::OPEN_READONLY);
  SQLite::Statement query(db, "SELECT count(*) FROM runs WHERE table_name = ?");
  query.bind(1, table);
  query.executeStep();
  return query.getColumn(0).getInt64();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::optional<fs::path> sakila_dir() {
  const fs::path dir = fs::path(MIGRATE_SOURCE_DIR).parent_path() / "shared" / "data" / "sakila";
  if (fs::exists(dir / "sakila-schema.sql") && fs::exists(dir / "sakila-data.sql")) {
    return dir;
  }
  return std::nullopt;
}

fs::path test_data_dir() {
  return fs::path(MIGRATE_SOURCE_DIR) / "tests" / "data";
}

void wait_for_next_second(MysqlClient& mysql) {
  const auto start = mysql.scalar("SELECT UNIX_TIMESTAMP(NOW())");
  while (mysql.scalar("SELECT UNIX_TIMESTAMP(NOW())") == start) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

} // namespace migrate::testing
