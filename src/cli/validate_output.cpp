#include "cli/validate_output.hpp"

#include "cli/json_writer.hpp"

#include "migrate/core/log_text.hpp"
#include "migrate/core/text_table.hpp"
#include "migrate/validate/verdict.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>

namespace migrate::cli {
namespace {

// Differing rows shown per table on the console; --json and the state file have them all.
constexpr std::size_t k_rows_shown = 20;

// What a reader needs to judge a checksum "ok": how exactly the table was compared, and where the
// differences are. Logged, with the table name on each line; a chunk is an error only when it
// holds a real mismatch (not rows in quarantine or changed since the last run).
void log_checksum_notes(const validate::TableVerdict& v) {
  const auto& report = v.report;
  if (report.exact) {
    spdlog::info("table={} compared exactly: every column, on both sides (MySQL's values against "
                 "the digests stored with each row, and each row's seal against its PostgreSQL "
                 "values)",
                 v.table());
  } else {
    spdlog::warn("table={} compared in part only: {} (no run of this version has written the "
                 "target yet; the next run adds row digests and seals)",
                 v.table(),
                 validate::partly_compared_text(report));
  }
  for (std::size_t i = 0; i < report.chunks_differing.size(); ++i) {
    const bool real = v.chunks_with_mismatches.count(report.differing_ids[i]) != 0
                      || std::find(v.chunks_without_rows.begin(),
                                   v.chunks_without_rows.end(),
                                   report.differing_ids[i])
                             != v.chunks_without_rows.end();
    if (real) {
      spdlog::error(
          "table={} differs from MySQL in chunk {}", v.table(), report.chunks_differing[i]);
    } else {
      spdlog::info("table={} chunk {} differs only by rows explained below",
                   v.table(),
                   report.chunks_differing[i]);
    }
  }
}

std::vector<std::string> table_row(const validate::TableVerdict& v) {
  const auto& r = v.record;
  if (!r.error.empty()) {
    return r.checksum ? std::vector<std::string>{r.table, "-", "-", "-", "-", r.summary}
                      : std::vector<std::string>{r.table, "-", "-", r.summary};
  }
  if (!r.checksum) {
    return {r.table, std::to_string(r.source_rows), std::to_string(r.target_rows), r.summary};
  }
  return {r.table,
          std::to_string(r.source_rows),
          std::to_string(r.chunks_compared),
          std::to_string(r.chunks_differing),
          std::to_string(r.rows.size()),
          r.summary};
}

// The first rows of each table that differs, by key, under the table.
void print_rows(const std::vector<validate::TableVerdict>& verdicts) {
  for (const auto& v : verdicts) {
    const auto& rows = v.record.rows;
    if (v.repair) {
      const auto& repair = *v.repair;
      std::cout << "\n"
                << v.table() << ": repaired " << repair.inserted << " inserted, " << repair.updated
                << " updated, " << repair.deleted << " deleted"
                << (repair.extras_kept.empty()
                        ? std::string()
                        : ", extra rows kept in " + std::to_string(repair.extras_kept.size())
                              + " chunk(s) (deletes: ignore, or a row was refused)")
                << "; compared again: " << v.record.summary << "\n";
    }
    if (rows.empty()) {
      continue;
    }
    std::cout << "\n"
              << v.table() << (v.repair ? " (after repair)" : "") << ": " << rows.size()
              << " differing row" << (rows.size() == 1 ? "" : "s") << "\n";
    TextTable out({{"key"}, {"difference"}, {"chunk"}});
    for (std::size_t i = 0; i < rows.size() && i < k_rows_shown; ++i) {
      out.add_row({rows[i].key, rows[i].difference, rows[i].chunk});
    }
    std::cout << out.render();
    if (rows.size() > k_rows_shown) {
      std::cout << "... and " << rows.size() - k_rows_shown
                << " more (all of them in --json and in the state file)\n";
    }
  }
}

void write_strings(JsonWriter& json, const std::vector<std::string>& values) {
  json.begin_array();
  for (const auto& value : values) {
    json.value(value);
  }
  json.end_array();
}

void write_checksum(JsonWriter& json, const validate::TableVerdict& v) {
  const auto& r = v.report;
  json.key("chunks").value(static_cast<std::uint64_t>(r.chunks_compared));
  json.key("exact").value(r.exact);
  json.key("chunks_differing");
  write_strings(json, r.chunks_differing);
  json.key("partly_compared");
  write_strings(json, r.partly_compared);
  json.key("rows").begin_array();
  for (const auto& row : v.record.rows) {
    json.begin_object().key("key").value(row.key).key("difference").value(row.difference);
    json.key("chunk").value(row.chunk).end_object();
  }
  json.end_array();
  if (v.repair) {
    const auto& repair = *v.repair;
    json.key("repair").begin_object().key("inserted").value(repair.inserted);
    json.key("updated").value(repair.updated).key("deleted").value(repair.deleted);
    json.key("rejected").value(repair.rejected).key("extras_kept_in_chunks");
    write_strings(json, repair.extras_kept);
    json.key("before").value(v.before_repair ? v.before_repair->summary : "").end_object();
  }
}

} // namespace

// The log file keeps what differed, since the table itself goes only to standard output.
void log_verdict(const validate::TableVerdict& v) {
  const auto& r = v.record;
  if (!r.error.empty()) {
    spdlog::error("table={} validate=error error={}", r.table, quote_field(r.error));
    return;
  }
  if (r.checksum) {
    log_checksum_notes(v);
    for (const auto& row : r.rows) {
      const bool bad = validate::is_mismatch(row.difference);
      spdlog::log(bad ? spdlog::level::err : spdlog::level::info,
                  "table={} key={} difference={} chunk={}",
                  r.table,
                  quote_field(row.key),
                  quote_field(row.difference),
                  row.chunk);
    }
  } else if (!v.ok()) {
    spdlog::error("table={} validate=MISMATCH mysql_rows={} postgresql_rows={} unexplained={}",
                  r.table,
                  r.source_rows,
                  r.target_rows,
                  r.unexplained);
  }
  spdlog::info(
      "table={} validate={} summary={}", r.table, to_string(r.outcome), quote_field(r.summary));
}

void print_validation(const std::vector<validate::TableVerdict>& verdicts,
                      bool checksum,
                      std::size_t differing) {
  using Align = TextTable::Align;
  TextTable out(
      checksum ? std::vector<TextTable::Column>{{"table"},
                                                {"mysql rows", Align::right},
                                                {"chunks", Align::right},
                                                {"chunks differing", Align::right},
                                                {"rows differing", Align::right},
                                                {"result"}}
               : std::vector<TextTable::Column>{
                   {"table"}, {"mysql", Align::right}, {"postgresql", Align::right}, {"result"}});
  for (const auto& v : verdicts) {
    out.add_row(table_row(v));
  }
  std::cout << out.render() << (differing == 0 ? "all " : "") << verdicts.size()
            << " tables checked, " << differing << " differing\n";
  print_rows(verdicts);
}

void print_validation_json(const std::vector<validate::TableVerdict>& verdicts,
                           bool checksum,
                           std::size_t differing) {
  JsonWriter json;
  json.begin_object().key("checksum").value(checksum).key("tables").begin_array();
  for (const auto& v : verdicts) {
    const auto& r = v.record;
    json.begin_object().key("table").value(r.table).key("result").value(v.result());
    json.key("outcome").value(to_string(r.outcome)).key("summary").value(r.summary);
    json.key("mysql_rows").value(r.source_rows).key("postgresql_rows").value(r.target_rows);
    json.key("behind").value(r.behind).key("quarantined").value(r.quarantined);
    json.key("unexplained").value(r.unexplained);
    if (checksum) {
      write_checksum(json, v);
    }
    json.key("error").value(r.error).end_object();
  }
  json.end_array().key("differing").value(static_cast<std::uint64_t>(differing));
  json.key("ok").value(differing == 0).end_object();
  std::cout << json.str() << "\n";
}

} // namespace migrate::cli
