#include "cli/adapters.hpp"
#include "cli/commands.hpp"
#include "cli/json_writer.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/core/log_text.hpp"
#include "migrate/core/text_table.hpp"
#include "migrate/pipeline/table_sync.hpp"
#include "migrate/state/run_lock.hpp"
#include "migrate/state/table_claim.hpp"
#include "migrate/validate/count_check.hpp"
#include "migrate/validate/repair.hpp"
#include "migrate/validate/row_search.hpp"
#include "migrate/validate/verdict.hpp"

#include <spdlog/spdlog.h>

#include <iostream>
#include <set>

namespace migrate::cli {
namespace {

// Differing rows shown per table on the console; --json and the state file have them all.
constexpr std::size_t k_rows_shown = 20;

// One table's verdict, by counts or (with --checksum) by chunk digests narrowed down to rows.
struct Verdict {
  state::ValidationRecord record;  // what is stored, and printed
  pipeline::ChecksumReport report; // checksum only
  std::vector<std::string> chunks_without_rows;
  std::set<std::string> chunks_with_mismatches; // ids of the chunks --repair re-syncs
  bool keyless = false;                         // compared whole: no key names a row
  std::optional<validate::RepairResult> repair;
  std::optional<state::ValidationRecord> before_repair;

  const std::string& table() const { return record.table; }
  bool ok() const { return record.outcome != "mismatch" && record.outcome != "error"; }
  // The result column: "ok", "MISMATCH" (counts), "DIFFERS" (digests) or "error".
  std::string result() const {
    if (!record.error.empty()) {
      return "error";
    }
    return ok() ? "ok" : record.checksum ? "DIFFERS" : "MISMATCH";
  }
};

// "price (float: the chunk's sum), doc (NULL or not)": what a comparison that is not exact misses.
std::string partly_compared_text(const pipeline::ChecksumReport& report) {
  std::string out;
  for (const auto& column : report.partly_compared) {
    out += (out.empty() ? "" : ", ") + column;
  }
  return out.empty() ? "every column by its normalised text" : out;
}

// What a run's position says about rows changed since: its cursor (incremental) or the first
// pass's upper bound, both the timestamp column's value up to which the target is complete.
std::optional<std::string> stored_cursor(const validate::TableView& view,
                                         state::StateStore& state) {
  if (!view.plan.timestamp_position) {
    return std::nullopt;
  }
  const auto position = state.position(view.mapping->source_table);
  return position ? position->timestamp : std::nullopt;
}

// "; the last run: an open transaction (MySQL connection 42, open for 2h 03m) holds ...", when the
// table's last run was held back by one: why rows are behind.
std::string held_back_text(state::StateStore& state, const std::string& table) {
  const auto last = state.runs(table, 1);
  if (last.empty() || last.back().result.held_back.empty()) {
    return {};
  }
  return "; the last run: " + last.back().result.held_back;
}

std::set<std::string> quarantined_keys(state::StateStore& state, const std::string& table) {
  std::set<std::string> keys;
  for (const auto& entry : state.quarantined(table)) {
    keys.insert(entry.key);
  }
  return keys;
}

Verdict count_verdict(const config::TableMapping& table,
                      source::Source& source,
                      target::Target& target,
                      state::StateStore& state) {
  Verdict verdict;
  auto& r = verdict.record;
  // MySQL's table described once, for the counts and for what explains a difference.
  std::optional<validate::TableView> view;
  validate::CountCheck check;
  try {
    view = validate::view_table(table, source);
    check = validate::check_counts(*view, source, target);
  } catch (const std::exception& e) {
    check.table = table.source_table;
    check.error = e.what();
  }
  r.table = check.table;
  r.source_rows = check.source_rows;
  r.target_rows = check.target_rows;
  r.error = check.error;
  if (!r.error.empty()) {
    r.outcome = "error";
    r.summary = "error: " + r.error;
    return verdict;
  }
  try {
    validate::CountFacts facts{check.source_rows, check.target_rows, 0, 0, false};
    facts.excluded_by_where = check.excluded_by_where;
    facts.soft_deleted = check.soft_deleted;
    // A first pass stopped on the way (max_runtime, a failure) has not reached the rows after its
    // key; the rows it loaded may have changed since its bound.
    const auto position = state.position(table.source_table);
    std::vector<std::string> loaded_up_to;
    if (position && position->phase == state::Phase::initial && !position->key.empty()) {
      loaded_up_to = position->key;
      facts.first_pass_left = validate::count_after_key(*view, source, loaded_up_to);
    }
    if (const auto cursor = stored_cursor(*view, state)) {
      facts.changed_since_run = validate::count_changed_since(*view, source, *cursor, loaded_up_to);
    }
    facts.quarantined = quarantined_keys(state, table.source_table).size();
    facts.deletes_kept = view->deletes == config::DeletePolicy::ignore;
    const auto counts = validate::classify_counts(facts);
    r.behind = counts.behind;
    r.quarantined = counts.quarantined;
    r.unexplained = counts.unexplained();
    r.outcome = validate::to_string(counts.agreement);
    r.summary = counts.text() + held_back_text(state, table.source_table);
  } catch (const std::exception& e) {
    r.error = e.what();
    r.outcome = "error";
    r.summary = "error: " + r.error;
  }
  return verdict;
}

// Each differing row said why it differs: rows changed since the last run, quarantined rows and
// rows an unfinished first pass has not reached are legitimate, so are extra rows a `deletes:
// ignore` mapping keeps.
void explain_rows(Verdict& verdict,
                  const validate::TableView& view,
                  const std::vector<validate::KeyedDifference>& found,
                  source::Source& source,
                  state::StateStore& state) {
  const auto quarantined = quarantined_keys(state, verdict.table());
  std::set<std::string> changed;
  if (const auto cursor = stored_cursor(view, state)) {
    std::set<std::string> chunks;
    for (const auto& row : found) {
      chunks.insert(row.chunk);
    }
    for (const auto& id : chunks) {
      const auto keys =
          validate::changed_since(view, source, *cursor, ChunkFilter{&verdict.report.plan, id});
      changed.insert(keys.begin(), keys.end());
    }
  }
  // An unfinished first pass has not reached the rows after its key.
  const auto position = state.position(verdict.table());
  const bool first_pass = position && position->phase == state::Phase::initial
                          && position->key.size() == view.plan.key_positions.size()
                          && !position->key.empty();
  std::vector<std::optional<std::string>> reached;
  if (first_pass) {
    reached.assign(position->key.begin(), position->key.end());
  }
  for (const auto& row : found) {
    const validate::RowReasons reasons{changed.count(row.key) != 0,
                                       quarantined.count(row.key) != 0,
                                       view.deletes == config::DeletePolicy::ignore,
                                       first_pass && validate::key_less(reached, row.values),
                                       !row.written_by_migrate};
    auto explanation = validate::explain_row(row.difference, reasons);
    if (validate::is_mismatch(explanation)) {
      verdict.chunks_with_mismatches.insert(row.chunk);
    }
    verdict.record.rows.push_back(state::DifferingRow{
        row.key, std::move(explanation), validate::describe_chunk(verdict.report.plan, row.chunk)});
  }
}

// The outcome and the one-line summary from the classified rows.
void summarise_rows(Verdict& verdict) {
  auto& r = verdict.record;
  std::map<std::string, std::uint64_t> by_kind;
  for (const auto& row : r.rows) {
    ++by_kind[row.difference];
  }
  std::string mismatch;
  std::string legitimate;
  for (const auto& [kind, n] : by_kind) {
    auto& text = validate::is_mismatch(kind) ? mismatch : legitimate;
    text += (text.empty() ? "" : ", ") + std::to_string(n) + " " + kind;
    r.unexplained += validate::is_mismatch(kind) ? n : 0;
    r.behind +=
        kind == "changed since the last run" || kind == "not loaded yet (first load under way)" ? n
                                                                                                : 0;
  }
  const auto chunks = verdict.chunks_without_rows.size();
  if (chunks > 0) {
    mismatch +=
        (mismatch.empty() ? "" : ", ")
        + (verdict.keyless ? std::string("the table differs (no key names its rows)")
                           : std::to_string(chunks) + " chunk(s) differing in float sums only");
  }
  const bool quarantine = by_kind.count("in quarantine") != 0;
  r.outcome = !mismatch.empty() ? "mismatch"
              : r.behind > 0    ? "behind"
              : quarantine      ? "quarantine"
                                : "in sync";
  r.summary = mismatch.empty()
                  ? (legitimate.empty() ? "in sync" : legitimate)
                  : "DIFFERS: " + mismatch + (legitimate.empty() ? "" : "; " + legitimate);
}

// Compares by chunk digests, then reads the differing chunks row by row on both sides.
Verdict checksum_verdict(const config::TableMapping& table,
                         source::Source& source,
                         target::Target& target,
                         state::StateStore& state) {
  Verdict verdict;
  auto& r = verdict.record;
  r.table = table.source_table;
  r.checksum = true;
  try {
    const auto keys = quarantined_keys(state, table.source_table);
    r.quarantined = keys.size();
    verdict.report = pipeline::checksum_table(
        table, source, target, std::vector<std::string>(keys.begin(), keys.end()));
    const auto& report = verdict.report;
    r.source_rows = report.source_rows;
    r.chunks_compared = report.chunks_compared;
    const auto view = validate::view_table(table, source);
    r.target_rows = target.count_rows(view.target);
    const std::set<std::string> differing(report.differing_ids.begin(), report.differing_ids.end());
    r.chunks_differing = differing.size();
    if (view.plan.key_positions.empty() || view.plan.sync == config::SyncMode::replace) {
      // Compared whole: no key names a row. The next run replaces the content.
      verdict.keyless = true;
      verdict.chunks_without_rows.assign(differing.begin(), differing.end());
    } else {
      auto found =
          validate::find_differing_rows(view, source, target, report.plan, report.differing_ids);
      verdict.chunks_without_rows = found.chunks_without_rows;
      explain_rows(verdict, view, found.rows, source, state);
    }
    summarise_rows(verdict);
    if (!report.exact) {
      // Never an "in sync" that claims more than was compared.
      r.summary += "; compared in part only: " + partly_compared_text(report)
                   + " (the next run adds row seals)";
    }
  } catch (const std::exception& e) {
    r.error = e.what();
    r.outcome = "error";
    r.summary = "error: " + r.error;
  }
  return verdict;
}

// The chunks holding a row that really differs (not one changed since the last run or
// quarantined), and those that differ without a row to name.
std::vector<std::string> chunks_to_repair(const Verdict& verdict) {
  std::set<std::string> ids(verdict.chunks_without_rows.begin(), verdict.chunks_without_rows.end());
  ids.insert(verdict.chunks_with_mismatches.begin(), verdict.chunks_with_mismatches.end());
  return {ids.begin(), ids.end()};
}

void log_verdict(const Verdict& v);

// Re-syncs the differing rows of a table that differs, then compares it again.
Verdict repair_and_check(Verdict verdict,
                         const config::TableMapping& table,
                         source::Source& source,
                         target::Target& target,
                         state::StateStore& state) {
  if (verdict.ok() || !verdict.record.error.empty()) {
    return verdict;
  }
  if (const auto cutover = state.cutover_in_force(table.source_table)) {
    verdict.record.error = pipeline::cut_over_error(*cutover, "not repaired").message();
    verdict.record.outcome = "error";
    verdict.record.summary = "error: " + verdict.record.error;
    spdlog::error("table={} {}", table.source_table, verdict.record.error);
    return verdict;
  }
  if (verdict.keyless) {
    spdlog::warn("table={} has no key: --repair leaves it to the next run, which replaces its "
                 "content (`migrate --table {}`)",
                 table.source_table,
                 table.source_table);
    return verdict;
  }
  log_verdict(verdict);
  state.record_validation(verdict.record);
  validate::RepairResult repair;
  try {
    const auto view = validate::view_table(table, source);
    repair = validate::repair_chunks(
        view, source, target, verdict.report.plan, chunks_to_repair(verdict));
  } catch (const std::exception& e) {
    spdlog::error("table={} repair=error error={}", table.source_table, quote_field(e.what()));
    verdict.record.error = std::string("repair failed: ") + e.what();
    verdict.record.outcome = "error";
    verdict.record.summary = "error: " + verdict.record.error;
    return verdict;
  }
  spdlog::info("table={} repair inserted={} updated={} deleted={} rejected={} extras_kept_in={}",
               table.source_table,
               repair.inserted,
               repair.updated,
               repair.deleted,
               repair.rejected,
               repair.extras_kept.size());
  auto after = checksum_verdict(table, source, target, state);
  after.record.repaired = true;
  after.repair = repair;
  after.before_repair = verdict.record;
  return after;
}

// What a reader needs to judge a checksum "ok": how exactly the table was compared, and where the
// differences are. Logged, with the table name on each line; a chunk is an error only when it
// holds a real mismatch (not rows in quarantine or changed since the last run).
void log_checksum_notes(const Verdict& v) {
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
                 partly_compared_text(report));
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

// The log file keeps what differed, since the table itself goes only to standard output.
void log_verdict(const Verdict& v) {
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
  spdlog::info("table={} validate={} summary={}", r.table, r.outcome, quote_field(r.summary));
}

std::vector<std::string> table_row(const Verdict& v) {
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
void print_rows(const std::vector<Verdict>& verdicts) {
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

void print_table(const std::vector<Verdict>& verdicts, bool checksum, std::size_t differing) {
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

void write_strings(JsonWriter& json, const std::vector<std::string>& values) {
  json.begin_array();
  for (const auto& value : values) {
    json.value(value);
  }
  json.end_array();
}

void write_checksum(JsonWriter& json, const Verdict& v) {
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

void print_json(const std::vector<Verdict>& verdicts, bool checksum, std::size_t differing) {
  JsonWriter json;
  json.begin_object().key("checksum").value(checksum).key("tables").begin_array();
  for (const auto& v : verdicts) {
    const auto& r = v.record;
    json.begin_object().key("table").value(r.table).key("result").value(v.result());
    json.key("outcome").value(r.outcome).key("summary").value(r.summary);
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

} // namespace

state::ValidationRecord validate_one_table(const config::TableMapping& table,
                                           source::Source& source,
                                           target::Target& target,
                                           state::StateStore& state,
                                           bool checksum) {
  const auto verdict = checksum ? checksum_verdict(table, source, target, state)
                                : count_verdict(table, source, target, state);
  log_verdict(verdict);
  return verdict.record;
}

TableChecksum checksum_one_table(const config::TableMapping& table,
                                 source::Source& source,
                                 target::Target& target,
                                 state::StateStore& state) {
  const auto verdict = checksum_verdict(table, source, target, state);
  log_verdict(verdict);
  return TableChecksum{verdict.record, verdict.report.checksum};
}

CLI::App* setup_validate(CLI::App& app, ValidateOptions& options) {
  auto* command = app.add_subcommand(
      "validate",
      "compare source and target per table and store the result in the state file; PostgreSQL "
      "is written only with --repair");
  auto* checksum = command->add_flag(
      "--checksum",
      options.checksum,
      "also compare the content: chunk digests computed inside both servers, narrowed down to the "
      "differing rows");
  command
      ->add_flag("--repair",
                 options.repair,
                 "re-sync the rows --checksum finds different (deleting extra rows when the "
                 "table's deletes allow it), then compare again")
      ->needs(checksum);
  command->add_flag("--json", options.json, "one JSON document instead of the table");
  return command;
}

int run_validate(const GlobalOptions& global, const ValidateOptions& options) {
  const CommandContext context(global, config::LoadMode::full);
  const auto& config = context.config;
  const auto& tables = context.tables;
  const auto source = context.adapters.source();
  const auto target = context.adapters.target();
  log_connections(config, *source, *target);
  // --repair writes to PostgreSQL as a run does: not while a run is under way (exit code 3). A
  // shared store leases each table instead, as a run does.
  const auto lock = options.repair ? lock_state(config.state) : nullptr;
  const auto state = context.adapters.state();
  std::vector<Verdict> verdicts;
  std::size_t differing = 0;
  for (const auto* table : tables) {
    std::optional<state::TableClaim> claim;
    if (options.repair) {
      // Before the comparison the repair acts on: it writes as a run does.
      claim.emplace(state::TableClaim::acquire(*state, table->source_table, "--repair it"));
    }
    auto verdict = options.checksum ? checksum_verdict(*table, *source, *target, *state)
                                    : count_verdict(*table, *source, *target, *state);
    if (options.repair) {
      verdict = repair_and_check(std::move(verdict), *table, *source, *target, *state);
      claim->release();
    }
    differing += verdict.ok() ? 0U : 1U;
    log_verdict(verdict);
    state->record_validation(verdict.record);
    verdicts.push_back(std::move(verdict));
  }
  spdlog::info("validate{}{} tables={} differing={}",
               options.checksum ? " --checksum" : "",
               options.repair ? " --repair" : "",
               tables.size(),
               differing);
  options.json ? print_json(verdicts, options.checksum, differing)
               : print_table(verdicts, options.checksum, differing);
  return differing == 0 ? k_exit_ok : k_exit_table_failed;
}

} // namespace migrate::cli
