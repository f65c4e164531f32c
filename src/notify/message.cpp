#include "migrate/notify/message.hpp"

#include "migrate/core/json_writer.hpp"
#include "migrate/core/log_text.hpp"
#include "migrate/core/text_table.hpp"
#include "migrate/report/html_report.hpp"
#include "migrate/validate/freshness.hpp"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <ctime>
#include <random>

namespace migrate::notify {
namespace {

// Numbers right-aligned: mail clients show text/plain in a fixed font.
std::string summary_table(const RunReport& report) {
  using Align = TextTable::Align;
  TextTable out({{"table"},
                 {"what ran"},
                 {"outcome"},
                 {"read", Align::right},
                 {"inserted", Align::right},
                 {"updated", Align::right},
                 {"deleted", Align::right},
                 {"set aside", Align::right},
                 {"seconds", Align::right}});
  for (const auto& t : report.tables) {
    const auto& r = t.result;
    out.add_row({r.table,
                 plain_mode(r.mode),
                 outcome_label(r),
                 std::to_string(r.counts.rows_read),
                 std::to_string(r.counts.inserted),
                 std::to_string(r.counts.updated),
                 std::to_string(r.counts.deleted),
                 std::to_string(r.counts.quarantined),
                 fmt::format("{:.1f}", r.seconds())});
  }
  return out.render();
}

std::string list(const std::vector<std::string>& names, std::size_t at_most) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < at_most; ++i) {
    out += (i == 0 ? "" : ", ") + names[i];
  }
  if (names.size() > at_most) {
    out += " and " + std::to_string(names.size() - at_most) + " more";
  }
  return out;
}

// Tables whose validation after the run found a real difference.
std::vector<std::string> differing_tables(const RunReport& report) {
  std::vector<std::string> out;
  for (const auto& v : report.validations) {
    if (v.outcome == Agreement::mismatch) {
      out.push_back(one_line(v.table));
    }
  }
  return out;
}

std::string subject_of(const RunReport& report) {
  const auto failed = report.failed_tables();
  const auto differing = differing_tables(report);
  std::string subject;
  if (failed.empty() && !differing.empty()) {
    subject = fmt::format("migrate on {}: PostgreSQL differs from MySQL in {} ({})",
                          report.host,
                          counted(differing.size(), "table"),
                          list(differing, 5));
  } else if (!failed.empty()) {
    subject = fmt::format("migrate FAILED on {}: {} of {} tables failed ({})",
                          report.host,
                          failed.size(),
                          report.tables.size(),
                          list(failed, 5));
  } else if (report.failed()) {
    subject = fmt::format("migrate FAILED on {}: exit code {}", report.host, report.exit_code);
  } else {
    std::uint64_t moved = 0;
    for (const auto& t : report.tables) {
      moved += t.result.counts.moved();
    }
    subject = fmt::format("migrate ok on {}: {}, {} moved",
                          report.host,
                          counted(report.tables.size(), "table"),
                          counted(moved, "row"));
  }
  if (!report.stale.empty()) {
    subject +=
        fmt::format("; {} older than {}",
                    report.stale.size() == 1 ? report.stale.front().table
                                             : std::to_string(report.stale.size()) + " tables",
                    validate::format_age(report.max_age));
  }
  return one_line(subject);
}

void append_failures(const RunReport& report, std::string& text) {
  bool header = false;
  for (const auto& t : report.tables) {
    if (t.result.outcome != Outcome::failed) {
      continue;
    }
    if (!header) {
      text += "\nFailed tables (first line of the error; the state file keeps the rest):\n";
      header = true;
    }
    // The bare message: the table is named already, the rest of the context is in the state file.
    const auto& error = t.result.error;
    text += "  " + one_line(t.result.table) + ": "
            + first_line(error ? error->message() : std::string()) + "\n";
  }
}

void append_quarantine(const RunReport& report, std::string& text) {
  bool header = false;
  for (const auto& t : report.tables) {
    if (t.result.counts.quarantined == 0 && t.quarantine_held == 0) {
      continue;
    }
    if (!header) {
      text += "\nRows set aside (they could not be converted; migrate quarantine lists them):\n";
      header = true;
    }
    text += fmt::format("  {}: {} this run, {} set aside in all\n",
                        one_line(t.result.table),
                        counted(t.result.counts.quarantined, "row"),
                        t.quarantine_held);
  }
}

void append_validations(const RunReport& report, std::string& text) {
  if (report.validations.empty()) {
    return;
  }
  text += "\nCompared after the run:\n";
  for (const auto& v : report.validations) {
    text += "  " + one_line(v.table) + " (" + (v.checksum ? "content" : "row counts")
            + "): " + first_line(v.summary) + "\n";
  }
}

