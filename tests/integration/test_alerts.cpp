// What a DBA reads on Monday: alerts by mail and webhook after a run (to real local SMTP and HTTP
// servers), history, status's data age against max_age, the metrics textfile and JSON logs; and a
// dead mail server that neither hangs a run nor changes its exit code.
#include "support.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace migrate::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string k_sink = std::string(MIGRATE_SOURCE_DIR) + "/scripts/alert-sink.py";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A local SMTP or HTTP server (scripts/alert-sink.py) on a free port of 18400-18499.
struct Sink {
  std::unique_ptr<Process> process;
  int port = 0;
  fs::path dir;
};

class Alerts : public TestDatabase {
protected:
  void SetUp() override {
    TestDatabase::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    mysql().exec("CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(20), "
                 "updated_at DATETIME NOT NULL)");
    mysql().exec("INSERT INTO users VALUES (1, 'ann', '2026-01-01 00:00:00'), "
                 "(2, 'bob', '2026-01-01 00:00:00')");
  }

  Sink start_sink(const std::string& kind, const std::map<std::string, std::string>& env = {}) {
    static int next = static_cast<int>(::getpid() % 100);
    for (int attempt = 0; attempt < 100; ++attempt) {
      Sink sink;
      sink.port = 18400 + (next++ % 100);
      sink.dir = dir() / (kind + "-" + std::to_string(sink.port));
      fs::create_directories(sink.dir);
      sink.process = std::make_unique<Process>(
          std::vector<std::string>{
              "/usr/bin/python3", k_sink, kind, std::to_string(sink.port), sink.dir.string(), "90"},
          sink.dir / "sink.log",
          env);
      const auto deadline = std::chrono::steady_clock::now() + 15s;
      while (std::chrono::steady_clock::now() < deadline && sink.process->running()
             && !fs::exists(sink.dir / "ready")) {
        std::this_thread::sleep_for(50ms);
      }
      if (fs::exists(sink.dir / "ready")) {
        return sink;
      }
      sink.process->kill9(); // the port was taken: try the next
    }
    ADD_FAILURE() << "no free port for the " << kind << " sink in 18400-18499";
    return {};
  }

  // The files the sink received with `suffix`, waiting (bounded) until there are `count`.
  std::vector<std::string>
  received(const Sink& sink, const std::string& suffix, std::size_t count) {
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    std::vector<std::string> out;
    do {
      out.clear();
      std::vector<fs::path> files;
      for (const auto& entry : fs::directory_iterator(sink.dir)) {
        if (entry.path().extension() == suffix) {
          files.push_back(entry.path());
        }
      }
      std::sort(files.begin(), files.end());
      for (const auto& file : files) {
        out.push_back(read_text(file));
      }
    } while (out.size() < count && std::chrono::steady_clock::now() < deadline
             && (std::this_thread::sleep_for(50ms), true));
    return out;
  }

  void write_settings(const std::string& extra) {
    std::ofstream(config_dir() / "migrate.yaml")
        << "state_file: ../state.db\nlogging:\n  file: ../logs/migrate.log\n"
        << extra;
  }

  // Evaluates a Python expression over the JSON text (bound to `d`).
  std::string json_eval(const std::string& json, const std::string& expression) {
    const auto file = dir() / "document.json";
    std::ofstream(file) << json;
    auto result =
        run_command("/usr/bin/python3 -c \"import json,sys; d=json.load(open(sys.argv[1]));"
                    " print(("
                    + expression + "))\" '" + file.string() + "'");
    EXPECT_EQ(result.exit_code, 0) << json << "\n" << result.output;
    while (!result.output.empty() && result.output.back() == '\n') {
      result.output.pop_back();
    }
    return result.output;
  }

  // The binary as migrate() runs it, killed after a minute: a hung alert must not hang the test.
  ProcessResult bounded(const std::string& args, std::map<std::string, std::string> env = {}) {
    return run_command("timeout 60 " + std::string(MIGRATE_BINARY) + " --config '"
                           + config_dir().string() + "' " + args,
                       run_env(std::move(env)));
  }

