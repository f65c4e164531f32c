// What an alert says: the run's outcome, its summary table, the first error line of each failed
// table, quarantine counts and data-age warnings, composed by pure functions (safe from any
// thread). Never a password nor a row's value: errors are cut to their first line (PostgreSQL puts
// row values in DETAIL lines) and every configured secret is redacted from what is left.
#pragma once

#include "migrate/config/config.hpp"
#include "migrate/core/result.hpp"
#include "migrate/state/state_store.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace migrate::notify {

// A table the run touched, with what the state file says about it afterwards.
struct TableReport {
  TableResult result;
  std::uint64_t quarantine_held = 0; // rows of the table in quarantine after the run
};

// A mapped table whose data is older than max_age (whether or not this run touched it).
struct StaleTable {
  std::string table;
  std::optional<std::chrono::seconds> age; // nullopt: never synced successfully
};

struct RunReport {
  std::int64_t invocation_id = 0; // the invocation's id in the state file (run_id in alerts)
  std::string host;
  std::chrono::system_clock::time_point started;
  std::chrono::system_clock::time_point finished;
  int exit_code = 0;
  std::vector<TableReport> tables;
  std::vector<StaleTable> stale;
  std::chrono::seconds max_age{0};
  // validate_after: what the run found comparing each synced table afterwards (none: not asked).
  std::vector<state::ValidationRecord> validations;
  // The HTML report of the state file after the run, attached to the mail; empty: none.
  std::string report_html;

  // A table failed or the run stopped early (any exit code but 0).
  bool failed() const { return exit_code != 0; }
  std::vector<std::string> failed_tables() const;
};

struct Message {
  std::string subject; // one line
  std::string text;    // plain text, lines separated by \n
  bool failure = false;
  std::vector<std::string> failed_tables;
  std::string attachment_name; // a file attached to the mail (webhooks leave it out)
  std::string attachment_html;
};

// The verdict a run's validations give, the mail's first line: "PostgreSQL matches MySQL as of
// 2026-12-06 02:41 UTC (row counts): 12 tables, 0 differing, 3 rows in quarantine"; empty
// without validations.
std::string validation_verdict(const RunReport& report);

// Whether a channel configured with `when` sends after a run that failed or not.
bool should_send(const config::NotifyWhen& when, bool failure);

// The alert for a finished run; every non-empty string of `secrets` is replaced in it.
Message compose(const RunReport& report, const std::vector<std::string>& secrets);

// The alert for a run that stopped before its summary (the state file failed): the error's first
// line, secrets redacted.
Message compose_stopped(const std::string& host,
                        const std::string& error,
                        int exit_code,
                        const std::vector<std::string>& secrets);

// The message of `migrate notify --test`.
Message compose_test(const std::string& host, std::chrono::system_clock::time_point now);

// `text` with every occurrence of each secret replaced by "[redacted]" (secrets shorter than four
// bytes are skipped: replacing them everywhere would garble the text).
std::string redact(std::string text, const std::vector<std::string>& secrets);

// An RFC 5322 message: headers (Date, a unique Message-ID at the sender's domain, the subject
// RFC 2047-encoded when not ASCII), CRLF line ends.
std::string email_text(const Message& message,
                       const std::string& from,
                       const std::vector<std::string>& to,
                       std::chrono::system_clock::time_point date);

// The webhook's JSON body: Slack's "text" (subject and body) plus "subject", "outcome" and
// "failed_tables" for receivers that parse.
std::string webhook_json(const Message& message);

} // namespace migrate::notify
