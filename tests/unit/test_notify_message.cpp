// The alert's text: the subject names the outcome and the failed tables, the body has the summary,
// the first error line, quarantine counts and stale tables, and never a secret or a row value.
#include "migrate/core/error.hpp"
#include "migrate/notify/channel.hpp"
#include "migrate/notify/message.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using namespace migrate;
using namespace migrate::notify;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TableReport table(const std::string& name, Outcome outcome, const std::string& error = {}) {
  TableReport t;
  t.result.table = name;
  t.result.outcome = outcome;
  t.result.mode = RunMode{Pass::incremental, false};
  if (!error.empty()) {
    t.result.error =
        Error(ErrorArea::target, error, ErrorContext{.table = name, .sqlstate = "23505"});
  }
  t.result.counts.rows_read = 120;
  t.result.counts.inserted = 100;
  t.result.counts.updated = 20;
  t.result.started = std::chrono::system_clock::from_time_t(1793491200);
  t.result.finished = t.result.started + 3s;
  return t;
}

RunReport report_with_a_failure() {
  RunReport report;
  report.invocation_id = 17;
  report.host = "db1";
  report.started = std::chrono::system_clock::from_time_t(1793491200);
  report.finished = report.started + 5s;
  report.exit_code = 1;
  report.max_age = 8 * 24h;
  report.tables.push_back(table("users", Outcome::ok));
  report.tables.push_back(table("orders",
                                Outcome::failed,
                                "ERROR: duplicate key value violates unique constraint\n"
                                "DETAIL: Key (email)=(alice@example.com) already exists.\n"));
  report.tables[0].result.counts.quarantined = 2;
  report.tables[0].quarantine_held = 5;
  report.stale.push_back({"countries", 9 * 24h + 2h});
  return report;
}

TEST(NotifyMessage, SubjectNamesTheOutcomeTheHostAndTheFailedTables) {
  const auto message = compose(report_with_a_failure(), {});
  EXPECT_TRUE(message.failure);
  EXPECT_TRUE(contains(message.subject, "FAILED")) << message.subject;
  EXPECT_TRUE(contains(message.subject, "db1")) << message.subject;
  EXPECT_TRUE(contains(message.subject, "1 of 2 tables failed (orders)")) << message.subject;
  EXPECT_TRUE(contains(message.subject, "countries older than 8d 0h")) << message.subject;
  EXPECT_EQ(message.failed_tables, std::vector<std::string>{"orders"});
}

TEST(NotifyMessage, BodyHasTheSummaryTheFirstErrorLineQuarantineAndStaleTables) {
  const auto text = compose(report_with_a_failure(), {}).text;
  EXPECT_TRUE(contains(text, "migrate run 17 on db1: FAILED, exit code 1")) << text;
  EXPECT_TRUE(contains(text, "table")) << text;
  EXPECT_TRUE(contains(text, "\nusers   changes since last run  ok        120       100")) << text;
  EXPECT_FALSE(contains(text, "incremental")) << "plain words, not the tool's own";
  EXPECT_TRUE(contains(text, "orders: ERROR: duplicate key value violates unique constraint\n"))
      << text << "(the line ends with the message: no table= or sqlstate= after it)";
  EXPECT_TRUE(contains(text, "users: 2 rows this run, 5 set aside in all")) << text;
  EXPECT_TRUE(contains(text, "countries: 9d 2h old")) << text;
  EXPECT_TRUE(contains(text, "migrate history --table orders")) << text;
}

TEST(NotifyMessage, NeverCarriesARowValueFromAnErrorsDetail) {
  const auto message = compose(report_with_a_failure(), {});
  EXPECT_FALSE(contains(message.text, "alice@example.com")) << message.text;
  EXPECT_FALSE(contains(message.text, "DETAIL")) << message.text;
}

TEST(NotifyMessage, RedactsEverySecretEvenInsideAnError) {
  auto report = report_with_a_failure();
  report.tables[1].result.error =
      Error(ErrorArea::target, "connection to pg failed: password s3cr3t-pw rejected");
  const auto message = compose(report, {"s3cr3t-pw", "", "x"});
  EXPECT_FALSE(contains(message.text, "s3cr3t-pw")) << message.text;
  EXPECT_TRUE(contains(message.text, "password [redacted] rejected")) << message.text;
  EXPECT_TRUE(contains(message.text, "exit code")) << "a one-byte secret is left alone";
}

TEST(NotifyMessage, ASuccessSaysOkAndCountsTheRowsMoved) {
  RunReport report;
  report.host = "db1";
  report.tables.push_back(table("users", Outcome::ok));
  const auto message = compose(report, {});
  EXPECT_FALSE(message.failure);
  EXPECT_EQ(message.subject, "migrate ok on db1: 1 table, 120 rows moved");
}