  std::vector<std::string> passwords() const {
    std::vector<std::string> out;
    for (const auto& [name, value] : run_env()) {
      if (contains(name, "PASSWORD") && !value.empty()) {
        out.push_back(value);
      }
    }
    return out;
  }
};

TEST_F(Alerts, AFailedTableIsMailedAndPostedWithTheSummaryAndNoSecret) {
  const auto smtp = start_sink("smtp");
  const auto http = start_sink("http");
  ASSERT_FALSE(HasFailure());
  write_mapping("tables:\n  - source_table: users\n    timestamp_column: updated_at\n"
                "  - source_table: no_such_table\n");
  write_settings("metrics: {textfile: ../metrics.prom}\nnotify:\n  email:\n"
                 "    smtp_url: ${TEST_SMTP_URL}\n    from: migrate@example.com\n"
                 "    to: [dba@example.com]\n  webhook:\n    url: ${TEST_HOOK_URL}\n");
  const auto started = std::chrono::steady_clock::now();
  const auto run = bounded(
      "",
      {{"TEST_SMTP_URL", "smtp://127.0.0.1:" + std::to_string(smtp.port)},
       {"TEST_HOOK_URL", "http://127.0.0.1:" + std::to_string(http.port) + "/T0/B0/hooksecret"}});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 60s);

  const auto mails = received(smtp, ".eml", 1);
  ASSERT_EQ(mails.size(), 1U) << run.output;
  const auto& mail = mails[0];
  const auto subject = mail.substr(
      mail.find("Subject: "), mail.find("\r\n", mail.find("Subject: ")) - mail.find("Subject: "));
  EXPECT_TRUE(contains(subject, "migrate FAILED")) << subject;
  EXPECT_TRUE(contains(subject, "1 of 2 tables failed (no_such_table)")) << subject;
  EXPECT_TRUE(contains(mail, "To: dba@example.com")) << mail;
  EXPECT_TRUE(
      std::regex_search(mail, std::regex("\r\nMessage-ID: <migrate\\.[0-9]+\\.[0-9a-f]{16}@")))
      << mail;
  EXPECT_TRUE(contains(mail, "Date: ")) << mail;
  EXPECT_TRUE(std::regex_search(mail, std::regex("\r\nusers +first load +ok +2 +2 "))) << mail;
  EXPECT_TRUE(contains(mail, "\r\n  no_such_table: ")) << mail;
  EXPECT_TRUE(contains(mail, "migrate history --table no_such_table")) << mail;
  for (const auto& password : passwords()) {
    EXPECT_FALSE(contains(mail, password)) << "a password in the mail";
  }
  EXPECT_FALSE(contains(mail, "hooksecret"));

  const auto posts = received(http, ".json", 1);
  ASSERT_EQ(posts.size(), 1U) << run.output;
  EXPECT_EQ(json_eval(posts[0], "'no_such_table' in d['text'] and 'users' in d['text']"), "True");
  EXPECT_EQ(json_eval(posts[0], "d['outcome'], d['failed_tables']"),
            "('failed', ['no_such_table'])");
  for (const auto& password : passwords()) {
    EXPECT_FALSE(contains(posts[0], password)) << "a password in the webhook";
  }

  // The history names the run and the failed table's error; the metrics have both tables.
  const auto history = bounded("history --json");
  EXPECT_EQ(history.exit_code, 0) << history.output;
  EXPECT_EQ(json_eval(history.output,
                      "[(r['tables_ok'], r['tables_failed'], r['rows_moved'], "
                      "r['exit_code'], r['notify_failures']) for r in d['runs']]"),
            "[(1, 1, 2, 1, 0)]");
  const auto table_history = bounded("history --table no_such_table");
  EXPECT_EQ(table_history.exit_code, 0);
  EXPECT_TRUE(contains(table_history.output, "failed")) << table_history.output;
  EXPECT_TRUE(contains(table_history.output, "no_such_table")) << table_history.output;
  const auto metrics = read_text(dir() / "metrics.prom");
  EXPECT_TRUE(contains(metrics, "migrate_table_rows_inserted{table=\"users\"} 2\n")) << metrics;
  EXPECT_TRUE(contains(
      metrics, "migrate_table_last_run_outcome{table=\"no_such_table\",outcome=\"failed\"} 1\n"))
      << metrics;
  EXPECT_TRUE(contains(metrics, "migrate_run_exit_code 1\n")) << metrics;
}

