#include "migrate/pipeline/table_sync.hpp"

#include "pipeline/passes.hpp"

#include "migrate/convert/key_choice.hpp"
#include "migrate/convert/table_plan.hpp"
#include "migrate/core/error.hpp"
#include "migrate/core/log_text.hpp"
#include "migrate/core/retry.hpp"
#include "migrate/pipeline/run_rules.hpp"
#include "migrate/validate/schema_changes.hpp"
#include "migrate/validate/schema_drift.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <vector>

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

// One table's run, its lifecycle only: the attempts, the schema check and the choice of pass. The
// passes are in passes.cpp, the loads in ranged_load.cpp and table_load.cpp.
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
  void finish(Clock::time_point started);
  void prepare();
  void apply_schema_changes(const TargetTable& existing, const std::vector<std::string>& drift);
  std::optional<state::Position> starting_position();
  void run_pass(const PassChoice& choice, const std::optional<state::Position>& position);
  void log_key_choice() const;

  RunState m_run; // declared first: m_table_load holds a reference to it
  TableLoad m_table_load{m_run};
};

TableResult TableRun::run() {
  const auto& table = m_run.mapping.source_table;
  m_run.result.table = table;
  m_run.result.started = std::chrono::system_clock::now();
  const auto started = Clock::now();
  m_run.table_run_id = m_run.store.begin_run(table);
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
  inputs.compare_due = inputs.deletes && compare_due(m_run);
  inputs.verify = m_run.mapping.verify_every > 0;
  run_pass(choose_pass(inputs), position);
}

void TableRun::finish(Clock::time_point started) {
  const auto& table = m_run.mapping.source_table;
  m_run.result.finished = std::chrono::system_clock::now();
  if (const auto position = m_run.store.position(table)) {
    m_run.result.position = position->to_string();
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
  m_run.store.finish_run(m_run.table_run_id, m_run.result);
}

void TableRun::run_pass(const PassChoice& choice, const std::optional<state::Position>& position) {
  if (m_run.options.reload) {
    spdlog::info("table={} --reload: reading every row again", m_run.mapping.source_table);
    m_run.result.mode.pass = Pass::reload;
  }
  const auto resume_from = choice.resume ? position : std::nullopt;
  switch (choice.pass) {
  case Pass::replace:
    replace_pass(m_run, m_table_load);
    break;
  case Pass::full:
    full_pass(m_run, m_table_load, resume_from);
    break;
  case Pass::initial:
    initial_pass(m_run, m_table_load, resume_from);
    if (choice.catch_up) {
      incremental_pass(m_run, m_table_load, loaded_position(m_run, m_run.result.upper_bound));
      null_timestamp_pass(m_run, m_table_load);
    }
    break;
  case Pass::incremental:
    incremental_pass(m_run, m_table_load, *position);
    null_timestamp_pass(m_run, m_table_load);
    break;
  case Pass::compare:
    if (choice.store_bound) {
      const auto bound = m_run.upper_bound();
      m_run.result.upper_bound = bound;
      compare_pass(m_run, m_table_load);
      m_run.save_position(loaded_position(m_run, bound));
    } else {
      compare_pass(m_run, m_table_load);
    }
    break;
  case Pass::none:
  case Pass::reload: // choose_pass() picks neither; --reload is recorded above
    throw Error(ErrorArea::internal, std::string("no pass to run: ") + to_string(choice.pass));
  }
  if (choice.compare_after) {
    if (choice.resume) {
      // Rows copied before the interruption may have changed or gone since.
      spdlog::info("table={} resumed pass finished: comparing the rows copied before it",
                   m_run.mapping.source_table);
    }
    compare_pass(m_run, m_table_load, choice.slice_only ? verify_slice(m_run) : CompareSlice{1, 0});
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
    position = state::Position{Pass::incremental, *m_run.options.since, {}, {}};
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