TEST(NotifyMessage, AStoppedRunWithoutFailedTablesStillFails) {
  RunReport report;
  report.host = "db1";
  report.exit_code = 4;
  EXPECT_EQ(compose(report, {}).subject, "migrate FAILED on db1: exit code 4");
}

TEST(NotifyMessage, ARunThatStoppedSaysWhyWithoutSecrets) {
  const auto message = compose_stopped(
      "db1", "state file: disk I/O error (key hunter2-pw)\nmore", 1, {"hunter2-pw"});
  EXPECT_TRUE(message.failure);
  EXPECT_EQ(message.subject,
            "migrate FAILED on db1: the run stopped: state file: disk I/O error (key [redacted])");
  EXPECT_TRUE(contains(message.text, "exit code 1")) << message.text;
  EXPECT_FALSE(contains(message.text, "hunter2-pw")) << message.text;
  EXPECT_FALSE(contains(message.text, "more")) << message.text;
}

TEST(NotifyMessage, SendsAsConfigured) {
  EXPECT_TRUE(should_send({true, false}, true));
  EXPECT_FALSE(should_send({true, false}, false));
  EXPECT_TRUE(should_send({false, true}, false));
  EXPECT_FALSE(should_send({false, true}, true));
}

TEST(NotifyEmail, IsAnRfc5322MessageWithCrlfAndAnEncodedSubject) {
  Message message;
  message.subject = "migrate FAILED on db1: 1 of 1 tables failed (städte)";
  message.text = "line one\nline two\n";
  const auto text = email_text(message,
                               "migrate@example.com",
                               {"dba@example.com", "ops@example.com"},
                               std::chrono::system_clock::from_time_t(1793491200));
  EXPECT_TRUE(contains(text, "Date: Sun, 01 Nov 2026 00:00:00 +0000\r\nMessage-ID: <migrate."))
      << text;
  EXPECT_TRUE(contains(text, "@example.com>\r\n")) << text;
  // Each mail its own id, even sent in the same instant.
  const auto id = [](const std::string& mail) {
    const auto at = mail.find("Message-ID: ");
    return mail.substr(at, mail.find("\r\n", at) - at);
  };
  EXPECT_NE(id(text),
            id(email_text(message,
                          "migrate@example.com",
                          {"dba@example.com"},
                          std::chrono::system_clock::from_time_t(1793491200))));
  EXPECT_TRUE(contains(text, "From: migrate@example.com\r\n"));
  EXPECT_TRUE(contains(text, "To: dba@example.com, ops@example.com\r\n"));
  EXPECT_TRUE(contains(text, "Subject: =?UTF-8?B?")) << text;
  EXPECT_TRUE(contains(text, "\r\n\r\nline one\r\nline two\r\n")) << text;
  EXPECT_FALSE(contains(text, "two\n\n"));
}

// The weekly mail opens with the verdict of the comparison after the run.
TEST(NotifyMessage, OpensWithTheVerdictOfTheComparisonAfterTheRun) {
  auto report = report_with_a_failure();
  report.exit_code = 0;
  report.tables.pop_back(); // orders, the failed one
  report.stale.clear();
  report.finished = std::chrono::system_clock::from_time_t(1796005260); // 2026-11-30 02:21 UTC
  state::ValidationRecord counts;
  counts.table = "users";
  counts.outcome = Agreement::in_sync;
  counts.summary = "in sync";
  report.validations = {counts};
  const auto ok = compose(report, {});
  EXPECT_EQ(ok.text.rfind("PostgreSQL matches MySQL as of 2026-11-30 02:21 UTC (row counts): 1 "
                          "table, 0 differing, 5 rows in quarantine\n\n",
                          0),
            0U)
      << ok.text;
  EXPECT_TRUE(contains(ok.text, "  users (row counts): in sync\n")) << ok.text;
  counts.outcome = Agreement::mismatch;
  counts.checksum = true;
  counts.summary = "DIFFERS: 1 content differs";
  report.validations = {counts};
  const auto differs = compose(report, {});
  EXPECT_EQ(differs.subject, "migrate on db1: PostgreSQL differs from MySQL in 1 table (users)");
  EXPECT_EQ(differs.text.rfind("PostgreSQL differs from MySQL as of 2026-11-30 02:21 UTC "
                               "(content): 1 table, 1 differing, 5 rows in quarantine",
                               0),
            0U)
      << differs.text;
}

