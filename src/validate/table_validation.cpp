#include "migrate/validate/table_validation.hpp"

#include "migrate/core/log_text.hpp"
#include "migrate/validate/count_check.hpp"
#include "migrate/validate/row_search.hpp"
#include "migrate/validate/verdict.hpp"

#include <spdlog/spdlog.h>

#include <map>

namespace migrate::validate {
namespace {

// A table that could not be compared (or repaired): the record says so in each of its fields.
void fail(state::ValidationRecord& record, std::string error) {
  record.error = std::move(error);
  record.outcome = Agreement::error;
  record.summary = "error: " + record.error;
}

// What a run's position says about rows changed since: its cursor (incremental) or the first
// pass's upper bound, both the timestamp column's value up to which the target is complete.
std::optional<std::string> stored_cursor(const TableView& view, state::StateStore& state) {
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

// What may account for a difference in the counts of `check`.
CountFacts count_facts(const TableView& view,
                       const CountCheck& check,
                       source::Source& source,
                       state::StateStore& state) {
  const auto& table = view.mapping->source_table;
  CountFacts facts{check.source_rows, check.target_rows, 0, 0, false};
  facts.excluded_by_where = check.excluded_by_where;
  facts.soft_deleted = check.soft_deleted;
  // A first pass stopped on the way (max_runtime, a failure) has not reached the rows after its
  // key; the rows it loaded may have changed since its bound.
  const auto position = state.position(table);
  std::vector<std::string> loaded_up_to;
  if (position && position->phase == Pass::initial && !position->key.empty()) {
    loaded_up_to = position->key;
    facts.first_pass_left = count_after_key(view, source, loaded_up_to);
  }
  if (const auto cursor = stored_cursor(view, state)) {
    facts.changed_since_run = count_changed_since(view, source, *cursor, loaded_up_to);
  }
  facts.quarantined = quarantined_keys(state, table).size();
  facts.deletes_kept = view.deletes == config::DeletePolicy::ignore;
  return facts;
}

// The keys changed in MySQL since the stored cursor, read only in the chunks holding `found`.
std::set<std::string> changed_keys(const TableVerdict& verdict,
                                   const TableView& view,
                                   const std::vector<KeyedDifference>& found,
                                   source::Source& source,
                                   state::StateStore& state) {
  std::set<std::string> changed;
  if (const auto cursor = stored_cursor(view, state)) {
    std::set<std::string> chunks;
    for (const auto& row : found) {
      chunks.insert(row.chunk);
    }
    for (const auto& id : chunks) {
      const auto keys = changed_since(view, source, *cursor, ChunkFilter{&verdict.report.plan, id});
      changed.insert(keys.begin(), keys.end());
    }
  }
  return changed;
}

// Each differing row said why it differs: rows changed since the last run, quarantined rows and
// rows an unfinished first pass has not reached are legitimate, so are extra rows a `deletes:
// ignore` mapping keeps.
void explain_rows(TableVerdict& verdict,
                  const TableView& view,
                  const std::vector<KeyedDifference>& found,
                  source::Source& source,
                  state::StateStore& state) {
  const auto quarantined = quarantined_keys(state, verdict.table());
  const auto changed = changed_keys(verdict, view, found, source, state);
  // An unfinished first pass has not reached the rows after its key.
  const auto position = state.position(verdict.table());
  const bool first_pass = position && position->phase == Pass::initial
                          && position->key.size() == view.plan.key_positions.size()
                          && !position->key.empty();
  std::vector<std::optional<std::string>> reached;
  if (first_pass) {
    reached.assign(position->key.begin(), position->key.end());
  }
  for (const auto& row : found) {
    const RowReasons reasons{changed.count(row.key) != 0,
                             quarantined.count(row.key) != 0,
                             view.deletes == config::DeletePolicy::ignore,
                             first_pass && key_less(reached, row.values),
                             !row.written_by_migrate};
    auto explanation = explain_row(row.difference, reasons);
    if (is_mismatch(explanation)) {
      verdict.chunks_with_mismatches.insert(row.chunk);
    }
    verdict.record.rows.push_back(state::DifferingRow{
        row.key, std::move(explanation), describe_chunk(verdict.report.plan, row.chunk)});
  }
}

// The chunk digests of both sides, then the rows of the chunks that differ, each explained.
void compare_content(TableVerdict& verdict,
                     const config::TableMapping& table,
                     source::Source& source,
                     target::Target& target,
                     state::StateStore& state) {
  auto& r = verdict.record;
  const auto keys = quarantined_keys(state, table.source_table);
  r.quarantined = keys.size();
  verdict.report = pipeline::checksum_table(
      table, source, target, std::vector<std::string>(keys.begin(), keys.end()));
  const auto& report = verdict.report;
  r.source_rows = report.source_rows;
  r.chunks_compared = report.chunks_compared;
  const auto view = view_table(table, source);
  r.target_rows = target.count_rows(view.target);
  const std::set<std::string> differing(report.differing_ids.begin(), report.differing_ids.end());
  r.chunks_differing = differing.size();
  if (view.plan.key_positions.empty() || view.plan.sync == config::SyncMode::replace) {
    // Compared whole: no key names a row. The next run replaces the content.
    verdict.keyless = true;
    verdict.chunks_without_rows.assign(differing.begin(), differing.end());
  } else {
    auto found = find_differing_rows(view, source, target, report.plan, report.differing_ids);
    verdict.chunks_without_rows = found.chunks_without_rows;
    explain_rows(verdict, view, found.rows, source, state);
  }
}

} // namespace

std::string TableVerdict::result() const {
  if (!record.error.empty()) {
    return "error";
  }
  return ok() ? "ok" : record.checksum ? "DIFFERS" : "MISMATCH";
}

std::string partly_compared_text(const pipeline::ChecksumReport& report) {
  std::string out;
  for (const auto& column : report.partly_compared) {
    out += (out.empty() ? "" : ", ") + column;
  }
  return out.empty() ? "every column by its normalised text" : out;
}

TableVerdict count_verdict(const config::TableMapping& table,
                           source::Source& source,
                           target::Target& target,
                           state::StateStore& state) {
  TableVerdict verdict;
  auto& r = verdict.record;
  // MySQL's table described once, for the counts and for what explains a difference.
  std::optional<TableView> view;
  CountCheck check;
  try {
    view = view_table(table, source);
    check = check_counts(*view, source, target);
  } catch (const std::exception& e) {
    check.table = table.source_table;
    check.error = e.what();
  }
  r.table = check.table;
  r.source_rows = check.source_rows;
  r.target_rows = check.target_rows;
  if (!check.error.empty()) {
    fail(r, check.error);
    return verdict;
  }
  try {
    const auto counts = classify_counts(count_facts(*view, check, source, state));
    r.behind = counts.behind;
    r.quarantined = counts.quarantined;
    r.unexplained = counts.unexplained();
    r.outcome = counts.agreement;
    r.summary = counts.text() + held_back_text(state, table.source_table);
  } catch (const std::exception& e) {
    fail(r, e.what());
  }
  return verdict;
}

void summarise_rows(TableVerdict& verdict) {
  auto& r = verdict.record;
  std::map<std::string, std::uint64_t> by_kind;
  for (const auto& row : r.rows) {
    ++by_kind[row.difference];
  }
  std::string mismatch;
  std::string legitimate;
  for (const auto& [kind, n] : by_kind) {
    auto& text = is_mismatch(kind) ? mismatch : legitimate;
    text += (text.empty() ? "" : ", ") + std::to_string(n) + " " + kind;
    r.unexplained += is_mismatch(kind) ? n : 0;
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
  r.outcome = !mismatch.empty() ? Agreement::mismatch
              : r.behind > 0    ? Agreement::behind
              : quarantine      ? Agreement::quarantine
                                : Agreement::in_sync;
  r.summary = mismatch.empty()
                  ? (legitimate.empty() ? "in sync" : legitimate)
                  : "DIFFERS: " + mismatch + (legitimate.empty() ? "" : "; " + legitimate);
}

TableVerdict checksum_verdict(const config::TableMapping& table,
                              source::Source& source,
                              target::Target& target,
                              state::StateStore& state) {
  TableVerdict verdict;
  auto& r = verdict.record;
  r.table = table.source_table;
  r.checksum = true;
  try {
    compare_content(verdict, table, source, target, state);
    summarise_rows(verdict);
    if (!verdict.report.exact) {
      // Never an "in sync" that claims more than was compared.
      r.summary += "; compared in part only: " + partly_compared_text(verdict.report)
                   + " (the next run adds row seals)";
    }
  } catch (const std::exception& e) {
    fail(r, e.what());
  }
  return verdict;
}

std::vector<std::string> chunks_to_repair(const TableVerdict& verdict) {
  std::set<std::string> ids(verdict.chunks_without_rows.begin(), verdict.chunks_without_rows.end());
  ids.insert(verdict.chunks_with_mismatches.begin(), verdict.chunks_with_mismatches.end());
  return {ids.begin(), ids.end()};
}

TableVerdict repair_and_check(TableVerdict verdict,
                              const config::TableMapping& table,
                              source::Source& source,
                              target::Target& target,
                              state::StateStore& state,
                              const std::function<void(const TableVerdict&)>& before_repair) {
  if (verdict.ok() || !verdict.record.error.empty()) {
    return verdict;
  }
  if (const auto cutover = state.cutover_in_force(table.source_table)) {
    fail(verdict.record, pipeline::cut_over_error(*cutover, "not repaired").message());
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
  before_repair(verdict);
  state.record_validation(verdict.record);
  RepairResult repair;
  try {
    const auto view = view_table(table, source);
    repair = repair_chunks(view, source, target, verdict.report.plan, chunks_to_repair(verdict));
  } catch (const std::exception& e) {
    spdlog::error("table={} repair=error error={}", table.source_table, quote_field(e.what()));
    fail(verdict.record, std::string("repair failed: ") + e.what());
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

} // namespace migrate::validate