// The weekly run's whole flow: sync, compare what was synced (validate_after), then one mail that
// opens with the verdict and carries the HTML report; a difference found afterwards is said in
// the subject and the first line, and fails the run.
TEST_F(Alerts, AWeeklyRunValidatesWhatItSyncedAndMailsTheVerdictWithTheReport) {
  const auto smtp = start_sink("smtp");
  ASSERT_FALSE(HasFailure());
  // No comparison on the second run and no lookback: a row deleted by hand stays missing.
  write_mapping("tables:\n  - source_table: users\n    timestamp_column: updated_at\n"
                "    compare_every: 4\n    lookback: 0s\n");
  write_settings("validate_after: counts\nnotify:\n  email:\n    smtp_url: ${TEST_SMTP_URL}\n"
                 "    from: migrate@example.com\n    to: [dba@example.com]\n    on: [always]\n");
  const std::map<std::string, std::string> env{
      {"TEST_SMTP_URL", "smtp://127.0.0.1:" + std::to_string(smtp.port)}};
  const auto first = bounded("", env);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  auto mails = received(smtp, ".eml", 1);
  ASSERT_EQ(mails.size(), 1U) << first.output;
  // The text part's body: after the blank line that ends its headers.
  const auto body = [](const std::string& mail) {
    const auto part = mail.find("Content-Type: text/plain");
    const auto text = part == std::string::npos ? part : mail.find("\r\n\r\n", part);
    return text == std::string::npos ? std::string() : mail.substr(text + 4);
  };
  EXPECT_TRUE(std::regex_search(body(mails[0]),
                                std::regex("^PostgreSQL matches MySQL as of \\d{4}-\\d\\d-\\d\\d "
                                           "\\d\\d:\\d\\d UTC \\(row counts\\): 1 table, 0 "
                                           "differing, 0 rows in quarantine\r\n")))
      << mails[0];
  EXPECT_TRUE(contains(mails[0], "Compared after the run:\r\n  users (row counts): ")) << mails[0];
  // A MIME mail a client reads: the text, and the report as an attachment.
  const auto eml = dir() / "first.eml";
  std::ofstream(eml, std::ios::binary) << mails[0];
  const auto parsed = run_command(
      "/usr/bin/python3 -c \"import email,sys; m=email.message_from_binary_file(open(sys.argv[1],"
      "'rb')); a=[p for p in m.walk() if p.get_filename()]; print(m.get_content_type(), "
      "a[0].get_filename(), 'Are we in sync?' in a[0].get_payload(decode=True).decode())\" "
      + eml.string());
  EXPECT_EQ(parsed.output, "multipart/mixed migrate-report.html True\n") << parsed.output;
  EXPECT_EQ(bounded("status --json", env).exit_code, 0);

  pg().exec("DELETE FROM users WHERE id = 1"); // by hand; MySQL still has it
  const auto second = bounded("", env);
  EXPECT_EQ(second.exit_code, 1) << second.output;
  mails = received(smtp, ".eml", 2);
  ASSERT_EQ(mails.size(), 2U) << second.output;
  const auto& differs =
      mails[1].find("PostgreSQL differs from MySQL in 1 table (users)") != std::string::npos
          ? mails[1]
          : mails[0];
  EXPECT_TRUE(contains(differs, "Subject: migrate on ")) << differs;
  EXPECT_TRUE(
      std::regex_search(body(differs),
                        std::regex("^PostgreSQL differs from MySQL as of [^\r]*: 1 table, 1 "
                                   "differing, 0 rows in quarantine\r\n")))
      << differs;
  // Stored as `migrate validate` stores it.
  const auto history = bounded("status --json", env);
  EXPECT_EQ(json_eval(history.output, "d['tables'][0]['last_validation']['outcome']"), "mismatch");
}

