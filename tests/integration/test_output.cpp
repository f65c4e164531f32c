// What people and scripts read: results on standard output and logs on standard error and in the
// log file, one line per event even for PostgreSQL's multi-line errors, --json documents, status
// and quarantine without the database variables, separate console and file levels, and
// configuration errors in the log file.
#include "support.hpp"

#include <fstream>
#include <regex>
#include <sstream>

namespace migrate::testing {
namespace {

namespace fs = std::filesystem;

struct Captured {
  int exit_code = -1;
  std::string out; // standard output alone
  std::string err; // standard error alone
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    out.push_back(line);
  }
  return out;
}

// status's table of tables: the lines before the blank one that precedes the success metrics.
std::vector<std::string> table_lines(const std::string& status) {
  return lines_of(status.substr(0, status.find("\n\n")));
}

// A log event as the logger writes it: time, level, then the message.
const std::regex k_log_line(
    R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:?\d\d (trace|debug|info|warning|error|critical) .*)");

class Output : public TestDatabase {
protected:
  // Runs migrate with standard output and standard error kept apart. `prefix` goes before the
  // binary (e.g. `env -u VAR`).
  Captured run(const std::string& args, const std::string& prefix = {}) {
    const auto out = dir() / "stdout.txt";
    const auto err = dir() / "stderr.txt";
    const auto result =
        run_command("{ " + prefix + " " + MIGRATE_BINARY + " --config "
                    + shell_quote(config_dir().string()) + " " + args + " >"
                    + shell_quote(out.string()) + " 2>" + shell_quote(err.string()) + "; }");
    return Captured{result.exit_code, read_text(out), read_text(err)};
  }

  fs::path log_file() const { return dir() / "logs" / "migrate.log"; }

  // Evaluates a Python expression over the JSON document `json` (bound to `d`).
  std::string json_eval(const std::string& json, const std::string& expression) {
    return testing::json_eval(dir() / "document.json", json, expression);
  }

  void write_migrate_yaml(const std::string& logging) {
    std::ofstream(config_dir() / "migrate.yaml")
        << "state_file: ../state.db\nlogging:\n  file: ../logs/migrate.log\n"
        << logging;
  }

