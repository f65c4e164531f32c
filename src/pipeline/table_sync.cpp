#include "migrate/pipeline/table_sync.hpp"

#include "pipeline/batch_stream.hpp"
#include "pipeline/comparison.hpp"
#include "pipeline/ranged_load.hpp"
#include "pipeline/run_state.hpp"

#include "migrate/convert/compare_plan.hpp"
#include "migrate/convert/copy_binary.hpp"
#include "migrate/convert/row_digest.hpp"
#include "migrate/convert/row_encoder.hpp"
#include "migrate/core/error.hpp"
#include "migrate/core/log_text.hpp"
#include "migrate/core/parallel.hpp"
#include "migrate/core/retry.hpp"
#include "migrate/core/timestamp_text.hpp"
#include "migrate/pipeline/run_rules.hpp"
#include "migrate/validate/schema_changes.hpp"
#include "migrate/validate/schema_drift.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_set>

namespace migrate::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

// Whether the existing target lacks a column only the tool adds (the row digest, the soft-delete
// mark): the description already read says, so most runs ask PostgreSQL nothing more.
bool lacks_tool_columns(const TargetTable& wanted, const TargetTable& existing) {
  const auto has = [&](const std::string& name) {
    return std::any_of(existing.columns.begin(),
                       existing.columns.end(),
                       [&](const TargetColumn& column) { return column.name == name; });
  };
  return !has(k_digest_column) || !has(k_seal_column)
         || (!wanted.soft_delete_column.empty() && !has(wanted.soft_delete_column));
}

class TableRun {
public:
  TableRun(const config::TableMapping& mapping,
           source::Source& source,
           target::Target& target,
           state::StateStore& state,
           const SyncOptions& options)
      : m_run(mapping, source, target, state, options) {}

  TableResult run();

private:
  void run_with_retries();
  void attempt_run();
  void fail(const Error& e);
  void set_pass(RunMode::Pass pass);
  void finish(Clock::time_point started);
  void prepare();
  void apply_schema_changes(const TargetTable& existing, const std::vector<std::string>& drift);
  std::optional<state::Position> starting_position();
  void run_pass(const PassChoice& choice, const std::optional<state::Position>& position);
  void log_key_choice() const;
  void full_pass(const std::optional<state::Position>& position);
  void initial_pass(const std::optional<state::Position>& position);
  void incremental_pass(const state::Position& position);
  // One slice of the chunks (verify_every) or, by default, all of them.
  struct Slice {
    std::size_t count = 1;
    std::size_t index = 0;
  };
  void compare_pass(Slice slice);
  void leave_target_edits(ChunkDiff& diff);
  void guard_mass_delete(std::uint64_t deleting, std::uint64_t target_rows);
  void compare_pass() { compare_pass(Slice{1, 0}); }
  Slice verify_slice();
  std::uint64_t successful_runs(); // earlier successful runs of the table, asked once
  void replace_pass();
  bool compare_due();
  state::Position loaded_position(const std::string& bound);
  target::LoadMode load_mode(bool resume);
  void null_timestamp_pass();

  RunState m_run; // declared first: m_table_load holds a reference to it
  TableLoad m_table_load{m_run};
};

TableResult TableRun::run() {
  const auto& table = m_run.mapping.source_table;
  m_run.result.table = table;
  m_run.result.started = std::chrono::system_clock::now();
  const auto started = Clock::now();
  m_run.run_id = m_run.store.begin_run(table);
  if (const auto cutover = m_run.store.cutover_in_force(table)) {
    // PostgreSQL is the application's now: a sync would overwrite or delete what it wrote.
    fail(cut_over_error(*cutover, "not synced"));
    finish(started);
    return m_run.result;
  }
  for (const auto& entry : m_run.store.quarantined(table)) {
    m_run.quarantined_keys.insert(entry.key);
  }
  try {
    run_with_retries();
  } catch (const Error& e) {
    fail(e);
  } catch (const std::exception& e) {
    fail(Error(ErrorArea::internal, e.what()));
  }
  finish(started);
  return m_run.result;
}