TEST_F(Alerts, AHungMailServerNeitherHangsAGoodRunNorChangesItsExitCode) {
  const auto silent = start_sink("silent");
  ASSERT_FALSE(HasFailure());
  write_mapping("tables:\n  - source_table: users\n    timestamp_column: updated_at\n");
  write_settings("notify:\n  connect_timeout: 2s\n  timeout: 3s\n  email:\n"
                 "    smtp_url: smtp://127.0.0.1:"
                 + std::to_string(silent.port)
                 + "\n"
                   "    from: migrate@example.com\n    to: [dba@example.com]\n    on: [always]\n");
  const auto started = std::chrono::steady_clock::now();
  const auto run = bounded("--log-format json");
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_LT(took, 30s) << "the alert's timeout bounds the wait";

  // Every log line is a JSON object; the failed alert is one of them, and counted in the history.
  const auto log = dir() / "logs" / "migrate.log";
  const auto check = run_command("/usr/bin/python3 -c \"import json,sys\n"
                                 "lines=[json.loads(l) for l in open(sys.argv[1])]\n"
                                 "print(any(l['message']=='notify failed' and l['level']=="
                                 "'warning' for l in lines))\" '"
                                 + log.string() + "'");
  EXPECT_EQ(check.output, "True\n") << read_text(log);
  const auto history = bounded("history --json");
  EXPECT_EQ(json_eval(history.output, "d['runs'][0]['notify_failures'], d['runs'][0]['exit_code']"),
            "(1, 0)");
}

TEST_F(Alerts, ARunStoppedByItsStateFileIsMailedWithTheReason) {
  const auto smtp = start_sink("smtp");
  ASSERT_FALSE(HasFailure());
  write_mapping("tables:\n  - source_table: users\n    timestamp_column: updated_at\n");
  write_settings("notify:\n  email:\n    smtp_url: smtp://127.0.0.1:" + std::to_string(smtp.port)
                 + "\n    from: migrate@example.com\n    to: [dba@example.com]\n");
  // A file where the state file's directory should be: neither the lock nor the file can be made.
  std::ofstream(dir() / "not-a-directory") << "x";
  const auto run = bounded("--state '" + (dir() / "not-a-directory" / "state.db").string() + "'");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  const auto mails = received(smtp, ".eml", 1);
  ASSERT_EQ(mails.size(), 1U) << run.output;
  EXPECT_TRUE(contains(mails[0], "Subject: migrate FAILED on ")) << mails[0];
  EXPECT_TRUE(contains(mails[0], "the run stopped: run lock ")) << mails[0];
}

TEST_F(Alerts, NotifyTestSendsOnEveryChannelAndFailsWhenOneFails) {
  const auto smtp = start_sink("smtp");
  const auto http = start_sink("http");
  ASSERT_FALSE(HasFailure());
  write_mapping("tables:\n  - source_table: users\n");
  write_settings("notify:\n  email:\n    smtp_url: smtp://127.0.0.1:" + std::to_string(smtp.port)
                 + "\n    from: migrate@example.com\n    to: [dba@example.com]\n"
                   "  webhook:\n    url: http://127.0.0.1:"
                 + std::to_string(http.port) + "/x\n");
  const auto ok = bounded("notify --test");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  const auto mails = received(smtp, ".eml", 1);
  ASSERT_EQ(mails.size(), 1U);
  EXPECT_TRUE(contains(mails[0], "Subject: migrate test message from ")) << mails[0];
  EXPECT_EQ(received(http, ".json", 1).size(), 1U);

  // A webhook that answers 404 (no such path on a mail server's port is a refused POST too).
  write_settings("notify:\n  connect_timeout: 2s\n  timeout: 3s\n  email:\n"
                 "    smtp_url: smtp://127.0.0.1:"
                 + std::to_string(smtp.port)
                 + "\n    from: migrate@example.com\n    to: [dba@example.com]\n"
                   "  webhook:\n    url: http://127.0.0.1:"
                 + std::to_string(smtp.port) + "/x\n");
  const auto failed = bounded("notify --test");
  EXPECT_EQ(failed.exit_code, 1) << failed.output;
  EXPECT_TRUE(
      contains(failed.output, "webhook http://127.0.0.1:" + std::to_string(smtp.port) + ": FAILED"))
      << failed.output;
  EXPECT_EQ(received(smtp, ".eml", 2).size(), 2U) << "the mail still went";
}