void append_stale(const RunReport& report, std::string& text) {
  if (report.stale.empty()) {
    return;
  }
  text += "\nData older than max_age (" + validate::format_age(report.max_age) + "):\n";
  for (const auto& s : report.stale) {
    text += "  " + one_line(s.table) + ": "
            + (s.age ? validate::format_age(*s.age) + " old" : "never synced successfully") + "\n";
  }
}

std::string base64(const std::string& bytes) {
  static const char* const k_digits =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t n = 0;
    const std::size_t have = std::min<std::size_t>(3, bytes.size() - i);
    for (std::size_t j = 0; j < 3; ++j) {
      n = (n << 8U) | (j < have ? static_cast<unsigned char>(bytes[i + j]) : 0U);
    }
    for (std::size_t j = 0; j < 4; ++j) {
      out += j <= have ? k_digits[(n >> (18U - 6U * j)) & 63U] : '=';
    }
  }
  return out;
}

// A unique id for the mail's Message-ID: the time in nanoseconds and 64 random bits, at the
// sender's domain (RFC 5322 section 3.6.4).
std::string message_id(const std::string& from, std::chrono::system_clock::time_point date) {
  std::random_device random;
  const auto bits = (static_cast<std::uint64_t>(random()) << 32U) | random();
  const auto at = from.rfind('@');
  auto domain = at == std::string::npos ? std::string("localhost") : from.substr(at + 1);
  domain.erase(std::remove_if(domain.begin(),
                              domain.end(),
                              [](char c) {
                                return c == '>' || c == '<'
                                       || static_cast<unsigned char>(c) <= 0x20;
                              }),
               domain.end());
  return fmt::format(
      "<migrate.{}.{:016x}@{}>",
      std::chrono::duration_cast<std::chrono::nanoseconds>(date.time_since_epoch()).count(),
      bits,
      domain.empty() ? "localhost" : domain);
}

// Each line of `text` ended by CRLF, as SMTP wants.
std::string crlf_lines(const std::string& text) {
  std::string out;
  for (std::size_t start = 0; start < text.size();) {
    const auto end = text.find('\n', start);
    out += text.substr(start, end - start) + "\r\n";
    start = end == std::string::npos ? text.size() : end + 1;
  }
  return out;
}

// RFC 2047 when the subject is not plain ASCII (a table name may not be).
std::string header_subject(const std::string& subject) {
  const bool ascii = std::all_of(subject.begin(), subject.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F;
  });
  return ascii ? subject : "=?UTF-8?B?" + base64(subject) + "?=";
}

std::string rfc5322_date(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S +0000", &parts);
  return buffer;
}

} // namespace

std::string email_text(const Message& message,
                       const std::string& from,
                       const std::vector<std::string>& to,
                       std::chrono::system_clock::time_point date) {
  std::string out = "Date: " + rfc5322_date(date) + "\r\n";
  out += "Message-ID: " + message_id(from, date) + "\r\n";
  out += "From: " + one_line(from) + "\r\n";
  std::string recipients;
  for (const auto& address : to) {
    recipients += (recipients.empty() ? "" : ", ") + one_line(address);
  }
  out += "To: " + recipients + "\r\n";
  out += "Subject: " + header_subject(one_line(message.subject)) + "\r\nMIME-Version: 1.0\r\n";
  const std::string text_part = "Content-Type: text/plain; charset=utf-8\r\n"
                                "Content-Transfer-Encoding: 8bit\r\n\r\n"
                                + crlf_lines(message.text);
  if (message.attachment_html.empty()) {
    return out + text_part;
  }
  // The boundary occurs in neither part: '_' is not in base64's alphabet, and the text does not
  // hold the message id's random bits it is made of.
  const auto id = message_id(from, date);
  const auto bits = id.find('.', id.find('.') + 1) + 1;
  const std::string boundary = "=_migrate_" + id.substr(bits, 16);
  out += "Content-Type: multipart/mixed; boundary=\"" + boundary
         + "\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  out += "--" + boundary + "\r\n" + text_part;
  out += "--" + boundary + "\r\nContent-Type: text/html; charset=utf-8; name=\""
         + message.attachment_name + "\"\r\nContent-Disposition: attachment; filename=\""
         + message.attachment_name + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  const auto encoded = base64(message.attachment_html);
  for (std::size_t i = 0; i < encoded.size(); i += 76) {
    out += encoded.substr(i, 76) + "\r\n";
  }
  return out + "--" + boundary + "--\r\n";
}