// Keeps the error whole, with the table filled in where the adapter could not know it.
void TableRun::fail(const Error& e) {
  m_run.result.outcome = Outcome::failed;
  m_run.result.error = e.context().table.empty() ? e.with_table(m_run.mapping.source_table) : e;
  spdlog::log(m_run.result.deadline_reached() ? spdlog::level::warn : spdlog::level::err,
              "table={} outcome={} error={}",
              m_run.mapping.source_table,
              outcome_word(m_run.result),
              quote_field(e.what()));
}

// A transient failure (a lost connection, a deadlock, a lock or server going away) runs the table
// again from its last committed position: only the commit group in flight is read again, and an
// in-doubt commit is resolved by that re-read, whichever way it went, since merges are idempotent.
void TableRun::run_with_retries() {
  const auto& retry = m_run.options.retry;
  with_retries(
      retry.attempts,
      retry.max_wait,
      [&] { attempt_run(); },
      [&](std::size_t attempt, std::chrono::milliseconds wait, const Error& e) {
        if (m_run.options.deadline && Clock::now() + wait > *m_run.options.deadline) {
          return false;
        }
        ++m_run.result.counts.retries;
        spdlog::warn("table={} retry={}/{} wait_s={:.1f} error=\"{}\"",
                     m_run.mapping.source_table,
                     attempt,
                     retry.attempts,
                     std::chrono::duration<double>(wait).count(),
                     e.what());
        return true;
      });
}

void TableRun::attempt_run() {
  m_run.result.mode = {}; // the attempt that succeeds says what was done
  prepare();
  m_run.target_empty_cache.reset();
  const auto position = starting_position();
  PassInputs inputs;
  inputs.replace = m_run.plan.sync == config::SyncMode::replace;
  inputs.has_timestamp = m_run.plan.timestamp_position.has_value();
  inputs.position = position;
  inputs.target_empty = m_run.target_empty();
  inputs.full = m_run.options.full;
  inputs.reload = m_run.options.reload;
  inputs.deletes = m_run.deletes != config::DeletePolicy::ignore;
  inputs.compare_due = inputs.deletes && compare_due();
  inputs.verify = m_run.mapping.verify_every > 0;
  run_pass(choose_pass(inputs), position);
}