TEST(NotifyEmail, AttachesTheReportAsAMultipartMail) {
  Message message;
  message.subject = "migrate ok on db1";
  message.text = "PostgreSQL matches MySQL\n";
  message.attachment_name = "migrate-report.html";
  message.attachment_html = "<html>" + std::string(200, 'x') + "</html>";
  const auto text = email_text(message, "a@b", {"c@d"}, {});
  const auto boundary_at = text.find("boundary=\"") + 10;
  const auto boundary = text.substr(boundary_at, text.find('"', boundary_at) - boundary_at);
  ASSERT_EQ(boundary.rfind("=_migrate_", 0), 0U) << text;
  EXPECT_EQ(boundary.size(), 10U + 16U) << "the message id's 16 random hex digits";
  EXPECT_TRUE(contains(text, "\r\n--" + boundary + "\r\nContent-Type: text/plain")) << text;
  EXPECT_TRUE(contains(text, "filename=\"migrate-report.html\"")) << text;
  EXPECT_TRUE(contains(text, "\r\n--" + boundary + "--\r\n")) << text;
  // base64 lines of at most 76 characters
  const auto body = text.substr(text.find("base64\r\n\r\n") + 10);
  EXPECT_LE(body.find("\r\n"), 76U);
}

// The attached page escapes what it shows: a secret stands there escaped and goes all the same.
TEST(NotifyMessage, RedactsSecretsFromTheAttachedReportAsItEscapesThem) {
  auto report = report_with_a_failure();
  report.report_html = "<td>password p&amp;w&lt;1 rejected</td>";
  const auto message = compose(report, {"p&w<1"});
  EXPECT_EQ(message.attachment_name, "migrate-report.html");
  EXPECT_FALSE(contains(message.attachment_html, "p&amp;w&lt;1")) << message.attachment_html;
  EXPECT_TRUE(contains(message.attachment_html, "[redacted]")) << message.attachment_html;
}

TEST(NotifyEmail, KeepsAnAsciiSubjectReadable) {
  Message message;
  message.subject = "migrate ok on db1";
  EXPECT_TRUE(contains(email_text(message, "a@b", {"c@d"}, {}), "Subject: migrate ok on db1\r\n"));
}

TEST(NotifyWebhook, IsJsonWithASlackTextField) {
  Message message;
  message.subject = "migrate FAILED on db1: \"orders\"";
  message.text = "table\n";
  message.failure = true;
  message.failed_tables = {"orders"};
  const auto json = webhook_json(message);
  EXPECT_EQ(
      json.rfind("{\"text\":\"*migrate FAILED on db1: \\\"orders\\\"*\\n```\\ntable\\n```\"", 0),
      0U)
      << json;
  EXPECT_TRUE(contains(json, "\"outcome\":\"failed\"")) << json;
  EXPECT_TRUE(contains(json, "\"failed_tables\":[\"orders\"]")) << json;
}

TEST(NotifyUrl, DescribesOnlySchemeHostAndPort) {
  EXPECT_EQ(describe_url("smtp://user:pw@mail.example.com:587"), "smtp://mail.example.com:587");
  EXPECT_EQ(describe_url("https://hooks.slack.com/services/T0/B0/secret"),
            "https://hooks.slack.com");
  EXPECT_EQ(describe_url("http://127.0.0.1:18400/hook?token=x"), "http://127.0.0.1:18400");
}

// A channel that fails on demand, to show that one failure neither stops the others nor throws.
class FakeChannel final : public Channel {
public:
  FakeChannel(bool fail, bool on_success)
      : m_fail(fail)
      , m_on_success(on_success) {}
  std::string describe() const override { return m_fail ? "broken" : "fine"; }
  bool wants(bool failure) const override { return failure || m_on_success; }
  void send(const Message& /*message*/) override {
    ++sent;
    if (m_fail) {
      throw std::runtime_error("connection refused");
    }
  }
  int sent = 0;

private:
  bool m_fail;
  bool m_on_success;
};

TEST(NotifyDelivery, CountsFailuresAndStillSendsOnTheOtherChannels) {
  std::vector<std::unique_ptr<Channel>> channels;
  channels.push_back(std::make_unique<FakeChannel>(true, false));
  channels.push_back(std::make_unique<FakeChannel>(false, false));
  Message failure;
  failure.failure = true;
  const auto delivery = deliver(channels, failure);
  EXPECT_EQ(delivery.sent, 1U);
  EXPECT_EQ(delivery.failed, 1U);
  ASSERT_EQ(delivery.failures.size(), 1U);
  EXPECT_EQ(delivery.failures[0], "broken: connection refused");
}

TEST(NotifyDelivery, SkipsChannelsThatDoNotWantTheOutcomeUnlessTesting) {
  std::vector<std::unique_ptr<Channel>> channels;
  channels.push_back(std::make_unique<FakeChannel>(false, false));
  Message success;
  EXPECT_EQ(deliver(channels, success).sent, 0U);
  EXPECT_EQ(deliver(channels, success, true).sent, 1U);
}

} // namespace