TEST_F(Alerts, StatusFlagsDataOlderThanMaxAgeAndExitsOne) {
  write_mapping("tables:\n  - source_table: users\n    timestamp_column: updated_at\n");
  ASSERT_EQ(bounded("").exit_code, 0);
  write_settings("max_age: 1d\n");
  const auto fresh = bounded("status --json");
  EXPECT_EQ(fresh.exit_code, 0) << fresh.output;
  EXPECT_EQ(
      json_eval(fresh.output, "d['tables'][0]['stale'], d['tables'][0]['data_age_seconds'] < 60"),
      "(False, True)");
  std::this_thread::sleep_for(2100ms);
  write_settings("max_age: 1s\n");
  const auto stale = bounded("status");
  EXPECT_EQ(stale.exit_code, 1) << stale.output;
  EXPECT_TRUE(contains(stale.output, "STALE (max_age 1s)")) << stale.output;
}

// A CA and a certificate for 127.0.0.1 that it signed, made with the openssl CLI in dir()/tls.
void make_certificates(const fs::path& tls) {
  fs::create_directories(tls);
  const auto t = "'" + tls.string() + "'";
  const auto made = run_command(
      "set -e; cd " + t
      + "; openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 "
        "-subj /CN=migrate-test-ca 2>/dev/null; openssl req -newkey rsa:2048 -nodes -keyout "
        "server.key -out server.csr -subj /CN=127.0.0.1 2>/dev/null; printf "
        "'subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\n' > ext; openssl x509 -req "
        "-in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile "
        "ext 2>/dev/null");
  ASSERT_EQ(made.exit_code, 0) << made.output;
}

TEST_F(Alerts, MailGoesOverStartTlsToAServerWhoseCertificateIsChecked) {
  const auto tls = dir() / "tls";
  make_certificates(tls);
  ASSERT_FALSE(HasFatalFailure());
  const auto smtp = start_sink("smtp",
                               {{"SINK_TLS_CERT", (tls / "server.pem").string()},
                                {"SINK_TLS_KEY", (tls / "server.key").string()}});
  ASSERT_FALSE(HasFailure());
  write_mapping("tables:\n  - source_table: users\n");
  const auto email = "  email:\n    smtp_url: smtp://127.0.0.1:" + std::to_string(smtp.port)
                     + "\n    from: migrate@example.com\n    to: [dba@example.com]\n";
  write_settings("notify:\n  ca_file: ../tls/ca.pem\n" + email);
  const auto ok = bounded("notify --test");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  ASSERT_EQ(received(smtp, ".eml", 1).size(), 1U) << "the sink refuses mail without STARTTLS";

  // Without the CA the server's certificate is not trusted: nothing is sent.
  write_settings("notify:\n  connect_timeout: 2s\n  timeout: 5s\n" + email);
  const auto untrusted = bounded("notify --test");
  EXPECT_EQ(untrusted.exit_code, 1) << untrusted.output;
  EXPECT_TRUE(contains(untrusted.output, "certificate")) << untrusted.output;
  EXPECT_EQ(received(smtp, ".eml", 1).size(), 1U);
}

TEST_F(Alerts, ACredentialIsNeverSentToAServerWithoutTls) {
  const auto smtp = start_sink("smtp");
  ASSERT_FALSE(HasFailure());
  write_mapping("tables:\n  - source_table: users\n");
  write_settings("notify:\n  connect_timeout: 2s\n  timeout: 5s\n  email:\n"
                 "    smtp_url: smtp://127.0.0.1:"
                 + std::to_string(smtp.port)
                 + "\n    username: alerts\n    password: ${TEST_SMTP_PASSWORD}\n"
                   "    from: migrate@example.com\n    to: [dba@example.com]\n");
  const auto refused = bounded("notify --test", {{"TEST_SMTP_PASSWORD", "smtp-pw-4242"}});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_FALSE(contains(refused.output, "smtp-pw-4242")) << refused.output;
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(received(smtp, ".eml", 0).empty());
}

} // namespace
} // namespace migrate::testing