void TableRun::finish(Clock::time_point started) {
  const auto& table = m_run.mapping.source_table;
  m_run.result.finished = std::chrono::system_clock::now();
  if (const auto position = m_run.store.position(table)) {
    m_run.result.watermark = position->to_string();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  m_run.result.counts.quarantined = m_run.rejections.rows();
  const auto& c = m_run.result.counts;
  spdlog::info("table={} mode={} outcome={} read={} inserted={} updated={} unchanged={} deleted={} "
               "found_by_comparison={} took_s={:.2f} rows_per_s={:.0f}",
               table,
               to_string(m_run.result.mode),
               outcome_word(m_run.result),
               c.rows_read,
               c.inserted,
               c.updated,
               c.unchanged,
               c.deleted,
               c.found_by_comparison,
               seconds,
               seconds > 0 ? static_cast<double>(c.rows_read) / seconds : 0.0);
  m_run.rejections.log(table);
  if (c.repaired_encodings + c.bad_text_fixed > 0) {
    spdlog::info("table={} repaired_encodings={} bad_text_fixed={}",
                 table,
                 c.repaired_encodings,
                 c.bad_text_fixed);
  }
  if (c.null_timestamps > 0) {
    spdlog::info("table={} null_timestamps={} (read by IS NULL, not by the cursor)",
                 table,
                 c.null_timestamps);
  }
  m_run.store.finish_run(m_run.run_id, m_run.result);
}

// The first pass of the run names it; --reload keeps its name over the passes it runs.
void TableRun::set_pass(RunMode::Pass pass) {
  if (m_run.result.mode.pass == RunMode::Pass::none) {
    m_run.result.mode.pass = pass;
  }
}

void TableRun::run_pass(const PassChoice& choice, const std::optional<state::Position>& position) {
  if (m_run.options.reload) {
    spdlog::info("table={} --reload: reading every row again", m_run.mapping.source_table);
    m_run.result.mode.pass = RunMode::Pass::reload;
  }
  const auto resume_from = choice.resume ? position : std::nullopt;
  switch (choice.pass) {
  case PassKind::replace:
    replace_pass();
    break;
  case PassKind::full:
    full_pass(resume_from);
    break;
  case PassKind::initial:
    initial_pass(resume_from);
    if (choice.catch_up) {
      incremental_pass(loaded_position(m_run.result.upper_bound));
      null_timestamp_pass();
    }
    break;
  case PassKind::incremental:
    incremental_pass(*position);
    null_timestamp_pass();
    break;
  case PassKind::compare:
    if (choice.store_bound) {
      const auto bound = m_run.upper_bound();
      m_run.result.upper_bound = bound;
      compare_pass();
      m_run.save_position(loaded_position(bound));
    } else {
      compare_pass();
    }
    break;
  }
  if (choice.compare_after) {
    if (choice.resume) {
      // Rows copied before the interruption may have changed or gone since.
      spdlog::info("table={} resumed pass finished: comparing the rows copied before it",
                   m_run.mapping.source_table);
    }
    compare_pass(choice.slice_only ? verify_slice() : Slice{1, 0});
  }
}

// The stored position (or --since), unless the target it was taken on is gone: then the rows
// before it are not in the target, and only a full read puts them back.
std::optional<state::Position> TableRun::starting_position() {
  if (m_run.plan.sync == config::SyncMode::replace) {
    return std::nullopt; // a replacement compares the whole table every run
  }
  const auto& table = m_run.mapping.source_table;
  std::optional<state::Position> position;
  if (m_run.options.since) {
    position = state::Position{state::Phase::incremental, *m_run.options.since, {}, {}};
  } else if (!m_run.options.full) {
    position = m_run.store.position(table);
  }
  if (position) {
    const TargetFacts facts{m_run.created, m_run.target_empty(), m_run.target_id};
    const auto trust = trust_position(position, facts);
    if (trust != PositionTrust::trusted) {
      // An empty target is most often an empty source; a replaced one is always news.
      spdlog::log(trust == PositionTrust::target_emptied ? spdlog::level::info
                                                         : spdlog::level::warn,
                  "table={} position={} is void: {}; reading the whole table again",
                  table,
                  quote_field(position->to_string()),
                  to_string(trust));
      // Cleared now, so that a run that fails before its first commit cannot resume from it.
      m_run.store.clear_position(table);
      return std::nullopt;
    }
  }
  if (position && !position->key.empty()
      && position->key.size() != m_run.plan.key_positions.size()) {
    throw Error(ErrorArea::state,
                "the stored position has " + std::to_string(position->key.size())
                    + " key values but the primary key now has "
                    + std::to_string(m_run.plan.key_positions.size())
                    + " columns: run this table with --full to start from a new position",
                ErrorContext{.table = table});
  }
  return position;
}

void TableRun::prepare() {
  m_run.source_table = m_run.source.describe(m_run.mapping.source_table);
  m_run.plan = convert::plan_table(m_run.source_table, m_run.mapping);
  log_key_choice();
  m_run.deletes = convert::delete_policy(m_run.mapping, m_run.plan);
  m_run.target_table = convert::target_table(m_run.mapping, m_run.plan);
  auto existing = m_run.target.describe(m_run.mapping.target_schema, m_run.mapping.target_table);
  if (!existing) {
    m_run.target.create_table(m_run.target_table);
    m_run.keys_pending = true;
    m_run.created = true;
    m_run.target_id = m_run.target.identity(m_run.target_table);
    spdlog::info("table={} created target {} (keys follow the first load)",
                 m_run.mapping.source_table,
                 m_run.target_table.qualified_name());
    return;
  }
  m_run.target_id = m_run.target.identity(m_run.target_table);
  if (existing->primary_key.empty() && !m_run.target_table.primary_key.empty()) {
    // A first load that was interrupted before its keys were built.
    spdlog::info("table={} building the primary key of {}",
                 m_run.mapping.source_table,
                 existing->qualified_name());
    m_run.target.build_keys(m_run.target_table);
    existing = m_run.target.describe(m_run.mapping.target_schema, m_run.mapping.target_table);
  }
  if (lacks_tool_columns(m_run.target_table, *existing)) {
    m_run.target.ensure_tool_columns(m_run.target_table);
  }
  if (!m_run.target_table.indexes.empty()) {
    m_run.target.relax_unique_indexes(m_run.target_table);
  }
  const auto drift = validate::schema_drift(m_run.target_table, *existing);
  if (!drift.empty()) {
    apply_schema_changes(*existing, drift);
  }
}

// What MySQL added reaches the target before any row does. Nothing moves into a table that cannot
// take the rows, and nothing is dropped or narrowed without a person: the other tables go on.
void TableRun::apply_schema_changes(const TargetTable& existing,
                                    const std::vector<std::string>& drift) {
  const auto& table = m_run.mapping.source_table;
  const auto plan = validate::plan_schema_changes(m_run.target_table, existing);
  if (m_run.mapping.schema_changes == config::SchemaChanges::fail || !plan.refused.empty()) {
    const auto& problems = plan.refused.empty() ? drift : plan.refused;
    std::string message = "schema drift in " + existing.qualified_name() + ": ";
    for (std::size_t i = 0; i < problems.size(); ++i) {
      message += (i == 0 ? "" : "; ") + problems[i];
    }
    message += plan.refused.empty()
                   ? " (schema_changes: fail; `migrate schema --diff` shows the DDL a run with "
                     "schema_changes: apply would run)"
                   : " (not applied by the tool: change the PostgreSQL table yourself, or the "
                     "mapping; `migrate schema` shows the table it expects)";
    throw Error(ErrorArea::target, message, ErrorContext{.table = table});
  }
  if (plan.adds_columns()) {
    // The existing rows hold NULL in the new column: every row is read again (a row that did not
    // change costs no write). Cleared before the ALTER, so that a run stopped after it still does.
    spdlog::info("table={} new columns: reading every row again to fill them", table);
    m_run.store.clear_position(table);
  }
  m_run.target.alter_table(m_run.target_table, plan.changes);
  for (const auto& change : plan.changes) {
    spdlog::info("table={} schema change applied to {}: {}",
                 table,
                 existing.qualified_name(),
                 change.describe());
    m_run.result.schema_changes.push_back(existing.qualified_name() + ": " + change.describe());
  }
}

void TableRun::log_key_choice() const {
  const auto& table = m_run.mapping.source_table;
  if (m_run.plan.key.origin == convert::KeyChoice::Origin::unique_key) {
    spdlog::info(
        "table={} using unique key {} as the key", table, convert::describe(m_run.plan.key));
  } else if (m_run.plan.key.origin == convert::KeyChoice::Origin::none) {
    spdlog::info("table={} has no primary key and no unique key over NOT NULL columns: synced by "
                 "replacement",
                 table);
  }
}

// A table without a timestamp column is read whole, in key order; the merge skips unchanged rows.
void TableRun::full_pass(const std::optional<state::Position>& position) {
  set_pass(RunMode::Pass::full);
  auto read = m_run.request(source::ReadOrder::by_key);
  const bool resume = position && position->phase == state::Phase::initial;
  if (!resume) {
    if (const auto load = ranged_load_plan(m_run, false)) {
      ranged_load(m_run, m_table_load, *load);
      m_run.store.clear_position(m_run.mapping.source_table);
      forget_ranges(m_run, load->ranges);
      return;
    }
  }
  if (resume) {
    read.after_key = position->key;
  }
  const auto session = m_run.target.begin_load(m_run.target_table, load_mode(resume));
  m_table_load.stream(
      read,
      *session,
      CommitRules{m_run.mapping.commit_rows, [](const Cursor& last) {
                    return state::Position{state::Phase::initial, std::nullopt, last.key, {}};
                  }});
  m_run.finish_keys();
  m_run.store.clear_position(m_run.mapping.source_table);
}

// The first pass of a timestamp table reads in key order (the clustered index, no sort) and takes
// every row, NULL timestamps included. Its upper bound becomes the first watermark.
void TableRun::initial_pass(const std::optional<state::Position>& position) {
  set_pass(RunMode::Pass::initial);
  auto read = m_run.request(source::ReadOrder::by_key);
  const bool resume = position && position->timestamp;
  if (!resume) {
    if (const auto load = ranged_load_plan(m_run, true)) {
      m_run.result.upper_bound = *load->bound;
      ranged_load(m_run, m_table_load, *load);
      // The table's position first: a run stopped before the ranges are forgotten is incremental.
      const auto loaded = loaded_position(*load->bound);
      m_run.save_position(loaded);
      forget_ranges(m_run, load->ranges);
      if (load->resumed) {
        // Begun by an earlier run, it ends at that run's bound: catch up to this run's.
        incremental_pass(loaded);
        null_timestamp_pass();
      }
      return;
    }
  }
  const std::string bound = resume ? *position->timestamp : m_run.upper_bound();
  m_run.result.upper_bound = bound;
  if (resume) {
    read.after_key = position->key;
    spdlog::info(
        "table={} resuming initial pass {}", m_run.mapping.source_table, position->to_string());
  }
  const auto session = m_run.target.begin_load(m_run.target_table, load_mode(resume));
  m_table_load.stream(
      read,
      *session,
      CommitRules{m_run.mapping.commit_rows, [bound](const Cursor& last) {
                    return state::Position{state::Phase::initial, bound, last.key, {}};
                  }});
  m_run.finish_keys();
  m_run.save_position(loaded_position(bound));
}

// The position after a pass that took every row up to `bound` in key order: the bound where it is
// trusted, else the newest row the table holds up to it (loaded_watermark).
state::Position TableRun::loaded_position(const std::string& bound) {
  // Asked again by the catch-up after a first load: one MAX() query (a scan without an index).
  if (m_run.loaded_cache && m_run.loaded_cache->first == bound) {
    return m_run.loaded_cache->second;
  }
  const auto& column = m_run.plan.columns[*m_run.plan.timestamp_position].source;
  const bool trusted =
      column.data_type == "timestamp" || !m_run.mapping.timestamp_time_zone.empty();
  const auto newest =
      trusted ? std::nullopt
              : m_run.source.newest_timestamp(m_run.mapping.source_table, column.name, bound);
  auto watermark = loaded_watermark(bound, newest, trusted);
  if (watermark != bound) {
    spdlog::info("table={} position at the newest row, {}, short of the bound {}",
                 m_run.mapping.source_table,
                 watermark.value_or("(none: no row is stamped)"),
                 bound);
  }
  m_run.loaded_cache.emplace(
      bound, state::Position{state::Phase::incremental, std::move(watermark), {}, {}});
  return m_run.loaded_cache->second;
}

void TableRun::incremental_pass(const state::Position& position) {
  m_run.finish_keys(); // --since on a table created by this run
  set_pass(RunMode::Pass::incremental);
  auto read = m_run.request(source::ReadOrder::by_timestamp_then_key);
  read.until_timestamp = m_run.upper_bound();
  m_run.result.upper_bound = *read.until_timestamp;
  // The lookback re-reads a window behind the watermark for transactions that committed late with
  // an older timestamp; rows that did not change cost no write (the merge skips them).
  auto start = incremental_start(position, m_run.mapping.lookback);
  read.after_timestamp = std::move(start.after_timestamp);
  read.after_key = std::move(start.after_key);
  const auto session = m_run.target.begin_load(m_run.target_table, m_run.merge_mode());
  m_table_load.stream(
      read,
      *session,
      CommitRules{m_run.mapping.commit_rows, [position](const Cursor& last) {
                    return advance_position(
                        position,
                        state::Position{state::Phase::incremental, last.timestamp, last.key, {}});
                  }});
}

// A row whose timestamp is NULL never passes the cursor, nor does one stamped with the zero date
// after the cursor stood on it (nothing orders below it, so no lookback reaches it). Those rows
// are read by key and merged whenever their count differs between the two sides (a zero date is
// loaded as NULL unless zero_date names a sentinel, which makes the counts differ and the rows
// merged every run), and at the comparison cadence (compare_every) to catch an edit that kept the
// count.
void TableRun::null_timestamp_pass() {
  const auto& column = m_run.plan.columns[*m_run.plan.timestamp_position];
  const auto& table = m_run.mapping.source_table;
  auto read = m_run.request(source::ReadOrder::by_key);
  read.only_null_or_zero_timestamp = true;
  const auto source_nulls = m_run.source.count_rows(read);
  if (!column.source.nullable && source_nulls == 0) {
    return; // the target's count would be a scan for nothing
  }
  const auto target_nulls = m_run.target.count_null(m_run.target_table, column.target_name);
  const bool due = compare_due();
  if (source_nulls == target_nulls && !due) {
    return;
  }
  spdlog::info("table={} null_timestamps source={} target={}{}: merging the rows whose {} is NULL "
               "or the zero date",
               table,
               source_nulls,
               target_nulls,
               due ? " comparison_due=true" : "",
               column.source.name);
  const auto session = m_run.target.begin_load(m_run.target_table, m_run.merge_mode());
  m_table_load.stream(read, *session, CommitRules{m_run.mapping.commit_rows, {}});
}

// The comparison runs when the number of earlier successful runs (the first load included) is a
// multiple of compare_every: every run with the default of 1.
bool TableRun::compare_due() {
  return successful_runs() % m_run.mapping.compare_every == 0;
}

// The slice of the table this run verifies: the runs take the verify_every slices in turn.
TableRun::Slice TableRun::verify_slice() {
  return Slice{m_run.mapping.verify_every, successful_runs() % m_run.mapping.verify_every};
}

std::uint64_t TableRun::successful_runs() {
  if (!m_run.successful_runs_cache) {
    m_run.successful_runs_cache = m_run.store.successful_runs(m_run.mapping.source_table);
  }
  return *m_run.successful_runs_cache;
}

// Compares the table chunk by chunk inside both engines and fetches only the chunks that differ;
// each is reconciled in one transaction: upsert what the source has, delete what it has not.
void TableRun::compare_pass(Slice slice) {
  m_run.finish_keys();
  set_pass(RunMode::Pass::compare);
  (slice.count > 1 ? m_run.result.mode.verified : m_run.result.mode.compared) = true;
  auto planned = plan_comparison(m_run.mapping, m_run.plan, m_run.source);
  set_slice(planned.plan, planned.range, slice.count, slice.index);
  // Exact on both sides: a row changed in MySQL changes its digest there, a row changed in
  // PostgreSQL by anything but migrate breaks its seal; either makes its chunk read again.
  auto diff = diff_chunks(planned,
                          m_run.mapping,
                          m_run.source,
                          m_run.target,
                          m_run.target_table,
                          DigestOf::source_values);
  if (m_run.options.leave_target_edits && diff.rows_unsealed > 0) {
    leave_target_edits(diff);
  }
  if (diff.source_rows == 0 && diff.target_has_rows
      && m_run.deletes != config::DeletePolicy::ignore) {
    // An empty read is more often a wrong database or a failed restore than a real truncate.
    throw Error(ErrorArea::source,
                "the MySQL table is empty but the target is not: refusing to delete every row "
                "(empty the target by hand if this is intended)",
                ErrorContext{.table = m_run.mapping.source_table});
  }
  if (m_run.deletes != config::DeletePolicy::ignore) {
    guard_mass_delete(diff.surplus, diff.target_rows);
  }
  const auto& plan = diff.plan;
  const auto& differing = diff.differing;
  m_run.result.counts.chunks_compared += diff.compared;
  m_run.result.counts.chunks_differing += differing.size();
  spdlog::info("table={} chunks_compared={} chunks_differing={} chunking={} width={}",
               m_run.mapping.source_table,
               diff.compared,
               differing.size(),
               plan.chunking.kind == Chunking::Kind::range ? "key-range" : "key-hash",
               plan.chunking.width_or_buckets);
  if (differing.empty()) {
    return;
  }
  const auto moved_before = m_run.result.counts.moved();
  const auto session = m_run.target.begin_load(m_run.target_table, m_run.merge_mode());
  for (const auto& id : differing) {
    auto read = m_run.request(source::ReadOrder::by_key);
    read.chunk = ChunkFilter{&plan, id};
    const target::Reconcile reconcile{ChunkFilter{&plan, id},
                                      m_run.deletes == config::DeletePolicy::soft};
    const bool deletes = m_run.deletes != config::DeletePolicy::ignore;
    // A chunk is staged whole in one transaction, so that what is not staged is really gone.
    m_table_load.stream(
        read,
        *session,
        CommitRules{std::numeric_limits<std::size_t>::max(), {}, deletes ? &reconcile : nullptr});
  }
  // Rows a timestamp cursor did not see: in a table with one, a sign of stamps not kept up.
  m_run.result.counts.found_by_comparison += m_run.result.counts.moved() - moved_before;
}

// Takes the chunks holding rows changed in PostgreSQL by something other than migrate out of the
// repair: the cutover's checksum names those rows and stops, rather than overwrite what may be
// the application's first writes.
void TableRun::leave_target_edits(ChunkDiff& diff) {
  spdlog::warn("table={} rows_changed_in_postgresql={} chunks={}: left as they are for the "
               "checksum to name",
               m_run.mapping.source_table,
               diff.rows_unsealed,
               diff.unsealed_chunks.size());
  const std::set<std::string> left(diff.unsealed_chunks.begin(), diff.unsealed_chunks.end());
  diff.differing.erase(std::remove_if(diff.differing.begin(),
                                      diff.differing.end(),
                                      [&](const auto& id) { return left.count(id) != 0; }),
                       diff.differing.end());
}

// A bad script or a half-restored source looks like a mass delete: refused before anything is
// deleted, with the figures, unless the day it is meant (--allow-mass-delete, max_delete_ratio).
void TableRun::guard_mass_delete(std::uint64_t deleting, std::uint64_t target_rows) {
  if (m_run.options.allow_mass_delete
      || !exceeds_delete_ratio(deleting, target_rows, m_run.mapping.max_delete_ratio)) {
    return;
  }
  throw Error(ErrorArea::source,
              fmt::format("MySQL lacks at least {} of the target's {} rows ({:.0f}%), more than "
                          "max_delete_ratio {:.0f}%: refusing to delete them (a bad script or a "
                          "half-restored source?); nothing was deleted. If the deletes are real, "
                          "run with --allow-mass-delete or raise max_delete_ratio",
                          deleting,
                          target_rows,
                          100.0 * static_cast<double>(deleting) / static_cast<double>(target_rows),
                          100.0 * m_run.mapping.max_delete_ratio),
              ErrorContext{.table = m_run.mapping.source_table});
}

// A table without a key is compared whole (row count and a digest in which every copy of a row
// counts) and, when it differs, its content is replaced in one transaction. No position is kept.
void TableRun::replace_pass() {
  m_run.result.mode.pass = RunMode::Pass::replace;
  const auto& table = m_run.mapping.source_table;
  convert::check_replace_size(m_run.mapping,
                              m_run.source.count_rows(m_run.request(source::ReadOrder::by_key)));
  const auto diff = diff_chunks(plan_comparison(m_run.mapping, m_run.plan, m_run.source),
                                m_run.mapping,
                                m_run.source,
                                m_run.target,
                                m_run.target_table,
                                DigestOf::source_values);
  m_run.result.counts.chunks_compared += diff.compared;
  m_run.result.counts.chunks_differing += diff.differing.size();
  if (diff.source_rows == 0 && diff.target_has_rows) {
    // As in the comparison: an empty read is more often a wrong database than a real truncate.
    throw Error(ErrorArea::source,
                "the MySQL table is empty but the target is not: refusing to delete every row "
                "(empty the target by hand if this is intended)",
                ErrorContext{.table = table});
  }
  guard_mass_delete(diff.surplus, diff.target_rows);
  spdlog::info("table={} source_rows={} whole_table_differs={}",
               table,
               diff.source_rows,
               diff.differing.empty() ? "no" : "yes");
  if (!diff.differing.empty()) {
    const auto session = m_run.target.begin_load(m_run.target_table, target::LoadMode::replace);
    m_table_load.stream(m_run.request(source::ReadOrder::by_key),
                        *session,
                        CommitRules{std::numeric_limits<std::size_t>::max(), {}, nullptr, true});
  }
  m_run.finish_keys();
  m_run.store.clear_position(table); // left by an earlier sync by key, if any
}

target::LoadMode TableRun::load_mode(bool resume) {
  if (resume || !m_run.target_empty()) {
    return m_run.merge_mode();
  }
  m_run.begin_first_load();
  return target::LoadMode::direct;
}

} // namespace

Error cut_over_error(const state::CutoverRecord& cutover, const std::string& not_done) {
  return Error(ErrorArea::config,
               "cut over at " + cutover.at + " by " + cutover.by + "; " + not_done
                   + " (PostgreSQL is the application's now; `migrate cutover "
                     "--revert "
                   + cutover.table + "` hands it back to the sync)",
               ErrorContext{.table = cutover.table});
}

TableResult sync_table(const config::TableMapping& mapping,
                       source::Source& source,
                       target::Target& target,
                       state::StateStore& state,
                       const SyncOptions& options) {
  return TableRun(mapping, source, target, state, options).run();
}

} // namespace migrate::pipeline