std::string webhook_json(const Message& message) {
  JsonWriter json;
  json.begin_object()
      .key("text")
      .value("*" + message.subject + "*\n```\n" + message.text + "```")
      .key("subject")
      .value(message.subject)
      .key("outcome")
      .value(message.failure ? "failed" : "ok")
      .key("failed_tables")
      .begin_array();
  for (const auto& table : message.failed_tables) {
    json.value(table);
  }
  json.end_array().end_object();
  return json.str();
}

std::string validation_verdict(const RunReport& report) {
  if (report.validations.empty()) {
    return {};
  }
  std::size_t differing = 0;
  std::size_t errors = 0;
  std::size_t by_content = 0;
  std::uint64_t quarantined = 0;
  for (const auto& v : report.validations) {
    differing += v.outcome == Agreement::mismatch ? 1U : 0U;
    errors += v.outcome == Agreement::error ? 1U : 0U;
    by_content += v.checksum ? 1U : 0U;
  }
  const auto how = by_content == report.validations.size() ? "content"
                   : by_content == 0                       ? "row counts"
                                                           : "content and row counts";
  for (const auto& t : report.tables) {
    quarantined += t.quarantine_held;
  }
  const auto at = format_utc(report.finished); // "2026-12-06T02:41:07Z"
  const char* verdict = differing > 0 ? "PostgreSQL differs from MySQL"
                        : errors > 0  ? "Not confirmed that PostgreSQL matches MySQL"
                                      : "PostgreSQL matches MySQL";
  return std::string(verdict) + " as of " + at.substr(0, 10) + " " + at.substr(11, 5) + " UTC ("
         + how + "): " + counted(report.validations.size(), "table") + ", "
         + std::to_string(differing) + " differing"
         + (errors > 0 ? ", " + std::to_string(errors) + " not compared (error)" : "") + ", "
         + counted(quarantined, "row") + " in quarantine";
}

std::vector<std::string> RunReport::failed_tables() const {
  std::vector<std::string> out;
  for (const auto& t : tables) {
    if (t.result.outcome == Outcome::failed) {
      out.push_back(one_line(t.result.table));
    }
  }
  return out;
}

bool should_send(const config::NotifyWhen& when, bool failure) {
  return failure ? when.failure : when.success;
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.size() < 4) {
      continue; // replacing every "ab" would garble the text, and such a secret is no secret
    }
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "[redacted]");
      at += 10;
    }
  }
  return text;
}

Message compose(const RunReport& report, const std::vector<std::string>& secrets) {
  Message message;
  message.failure = report.failed();
  message.failed_tables = report.failed_tables();
  message.subject = subject_of(report);
  auto& text = message.text;
  if (const auto verdict = validation_verdict(report); !verdict.empty()) {
    text = verdict + "\n\n";
  }
  text += fmt::format("migrate run {} on {}: {}, exit code {}\n",
                      report.invocation_id,
                      report.host,
                      report.failed() ? "FAILED" : "ok",
                      report.exit_code);
  text += fmt::format("started {}, took {:.1f} s\n\n",
                      format_utc(report.started),
                      std::chrono::duration<double>(report.finished - report.started).count());
  text += summary_table(report);
  append_failures(report, text);
  append_validations(report, text);
  append_quarantine(report, text);
  append_stale(report, text);
  if (!message.failed_tables.empty()) {
    text += "\nDetails: migrate history --table " + message.failed_tables.front() + "\n";
  }
  message.subject = redact(message.subject, secrets);
  text = redact(text, secrets);
  if (!report.report_html.empty()) {
    // The page escapes what it shows: a secret holding & < > " ' stands there escaped.
    auto escaped = secrets;
    for (const auto& secret : secrets) {
      escaped.push_back(migrate::report::html_escape(secret));
    }
    message.attachment_name = "migrate-report.html";
    message.attachment_html = redact(report.report_html, escaped);
  }
  return message;
}

Message compose_stopped(const std::string& host,
                        const std::string& error,
                        int exit_code,
                        const std::vector<std::string>& secrets) {
  Message message;
  message.failure = true;
  const auto reason = first_line(error);
  message.subject =
      redact(one_line("migrate FAILED on " + host + ": the run stopped: " + reason), secrets);
  message.text = redact(fmt::format("migrate on {} stopped before it finished, exit code {}:\n  "
                                    "{}\n\nThe log file has the details; tables it had finished "
                                    "are in migrate history.\n",
                                    host,
                                    exit_code,
                                    reason),
                        secrets);
  return message;
}

Message compose_test(const std::string& host, std::chrono::system_clock::time_point now) {
  Message message;
  message.subject = "migrate test message from " + one_line(host);
  message.text = "This is a test message sent by `migrate notify --test` on " + one_line(host)
                 + " at " + format_utc(now)
                 + ".\nAlerts configured in migrate.yaml reach this channel.\n";
  return message;
}

} // namespace migrate::notify
