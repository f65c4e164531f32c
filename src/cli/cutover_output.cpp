#include "cli/cutover_output.hpp"

#include "cli/json_writer.hpp"

#include "migrate/core/error.hpp"
#include "migrate/core/log_text.hpp"
#include "migrate/core/text_table.hpp"
#include "migrate/notify/message.hpp"
#include "migrate/report/html_report.hpp"

#include <fstream>
#include <iostream>

namespace migrate::cli {
namespace {

using cutover::Step;
using cutover::StepOutcome;

const char* result_word(StepOutcome::Result result) {
  switch (result) {
  case StepOutcome::Result::done:
    return "done";
  case StepOutcome::Result::failed:
    return "FAILED";
  case StepOutcome::Result::skipped:
    return "skipped";
  }
  return "";
}

std::string plural(std::size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

const TableResult* sync_of(const CutoverRun& run, const std::string& table) {
  for (const auto& result : run.syncs) {
    if (result.table == table) {
      return &result;
    }
  }
  return nullptr;
}

std::string sync_text(const TableResult* result) {
  if (result == nullptr) {
    return "-";
  }
  if (result->outcome != Outcome::ok) {
    return "FAILED: " + first_line(result->error_text());
  }
  const auto& c = result->counts;
  return std::to_string(c.inserted) + " inserted, " + std::to_string(c.updated) + " updated, "
         + std::to_string(c.deleted) + " deleted";
}

// "2 indexes, 1 foreign key, 1 default, 1 NOT NULL, 1 ON UPDATE, 1 check": what ran.
std::string statements_text(const CutoverRun& run, const std::string& table) {
  std::map<Step::Kind, std::size_t> done;
  std::size_t failed = 0;
  for (const auto& outcome : run.outcomes) {
    if (outcome.table == table) {
      done[outcome.step.kind] += outcome.result == StepOutcome::Result::done ? 1U : 0U;
      failed += outcome.result == StepOutcome::Result::done ? 0U : 1U;
    }
  }
  std::string out;
  const auto add = [&](Step::Kind kind, const std::string& word) {
    if (done[kind] > 0) {
      out += (out.empty() ? "" : ", ") + plural(done[kind], word);
    }
  };
  add(Step::Kind::identity, "identity");
  add(Step::Kind::restart, "sequence restart");
  add(Step::Kind::index, "index");
  add(Step::Kind::foreign_key, "foreign key");
  add(Step::Kind::default_value, "default");
  add(Step::Kind::not_null, "NOT NULL");
  add(Step::Kind::on_update, "ON UPDATE trigger");
  add(Step::Kind::check, "check");
  if (failed > 0) {
    out += (out.empty() ? "" : ", ") + std::to_string(failed) + " FAILED or skipped";
  }
  return out.empty() ? "nothing needed" : out;
}

std::string table_result(const CutoverRun& run, const std::string& table) {
  if (run.stopped()) {
    return "not cut over (" + run.outcome + ")";
  }
  return table_complete(run, table) ? "cut over" : "not cut over: statements failed";
}

std::string sequence_text(const cutover::TableCutover& plan) {
  if (!plan.serial_column) {
    return "-";
  }
  return *plan.serial_column
         + (plan.next_value ? " next " + std::to_string(*plan.next_value) : " left as it is");
}

// Per table: table, final sync, sequence, statements, checksum, result (k_columns).
std::vector<std::vector<std::string>> table_rows(const CutoverRun& run) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& plan : run.plans) {
    const auto found = run.checksum_values.find(plan.table);
    rows.push_back({plan.table,
                    sync_text(sync_of(run, plan.table)),
                    sequence_text(plan),
                    statements_text(run, plan.table),
                    found == run.checksum_values.end() ? "-" : found->second,
                    table_result(run, plan.table)});
  }
  for (const auto& result : run.syncs) {
    bool planned = false;
    for (const auto& plan : run.plans) {
      planned = planned || plan.table == result.table;
    }
    if (!planned) {
      rows.push_back(
          {result.table, sync_text(&result), "-", "-", "-", table_result(run, result.table)});
    }
  }
  for (const auto& record : run.already) {
    rows.push_back({record.table,
                    "-",
                    "-",
                    "-",
                    "-",
                    "cut over before, at " + record.at + " by " + record.by + ": left as it is"});
  }
  return rows;
}

const std::vector<TextTable::Column> k_columns = {
    {"table"}, {"final sync"}, {"sequence"}, {"statements"}, {"checksum"}, {"result"}};

void print_problems(const CutoverRun& run) {
  for (const auto& record : run.checksums) {
    if (record.outcome != Agreement::in_sync) {
      std::cout << record.table << ": DIFFERS: " << one_line(record.summary) << "\n";
      for (std::size_t i = 0; i < record.rows.size() && i < 20; ++i) {
        std::cout << "  key " << record.rows[i].key << ": " << record.rows[i].difference << "\n";
      }
    }
  }
  for (const auto& outcome : run.outcomes) {
    if (outcome.result == StepOutcome::Result::failed) {
      std::cout << outcome.table << ": " << outcome.step.object
                << " FAILED: " << one_line(outcome.error) << "\n";
      for (const auto& row : outcome.orphans) {
        std::cout << "  constraint " << outcome.step.object << " violated by " << row << "\n";
      }
    } else if (outcome.result == StepOutcome::Result::skipped) {
      std::cout << outcome.table << ": " << outcome.step.object
                << " skipped: a step it needs failed\n";
    }
  }
}

} // namespace

