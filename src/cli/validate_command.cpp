#include "cli/adapters.hpp"
#include "cli/commands.hpp"
#include "cli/json_writer.hpp"
#include "cli/text_table.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/core/log_text.hpp"
#include "migrate/pipeline/table_sync.hpp"
#include "migrate/validate/count_check.hpp"

#include <spdlog/spdlog.h>

#include <iostream>

namespace migrate::cli {
namespace {

// One table's verdict, by counts or (with --checksum) by chunk digests.
struct Verdict {
  std::string table;
  std::uint64_t source_rows = 0;
  std::uint64_t target_rows = 0;   // counts only
  pipeline::ChecksumReport report; // checksum only
  std::string error;
  bool ok = false;

  // "ok", "MISMATCH" (counts), "DIFFERS" (digests) or "error".
  std::string result(bool checksum) const {
    if (!error.empty()) {
      return "error";
    }
    return ok ? "ok" : checksum ? "DIFFERS" : "MISMATCH";
  }
};

Verdict
count_verdict(const config::TableMapping& table, source::Source& source, target::Target& target) {
  const auto check = validate::check_counts(table, source, target);
  return Verdict{check.table, check.source_rows, check.target_rows, {}, check.error, check.ok()};
}

// The table's quarantined rows are named in the chunks they make differ.
Verdict checksum_verdict(const config::TableMapping& table,
                         source::Source& source,
                         target::Target& target,
                         state::StateStore& state) {
  Verdict verdict{table.source_table};
  try {
    std::vector<std::string> quarantined;
    for (const auto& entry : state.quarantined(table.source_table)) {
      quarantined.push_back(entry.key);
    }
    verdict.report = pipeline::checksum_table(table, source, target, quarantined);
    verdict.source_rows = verdict.report.source_rows;
    verdict.ok = verdict.report.ok();
  } catch (const std::exception& e) {
    verdict.error = e.what();
  }
  return verdict;
}

// What a reader needs to judge a checksum "ok": how exactly the table was compared, and where the
// differences are. Logged, with the table name on each line.
void log_checksum_notes(const Verdict& v) {
  const auto& report = v.report;
  if (report.source_digests) {
    spdlog::info("table={} compared exactly: every column, by the digests of MySQL's values "
                 "stored with each row",
                 v.table);
  } else {
    spdlog::warn("table={} has no row digests yet (the next run adds them): only the target's "
                 "values were compared",
                 v.table);
  }
  if (report.rows_without_digest > 0) {
    // Their chunks differ by the row digests until a comparison rewrites them.
    spdlog::warn("table={} rows_without_digest={} (loaded before row digests existed): run "
                 "`migrate --full --table {}` once to add them",
                 v.table,
                 report.rows_without_digest,
                 v.table);
  }
  if (!report.partly_compared.empty()) {
    std::string columns;
    for (const auto& column : report.partly_compared) {
      columns += (columns.empty() ? "" : ", ") + column;
    }
    spdlog::info("table={} target values compared in part only: {}", v.table, columns);
  }
  for (const auto& chunk : report.chunks_differing) {
    spdlog::error("table={} differs from MySQL in chunk {}", v.table, chunk);
  }
  for (const auto& chunk : report.value_chunks_differing) {
    spdlog::error("table={} target values differ in chunk {}", v.table, chunk);
  }
}

// The log file keeps what differed, since the table itself goes only to standard output.
void log_verdict(const Verdict& v, bool checksum) {
  if (!v.error.empty()) {
    spdlog::error("table={} validate=error error={}", v.table, quote_field(v.error));
  } else if (checksum) {
    log_checksum_notes(v);
  } else if (!v.ok) {
    spdlog::error("table={} validate=MISMATCH mysql_rows={} postgresql_rows={}",
                  v.table,
                  v.source_rows,
                  v.target_rows);
  }
}

std::vector<std::string> checksum_row(const Verdict& v) {
  if (!v.error.empty()) {
    return {v.table, "-", "-", "-", "-", "error: " + v.error};
  }
  const auto& r = v.report;
  return {v.table,
          std::to_string(v.source_rows),
          std::to_string(r.chunks_compared),
          r.source_digests ? std::to_string(r.chunks_differing.size()) : "-",
          std::to_string(r.value_chunks_differing.size()),
          v.result(true)};
}

void print_table(const std::vector<Verdict>& verdicts, bool checksum, std::size_t differing) {
  using Align = TextTable::Align;
  TextTable out(
      checksum ? std::vector<TextTable::Column>{{"table"},
                                                {"mysql rows", Align::right},
                                                {"chunks", Align::right},
                                                {"source differs", Align::right},
                                                {"values differ", Align::right},
                                                {"result"}}
               : std::vector<TextTable::Column>{
                   {"table"}, {"mysql", Align::right}, {"postgresql", Align::right}, {"result"}});
  for (const auto& v : verdicts) {
    if (checksum) {
      out.add_row(checksum_row(v));
    } else if (!v.error.empty()) {
      out.add_row({v.table, "-", "-", "error: " + v.error});
    } else {
      out.add_row(
          {v.table, std::to_string(v.source_rows), std::to_string(v.target_rows), v.result(false)});
    }
  }
  std::cout << out.render() << (differing == 0 ? "all " : "") << verdicts.size()
            << " tables checked, " << differing << " differing\n";
}

void write_strings(JsonWriter& json, const std::vector<std::string>& values) {
  json.begin_array();
  for (const auto& value : values) {
    json.value(value);
  }
  json.end_array();
}

void write_checksum(JsonWriter& json, const pipeline::ChecksumReport& r) {
  json.key("chunks").value(static_cast<std::uint64_t>(r.chunks_compared));
  json.key("source_digests").value(r.source_digests);
  json.key("chunks_differing");
  write_strings(json, r.chunks_differing);
  json.key("value_chunks_differing");
  write_strings(json, r.value_chunks_differing);
  json.key("partly_compared");
  write_strings(json, r.partly_compared);
}

void print_json(const std::vector<Verdict>& verdicts, bool checksum, std::size_t differing) {
  JsonWriter json;
  json.begin_object().key("checksum").value(checksum).key("tables").begin_array();
  for (const auto& v : verdicts) {
    json.begin_object().key("table").value(v.table).key("result").value(v.result(checksum));
    json.key("mysql_rows").value(v.source_rows);
    if (checksum) {
      write_checksum(json, v.report);
    } else {
      json.key("postgresql_rows").value(v.target_rows);
    }
    json.key("error").value(v.error).end_object();
  }
  json.end_array().key("differing").value(static_cast<std::uint64_t>(differing));
  json.key("ok").value(differing == 0).end_object();
  std::cout << json.str() << "\n";
}

} // namespace

CLI::App* setup_validate(CLI::App& app, ValidateOptions& options) {
  auto* command = app.add_subcommand("validate", "compare source and target per table");
  command->add_flag("--checksum",
                    options.checksum,
                    "also compare the content: chunk digests computed inside both servers");
  command->add_flag("--json", options.json, "one JSON document instead of the table");
  return command;
}

int run_validate(const GlobalOptions& global, const ValidateOptions& options) {
  const CommandContext context(global, config::LoadMode::full);
  const auto& tables = context.tables;
  const auto source = context.adapters.source();
  const auto target = context.adapters.target();
  log_connections(context.config, *source, *target);
  const auto state = options.checksum ? context.adapters.state() : nullptr;
  std::vector<Verdict> verdicts;
  std::size_t differing = 0;
  for (const auto* table : tables) {
    auto verdict = options.checksum ? checksum_verdict(*table, *source, *target, *state)
                                    : count_verdict(*table, *source, *target);
    differing += verdict.ok ? 0U : 1U;
    log_verdict(verdict, options.checksum);
    verdicts.push_back(std::move(verdict));
  }
  spdlog::info("validate{} tables={} differing={}",
               options.checksum ? " --checksum" : "",
               tables.size(),
               differing);
  options.json ? print_json(verdicts, options.checksum, differing)
               : print_table(verdicts, options.checksum, differing);
  return differing == 0 ? k_exit_ok : k_exit_table_failed;
}

} // namespace migrate::cli