  // Two tables that load: `users` with a timestamp column, `tags` without one.
  void two_good_tables() {
    mysql().exec("CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(40), updated_at "
                 "TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))");
    mysql().exec(
        "INSERT INTO users (id, name, updated_at) VALUES (1, 'ann', '2026-01-01 00:00:00'), "
        "(2, 'bob', '2026-01-01 00:00:01')");
    mysql().exec("CREATE TABLE tags (id INT PRIMARY KEY, label VARCHAR(20))");
    mysql().exec("INSERT INTO tags VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    map_good_tables();
  }

  void map_good_tables() {
    write_mapping("defaults:\n  lookback: 0s\ntables:\n"
                  "  - source_table: users\n    timestamp_column: updated_at\n    deletes: delete\n"
                  "  - source_table: tags\n");
  }

  // A table whose rows PostgreSQL refuses with a multi-line error: the target exists with a CHECK
  // that the MySQL values break (CHECK constraints are not part of the drift check).
  void one_failing_table() {
    mysql().exec("CREATE TABLE scores (id INT PRIMARY KEY, points INT)");
    mysql().exec("INSERT INTO scores VALUES (1, 5), (2, -3)");
    pg().exec("CREATE TABLE scores (id integer PRIMARY KEY, points integer CONSTRAINT "
              "\"points are never negative\" CHECK (points >= 0))");
    write_mapping("tables:\n  - source_table: scores\n");
  }
};

TEST_F(Output, AMultiLinePostgresErrorStaysOneLogLineAndOneStatusRow) {
  one_failing_table();
  const auto run_result = run("");
  ASSERT_EQ(run_result.exit_code, 1) << run_result.out << run_result.err;

  // The state file keeps PostgreSQL's full text, lines and all.
  const auto stored = latest_run("scores").at("error");
  ASSERT_TRUE(contains(stored, "\nDETAIL:")) << stored;

  const auto log = read_text(log_file());
  bool seen = false;
  for (const auto& line : lines_of(log)) {
    EXPECT_TRUE(std::regex_match(line, k_log_line)) << "not a log event: " << line;
    if (contains(line, "table=scores outcome=failed error=")) {
      seen = true;
      EXPECT_TRUE(contains(line, " | DETAIL:")) << line;
      EXPECT_TRUE(contains(line, R"(\"points are never negative\")")) << line;
    }
  }
  EXPECT_TRUE(seen) << log;
  for (const auto& line : lines_of(run_result.err)) {
    EXPECT_TRUE(std::regex_match(line, k_log_line)) << "not a log event: " << line;
  }

  const auto status = run("status");
  EXPECT_EQ(status.exit_code, 1) << status.out << status.err;
  const auto rows = table_lines(status.out);
  ASSERT_EQ(rows.size(), 2U) << status.out; // the header and the one table
  EXPECT_TRUE(contains(rows[1], "failed: ")) << rows[1];
  // The error's first line, cut: one failure does not make the table hundreds of characters wide.
  EXPECT_FALSE(contains(rows[1], "DETAIL:")) << rows[1];
  EXPECT_LT(rows[1].size(), 250U) << rows[1];

  // JSON carries the full text, escaped.
  const auto json = run("status --json");
  EXPECT_EQ(json_eval(json.out, "'\\nDETAIL:' in d['tables'][0]['last_run']['error']"), "True");
}

TEST_F(Output, ValidateWritesItsResultsToStandardOutput) {
  two_good_tables();
  ASSERT_EQ(run("").exit_code, 0);

  const auto report = dir() / "report.txt";
  // As a user types it; run_command() adds 2>&1 after the group, so the console is what it reads.
  const auto redirected = run_command("{ " + std::string(MIGRATE_BINARY) + " --config "
                                      + shell_quote(config_dir().string()) + " validate > "
                                      + shell_quote(report.string()) + "; }");
  EXPECT_EQ(redirected.exit_code, 0) << redirected.output;
  const auto text = read_text(report);
  ASSERT_FALSE(text.empty());
  const auto lines = lines_of(text);
  ASSERT_EQ(lines.size(), 4U) << text; // header, two tables, verdict
  EXPECT_TRUE(std::regex_search(lines[1], std::regex(R"(^users +2 +2 +in sync$)"))) << text;
  EXPECT_TRUE(std::regex_search(lines[2], std::regex(R"(^tags +3 +3 +in sync$)"))) << text;
  EXPECT_EQ(lines[3], "all 2 tables checked, 0 differing");
  // What went to the console is the log, not the table.
  EXPECT_FALSE(std::regex_search(redirected.output, std::regex(R"(users +2 +2 +in sync)")))
      << redirected.output;

  pg().exec("DELETE FROM tags WHERE id = 1");
  const auto mismatch = run("validate");
  EXPECT_EQ(mismatch.exit_code, 1);
  EXPECT_TRUE(std::regex_search(
      mismatch.out, std::regex(R"(\ntags +3 +2 +MISMATCH: 1 row missing in PostgreSQL\n)")))
      << mismatch.out;
  EXPECT_TRUE(contains(read_text(log_file()),
                       "table=tags validate=MISMATCH mysql_rows=3 "
                       "postgresql_rows=2"));
}

TEST_F(Output, ARunPrintsItsSummaryTableOnStandardOutput) {
  two_good_tables();
  const auto first = run("");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto lines = lines_of(first.out);
  ASSERT_EQ(lines.size(), 3U) << first.out;
  EXPECT_TRUE(contains(lines[0], "inserted")) << first.out;
  EXPECT_TRUE(std::regex_search(first.out, std::regex(R"(\nusers +initial +ok +2 +2 )")))
      << first.out;
  EXPECT_TRUE(contains(first.err, "run finished tables=2 failed=0")) << first.err;
  EXPECT_FALSE(contains(first.err, "unchanged ")) << first.err; // no table in the log
}

TEST_F(Output, JsonDocumentsForStatusValidateAndQuarantine) {
  two_good_tables();
  // A tinyint(1) of 7 cannot be a boolean: that row goes to the quarantine.
  mysql().exec("CREATE TABLE flags (id INT PRIMARY KEY, active TINYINT(1))");
  mysql().exec("INSERT INTO flags VALUES (1, 1), (2, 7)");
  write_mapping("defaults:\n  lookback: 0s\ntables:\n"
                "  - source_table: users\n    timestamp_column: updated_at\n"
                "  - source_table: tags\n  - source_table: flags\n");
  ASSERT_EQ(run("").exit_code, 0);

  const auto status = run("status --json");
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(json_eval(status.out, "len(d['tables'])"), "3");
  EXPECT_EQ(json_eval(status.out, "d['tables'][0]['table']"), "users");
  EXPECT_EQ(json_eval(status.out, "d['tables'][0]['last_run']['mode']"), "initial");
  EXPECT_EQ(json_eval(status.out, "d['tables'][0]['last_run']['inserted']"), "2");
  EXPECT_EQ(json_eval(status.out, "d['tables'][0]['position'] is not None"), "True");
  EXPECT_EQ(json_eval(status.out, "d['tables'][2]['quarantined']"), "1");

  const auto validate = run("validate --json");
  // flags lacks only its quarantined row: explained, not a mismatch.
  EXPECT_EQ(validate.exit_code, 0) << validate.err;
  EXPECT_EQ(json_eval(validate.out, "d['checksum'], d['ok'], d['differing']"), "(False, True, 0)");
  EXPECT_EQ(json_eval(validate.out,
                      "[(t['table'], t['result'], t['outcome'], t['mysql_rows'], "
                      "t['postgresql_rows'], t['quarantined']) for t in d['tables']]"),
            "[('users', 'ok', 'in sync', 2, 2, 0), ('tags', 'ok', 'in sync', 3, 3, 0), "
            "('flags', 'ok', 'quarantine', 2, 1, 1)]");
  EXPECT_EQ(json_eval(validate.out, "d['tables'][2]['summary']"), "1 in quarantine");

  const auto checksum = run("validate --checksum --json --table users --table tags");
  EXPECT_EQ(checksum.exit_code, 0) << checksum.err;
  EXPECT_EQ(json_eval(checksum.out, "d['checksum'], d['ok']"), "(True, True)");
  EXPECT_EQ(json_eval(checksum.out,
                      "[(t['table'], t['result'], t['mysql_rows'], t['exact'], "
                      "t['chunks_differing'], t['partly_compared']) for t in d['tables']]"),
            "[('users', 'ok', 2, True, [], []), ('tags', 'ok', 3, True, [], [])]");
  EXPECT_EQ(json_eval(checksum.out, "all(t['chunks'] >= 1 for t in d['tables'])"), "True");

  const auto quarantine = run("quarantine --json");
  EXPECT_EQ(quarantine.exit_code, 0) << quarantine.err;
  EXPECT_EQ(json_eval(quarantine.out, "d['total'], len(d['rows'])"), "(1, 1)");
  EXPECT_EQ(json_eval(quarantine.out,
                      "d['rows'][0]['table'], d['rows'][0]['key'], "
                      "d['rows'][0]['column'], d['rows'][0]['raw_hex']"),
            "('flags', 'id=2', 'active', '37')");
  EXPECT_EQ(json_eval(quarantine.out, "len(d['rows'][0]['reason']) > 0"), "True");
}

TEST_F(Output, StatusAndQuarantineNeedNoDatabaseVariables) {
  two_good_tables();
  ASSERT_EQ(run("").exit_code, 0);
  const std::string unset = "env -u MIGRATE_MYSQL_HOST -u MIGRATE_MYSQL_PORT -u MIGRATE_MYSQL_USER "
                            "-u MIGRATE_MYSQL_PASSWORD -u MIGRATE_PG_HOST -u MIGRATE_PG_PORT "
                            "-u MIGRATE_PG_USER -u MIGRATE_PG_PASSWORD";
  // The variables are really gone: a command that connects cannot start.
  const auto validate = run("validate", unset);
  EXPECT_EQ(validate.exit_code, 2);
  EXPECT_TRUE(contains(validate.err, "is not set")) << validate.err;

  const auto status = run("status", unset);
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_TRUE(std::regex_search(status.out, std::regex(R"(\nusers +.* initial +2 )")))
      << status.out;
  EXPECT_TRUE(std::regex_search(status.out, std::regex(R"(\ntags +)"))) << status.out;

  const auto quarantine = run("quarantine", unset);
  EXPECT_EQ(quarantine.exit_code, 0) << quarantine.err;
  EXPECT_EQ(quarantine.out, "quarantined rows: 0\n");
  const auto one = run("quarantine --table tags --json", unset);
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(json_eval(one.out, "d['total']"), "0");
}

TEST_F(Output, ConsoleLevelWarnKeepsInfoOutOfStandardErrorButInTheLogFile) {
  two_good_tables();
  write_migrate_yaml("  console_level: warn\n");
  const auto result = run("");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_TRUE(contains(result.out, "users")) << result.out; // the summary is a result
  const auto log = read_text(log_file());
  EXPECT_TRUE(contains(log, " info table=users mode=initial outcome=ok")) << log;
  EXPECT_TRUE(contains(log, " info run finished tables=2")) << log;

  // A problem still reaches the console.
  mysql().exec("DROP TABLE tags");
  const auto failing = run("");
  EXPECT_EQ(failing.exit_code, 1);
  EXPECT_TRUE(contains(failing.err, " error table=tags outcome=failed")) << failing.err;
  EXPECT_FALSE(contains(failing.err, " info ")) << failing.err;
}

// logging.format in migrate.yaml: the timer's run and a DBA's commands log alike without a flag,
// so the log file never mixes text and JSON lines; a flag still overrides it.
TEST_F(Output, LoggingFormatJsonFromMigrateYamlMakesEveryLineOneObjectWithAMessage) {
  two_good_tables();
  write_migrate_yaml("  format: json\n");
  const auto result = run("");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto log = read_text(log_file());
  std::string lines;
  for (const auto& line : lines_of(log)) {
    lines += (lines.empty() ? "" : ",") + line;
  }
  const auto messages = json_eval("[" + lines + "]",
                                  "[l['message'] for l in d if l.get('table') == 'users' and "
                                  "l.get('outcome') == 'ok'][0]");
  EXPECT_TRUE(contains(messages, "table=users mode=initial outcome=ok")) << log;
  for (const auto& line : lines_of(result.err)) {
    EXPECT_EQ(line.rfind("{\"time\":", 0), 0U) << line;
  }
  const auto text = run("--log-format text status");
  EXPECT_EQ(text.exit_code, 0) << text.err;
  write_migrate_yaml("  format: yaml\n");
  const auto refused = run("status");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_TRUE(contains(refused.err, "logging.format: expected text or json, got 'yaml'"))
      << refused.err;
}

TEST_F(Output, QuietShowsOnlyWarningsErrorsAndResults) {
  two_good_tables();
  const auto result = run("--quiet");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(lines_of(result.out).size(), 3U) << result.out;
  EXPECT_TRUE(contains(read_text(log_file()), " info run finished tables=2")); // file level: info

  const auto status = run("status -q");
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_EQ(status.err, "");
  EXPECT_EQ(table_lines(status.out).size(), 3U) << status.out;
}

TEST_F(Output, ConfigurationAndUsageErrorsReachTheLogFile) {
  two_good_tables();
  write_mapping("tables:\n  - source_table: users\n    batchsize: 10\n");
  const auto config_error = run("");
  EXPECT_EQ(config_error.exit_code, 2);
  EXPECT_TRUE(contains(config_error.err, "batchsize: unknown key")) << config_error.err;
  EXPECT_TRUE(contains(read_text(log_file()), " error ")) << read_text(log_file());
  EXPECT_TRUE(contains(read_text(log_file()), "tables[0].batchsize: unknown key"));

  map_good_tables();
  const auto unknown_table = run("--table nosuch");
  EXPECT_EQ(unknown_table.exit_code, 2);
  EXPECT_TRUE(contains(read_text(log_file()), "--table nosuch: no such table"));

  const auto misuse = run("status --full");
  EXPECT_EQ(misuse.exit_code, 2);
  EXPECT_TRUE(contains(read_text(log_file()), "apply to a run, not to a subcommand"));

  // A broken migrate.yaml is reported in the default log file, beside the configuration directory.
  fs::remove(log_file());
  write_migrate_yaml("  level: loud\n");
  const auto settings_error = run("status");
  EXPECT_EQ(settings_error.exit_code, 2);
  EXPECT_TRUE(contains(settings_error.err, "logging.level")) << settings_error.err;
  EXPECT_TRUE(contains(read_text(log_file()), "logging.level: expected one of"))
      << read_text(log_file());
}

// The start of each column of the header, as offsets.
std::map<std::string, std::size_t> header_offsets(const std::string& header,
                                                  const std::vector<std::string>& names) {
  std::map<std::string, std::size_t> out;
  for (const auto& name : names) {
    out[name] = header.find(name);
  }
  return out;
}

TEST_F(Output, StatusColumnsStayAlignedWithALongModeAndSayPosition) {
  two_good_tables();
  ASSERT_EQ(run("").exit_code, 0);
  mysql().exec("UPDATE users SET name = 'cy', updated_at = '2026-01-02 00:00:00' WHERE id = 2");
  const auto second = run("");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  ASSERT_EQ(latest_run("users").at("mode"), "incremental+compare");

  const auto status = run("status");
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const auto lines = table_lines(status.out);
  ASSERT_EQ(lines.size(), 3U) << status.out;
  EXPECT_TRUE(contains(status.out, "success metric")) << status.out;
  EXPECT_TRUE(contains(lines[0], "position")) << lines[0];
  EXPECT_FALSE(contains(lines[0], "watermark")) << lines[0];
  // Left-aligned columns start where their header starts; right-aligned ones end where it ends.
  const auto left = header_offsets(lines[0], {"position", "last run (UTC)", "mode", "outcome"});
  const auto right = header_offsets(lines[0], {"moved", "quarantined", "seconds"});
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto& line = lines[i];
    for (const auto& [name, at] : left) {
      ASSERT_NE(at, std::string::npos) << name;
      ASSERT_GT(line.size(), at) << line;
      EXPECT_TRUE(line[at] != ' ' && line.substr(at - 2, 2) == "  ") << name << " misaligned:\n"
                                                                     << status.out;
    }
    for (const auto& [name, at] : right) {
      const auto end = at + name.size();
      EXPECT_TRUE(line[end - 1] != ' ' && line[end] == ' ') << name << " misaligned:\n"
                                                            << status.out;
    }
  }
  EXPECT_TRUE(contains(lines[1], "incremental+compare")) << status.out;
}

} // namespace
} // namespace migrate::testing