bool table_complete(const CutoverRun& run, const std::string& table) {
  if (run.stopped()) {
    return false;
  }
  for (const auto& outcome : run.outcomes) {
    if (outcome.table == table && outcome.result != StepOutcome::Result::done) {
      return false;
    }
  }
  return true;
}

std::string table_summary(const CutoverRun& run, const std::string& table) {
  return "final sync: " + sync_text(sync_of(run, table))
         + "; statements: " + statements_text(run, table);
}

void print_cutover(const CutoverRun& run) {
  TextTable out(k_columns);
  for (const auto& row : table_rows(run)) {
    out.add_row(row);
  }
  std::cout << out.render();
  print_problems(run);
  for (const auto& plan : run.plans) {
    for (const auto& note : plan.notes) {
      std::cout << plan.table << ": " << note << "\n";
    }
  }
  std::cout << "cutover " << run.outcome << " (run " << run.id << ", " << run.by << ", "
            << format_utc(run.finished) << ")\n";
}

void print_cutover_json(const CutoverRun& run) {
  JsonWriter json;
  json.begin_object().key("run").value(run.id).key("host").value(run.host).key("by").value(run.by);
  json.key("started").value(format_utc(run.started)).key("finished");
  json.value(format_utc(run.finished)).key("outcome").value(run.outcome);
  json.key("exit_code").value(static_cast<std::int64_t>(run.exit_code)).key("tables");
  json.begin_array();
  for (const auto& row : table_rows(run)) {
    json.begin_object().key("table").value(row[0]).key("final_sync").value(row[1]);
    const auto* sync = sync_of(run, row[0]);
    json.key("deleted").value(sync != nullptr ? sync->counts.deleted : 0U);
    json.key("sequence").value(row[2]).key("statements").value(row[3]);
    json.key("checksum").value(row[4]).key("result").value(row[5]).end_object();
  }
  json.end_array().key("statements").begin_array();
  for (const auto& outcome : run.outcomes) {
    json.begin_object().key("table").value(outcome.table).key("object").value(outcome.step.object);
    json.key("sql").value(outcome.step.sql).key("result").value(result_word(outcome.result));
    json.key("error").value(outcome.error).end_object();
  }
  json.end_array().key("notes").begin_array();
  for (const auto& plan : run.plans) {
    for (const auto& note : plan.notes) {
      json.value(plan.table + ": " + note);
    }
  }
  json.end_array().end_object();
  std::cout << json.str() << "\n";
}

void write_cutover_html(const std::string& path, const CutoverRun& run) {
  std::ofstream out(path);
  const auto e = [](const std::string& text) {
    return report::html_escape(text);
  };
  out << "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>migrate cutover</title>"
         "<style>body{font-family:sans-serif}td,th{padding:2px 8px;border-bottom:1px solid #ccc;"
         "text-align:left}</style></head><body><h1>migrate cutover: "
      << e(run.outcome) << "</h1><p>" << e(format_utc(run.finished)) << " on " << e(run.host)
      << " by " << e(run.by) << ", run " << run.id << ", exit code " << run.exit_code
      << "</p><table><tr>";
  for (const auto& column : k_columns) {
    out << "<th>" << e(column.header) << "</th>";
  }
  out << "</tr>";
  for (const auto& row : table_rows(run)) {
    out << "<tr>";
    for (const auto& cell : row) {
      out << "<td>" << e(cell) << "</td>";
    }
    out << "</tr>";
  }
  out << "</table><h2>Statements</h2><ul>";
  for (const auto& outcome : run.outcomes) {
    out << "<li>" << e(outcome.table) << ": <code>" << e(outcome.step.sql) << "</code> "
        << result_word(outcome.result) << " " << e(outcome.error);
    for (const auto& row : outcome.orphans) {
      out << "<br>violated by " << e(row);
    }
    out << "</li>";
  }
  out << "</ul></body></html>\n";
  if (!out) {
    throw Error(ErrorArea::config, "cannot write " + path);
  }
}

notify::Message cutover_message(const CutoverRun& run, const std::vector<std::string>& secrets) {
  notify::Message message;
  message.failure = run.exit_code != 0;
  message.subject =
      notify::redact(one_line("migrate cutover " + std::string(message.failure ? "FAILED" : "done")
                              + " on " + run.host + ": " + run.outcome),
                     secrets);
  std::string text = "migrate cutover on " + run.host + " by " + run.by + ", run "
                     + std::to_string(run.id) + ", finished " + format_utc(run.finished) + ": "
                     + run.outcome + "\n\n";
  for (const auto& row : table_rows(run)) {
    text += row[0] + ": " + row[5] + "; final sync " + row[1] + "; " + row[3] + "\n";
    if (row[5].rfind("not cut over", 0) == 0) {
      message.failed_tables.push_back(row[0]);
    }
  }
  message.text = notify::redact(text, secrets);
  return message;
}

} // namespace migrate::cli
