#include "cli/adapters.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/run_report.hpp"
#include "cli/validate_output.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/core/error.hpp"
#include "migrate/core/log_text.hpp"
#include "migrate/core/parallel.hpp"
#include "migrate/core/shard.hpp"
#include "migrate/core/text_table.hpp"
#include "migrate/core/timestamp_text.hpp"
#include "migrate/notify/curl_channels.hpp"
#include "migrate/pipeline/run_rules.hpp"
#include "migrate/pipeline/table_sync.hpp"
#include "migrate/state/retention.hpp"
#include "migrate/state/run_lock.hpp"
#include "migrate/state/serialized_state_store.hpp"
#include "migrate/state/table_claim.hpp"
#include "migrate/validate/table_validation.hpp"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace migrate::cli {
namespace {

// A table this worker did not run because another worker holds or ran it: neither failed nor ok.
struct Skipped {
  std::string table;
  std::string reason; // "leased by another worker", "done by another worker"
};

// The summary table is a result (standard output); the totals and the failures are logged.
void print_summary(const std::vector<TableResult>& results, const std::vector<Skipped>& skipped) {
  using Align = TextTable::Align;
  TextTable out({{"table"},
                 {"mode"},
                 {"outcome"},
                 {"read", Align::right},
                 {"inserted", Align::right},
                 {"updated", Align::right},
                 {"unchanged", Align::right},
                 {"deleted", Align::right},
                 // Of the rows moved, those only a comparison found (the position did not).
                 {"by compare", Align::right},
                 {"quarantined", Align::right},
                 {"retries", Align::right},
                 {"seconds", Align::right}});
  for (const auto& r : results) {
    out.add_row({r.table,
                 mode_label(r.mode),
                 outcome_label(r),
                 std::to_string(r.counts.rows_read),
                 std::to_string(r.counts.inserted),
                 std::to_string(r.counts.updated),
                 std::to_string(r.counts.unchanged),
                 std::to_string(r.counts.deleted),
                 std::to_string(r.counts.found_by_comparison),
                 std::to_string(r.counts.quarantined),
                 std::to_string(r.counts.retries),
                 fmt::format("{:.2f}", r.seconds())});
  }
  for (const auto& s : skipped) {
    out.add_row({s.table, "-", s.reason, "-", "-", "-", "-", "-", "-", "-", "-", "-"});
  }
  std::cout << out.render();
}

void log_totals(const std::vector<TableResult>& results, std::size_t skipped) {
  TableCounts total;
  std::size_t failed = 0;
  for (const auto& r : results) {
    total.rows_read += r.counts.rows_read;
    total.inserted += r.counts.inserted;
    total.updated += r.counts.updated;
    total.unchanged += r.counts.unchanged;
    total.deleted += r.counts.deleted;
    total.quarantined += r.counts.quarantined;
    if (r.outcome == Outcome::failed) {
      ++failed;
      spdlog::log(r.deadline_reached() ? spdlog::level::warn : spdlog::level::err,
                  "table={} outcome={} error={}",
                  r.table,
                  outcome_word(r),
                  quote_field(r.error_text()));
    }
  }
  spdlog::info("run finished tables={} failed={} skipped={} read={} inserted={} updated={} "
               "unchanged={} deleted={} quarantined={}",
               results.size(),
               failed,
               skipped,
               total.rows_read,
               total.inserted,
               total.updated,
               total.unchanged,
               total.deleted,
               total.quarantined);
}

// When a database cannot be reached every table fails, and the history says so.
std::vector<TableResult> record_all_failed(state::StateStore& state,
                                           const std::vector<const config::TableMapping*>& tables,
                                           const Error& error) {
  std::vector<TableResult> results;
  for (const auto* table : tables) {
    TableResult result;
    result.table = table->source_table;
    result.outcome = Outcome::failed;
    result.error = error.with_table(result.table);
    result.started = result.finished = std::chrono::system_clock::now();
    state.finish_run(state.begin_run(result.table), result);
    results.push_back(std::move(result));
  }
  return results;
}

// A table the run's max_runtime left no time for: recorded, so that history and status say so.
TableResult record_not_started(state::StateStore& state, const config::TableMapping& table) {
  TableResult result;
  result.table = table.source_table;
  result.outcome = Outcome::failed;
  result.error = Error(
      ErrorArea::deadline, "not started: max_runtime reached", ErrorContext{.table = result.table});
  result.started = result.finished = std::chrono::system_clock::now();
  state.finish_run(state.begin_run(result.table), result);
  return result;
}

// For progress only: a failure to estimate is no reason to fail the table.
std::optional<std::uint64_t> estimated_rows(source::Source& source, const std::string& table) {
  try {
    return source.estimated_rows(table);
  } catch (const std::exception& e) {
    spdlog::debug("table={} no row estimate: {}", table, quote_field(e.what()));
    return std::nullopt;
  }
}

} // namespace

void setup_sync(CLI::App& app, SyncOptionsCli& options) {
  app.add_flag("--full",
               options.full,
               "re-sync the selected tables from the start, without dropping the target: compare "
               "every chunk, by MySQL's row digests and the target rows' seals, and repair what "
               "differs");
  app.add_flag("--reload",
               options.reload,
               "read and merge every row of the selected tables again (rows that did not change "
               "cost no write); a table without a timestamp column then compares for deletes");
  app.add_flag("--allow-mass-delete",
               options.allow_mass_delete,
               "carry out deletes beyond a table's max_delete_ratio (default: half of its rows), "
               "which otherwise fail the table before anything is deleted");
  app.add_option("--since",
                 options.since,
                 "re-read rows whose timestamp is after this, e.g. '2026-11-01 00:00:00'");
  app.add_option("--worker-id",
                 options.worker_id,
                 "this worker's name in history and logs (default host:pid)");
  app.add_option("--jobs",
                 options.jobs,
                 "run this many tables at once, each on its own connections, the largest first "
                 "(default: migrate.yaml's jobs, else 1)")
      ->check(CLI::Range(1, 64));
  app.add_option("--shard",
                 options.shard,
                 "i/n: run only the tables whose name hashes to shard i of n (0 <= i < n)");
}

namespace {

// The options of every table's run: the command line's, then migrate.yaml's limits.
pipeline::SyncOptions sync_options(const config::Config& config, const SyncOptionsCli& options) {
  pipeline::SyncOptions sync;
  sync.full = options.full;
  sync.allow_mass_delete = options.allow_mass_delete;
  sync.reload = options.reload;
  if (!options.since.empty()) {
    try {
      shift_timestamp(options.since, {});
    } catch (const std::invalid_argument& e) {
      throw Error(ErrorArea::config, std::string("--since: ") + e.what());
    }
    sync.since = options.since;
  }
  sync.retry = config.retry;
  sync.stall_warning = config.stall_warning;
  if (config.max_runtime) {
    sync.deadline = std::chrono::steady_clock::now() + *config.max_runtime;
  }
  return sync;
}

// 4 when max_runtime stopped the run, 1 when a table failed or was not reached, else 0.
int exit_code_of(const std::vector<TableResult>& results, std::size_t tables) {
  for (const auto& result : results) {
    if (result.deadline_reached()) {
      spdlog::warn("max_runtime reached: the run stopped; the next run goes on where it stopped");
      return k_exit_deadline;
    }
  }
  for (const auto& result : results) {
    if (result.outcome == Outcome::failed) {
      return k_exit_table_failed;
    }
  }
  return results.size() == tables ? k_exit_ok : k_exit_table_failed;
}

// What history shows as the invocation's options: those that change what a run does.
std::string options_text(const GlobalOptions& global, const SyncOptionsCli& options) {
  std::string out = "--config " + global.config_dir;
  for (const auto& table : global.tables) {
    out += " --table " + table;
  }
  out += options.full ? " --full" : "";
  out += options.reload ? " --reload" : "";
  out += options.allow_mass_delete ? " --allow-mass-delete" : "";
  out += options.since.empty() ? "" : " --since '" + options.since + "'";
  out += options.worker_id.empty() ? "" : " --worker-id " + options.worker_id;
  out += options.shard.empty() ? "" : " --shard " + options.shard;
  out += options.jobs > 0 ? " --jobs " + std::to_string(options.jobs) : "";
  return out;
}

std::string worker_id(const SyncOptionsCli& options) {
  return options.worker_id.empty() ? host_name() + ":" + std::to_string(::getpid())
                                   : options.worker_id;
}

// --jobs, else migrate.yaml's jobs (1 unless set).
std::size_t jobs_of(const config::Config& config, const SyncOptionsCli& options) {
  return options.jobs > 0 ? options.jobs : config.jobs;
}

// Workers finish in any order; the summary and the alert list tables as the mapping does.
void in_mapping_order(std::vector<TableResult>& results,
                      const std::vector<const config::TableMapping*>& tables) {
  const auto rank = [&](const TableResult& result) {
    return std::find_if(tables.begin(),
                        tables.end(),
                        [&](const auto* table) { return table->source_table == result.table; })
           - tables.begin();
  };
  std::stable_sort(results.begin(), results.end(), [&](const auto& a, const auto& b) {
    return rank(a) < rank(b);
  });
}

// The tables of this worker's --shard, in mapping order.
std::vector<const config::TableMapping*>
shard_tables(const std::vector<const config::TableMapping*>& tables, const std::string& text) {
  if (text.empty()) {
    return tables;
  }
  Shard shard;
  try {
    shard = parse_shard(text);
  } catch (const std::invalid_argument& e) {
    throw Error(ErrorArea::config, std::string("--shard: ") + e.what());
  }
  std::vector<const config::TableMapping*> out;
  for (const auto* table : tables) {
    if (in_shard(table->name, shard)) {
      out.push_back(table);
    }
  }
  spdlog::info("shard {} runs tables={} of {}", text, out.size(), tables.size());
  return out;
}

// What the run's workers produced: the tables they ran, and those another process holds or ran.
// Worker threads add to it under `mutex`.
struct LoopResult {
  std::mutex mutex;
  std::vector<TableResult> results;
  std::vector<Skipped> skipped;

  void add(TableResult result) {
    const std::lock_guard lock(mutex);
    results.push_back(std::move(result));
  }
};

// This worker's claim of `table`; when another process holds or ran it, the table is logged and
// listed as skipped, and the claim is not held.
state::TableClaim
claim_table(state::StateStore& state, const std::string& table, LoopResult& loop) {
  auto claim = state::TableClaim::try_acquire(state, table);
  if (!claim.held()) {
    spdlog::info("table={} skipped: {}", table, claim.refusal());
    const std::lock_guard lock(loop.mutex);
    loop.skipped.push_back({table, claim.refusal()});
  }
  return claim;
}

// The order the tables start in, and MySQL's row estimates when they were asked for it. With one
// job the mapping's order is kept; with more, the largest tables start first.
struct Schedule {
  std::vector<const config::TableMapping*> tables;
  std::vector<std::optional<std::uint64_t>> estimates; // empty: ask when the table starts
};

Schedule schedule(const CommandContext& context,
                  const std::vector<const config::TableMapping*>& tables,
                  std::size_t jobs) {
  if (jobs <= 1 || tables.size() <= 1) {
    return {tables, {}};
  }
  std::vector<std::optional<std::uint64_t>> estimates;
  {
    const auto source = context.adapters.source();
    for (const auto* table : tables) {
      estimates.push_back(estimated_rows(*source, table->source_table));
    }
  }
  Schedule out;
  for (const auto index : largest_first(estimates)) {
    out.tables.push_back(tables[index]);
    out.estimates.push_back(estimates[index]);
  }
  return out;
}

// What every worker thread shares.
struct Workers {
  const CommandContext& context;
  const Schedule& plan;
  state::StateStore& state;
  const pipeline::SyncOptions& sync;
  ProgressReporter& progress;
  LoopResult& loop;
  std::once_flag connections_logged;

  // One table on this worker's connections: unless max_runtime has passed or another process
  // holds it.
  void run(std::size_t task, source::Source& source, target::Target& target) {
    const auto& table = *plan.tables[task];
    if (sync.deadline && std::chrono::steady_clock::now() >= *sync.deadline) {
      loop.add(record_not_started(state, table));
      return;
    }
    auto claim = claim_table(state, table.source_table, loop);
    if (!claim.held()) {
      return;
    }
    std::optional<std::uint64_t> estimate;
    if (!plan.estimates.empty()) {
      estimate = plan.estimates[task];
    } else if (progress.shown()) {
      estimate = estimated_rows(source, table.source_table); // a round trip, for progress only
    }
    progress.begin_table(table.source_table, estimate);
    loop.add(pipeline::sync_table(table, source, target, state, sync));
    progress.end_table(table.source_table);
    claim.release();
  }

  // A worker thread's start: its own connections, which its tables share.
  TaskRunner start() {
    std::shared_ptr<source::Source> source = context.adapters.source();
    std::shared_ptr<target::Target> target = context.adapters.target();
    std::call_once(connections_logged, [&] { log_connections(context.config, *source, *target); });
    return [this, source, target](std::size_t task) {
      run(task, *source, *target);
    };
  }
};

// Runs each table this process can lease on `jobs` worker threads, each with its own connections;
// a table another worker holds is skipped and listed. With a SQLite store every lease is granted
// (RunLock keeps other processes out).
void run_leased_tables(const CommandContext& context,
                       const std::vector<const config::TableMapping*>& tables,
                       state::StateStore& state,
                       const pipeline::SyncOptions& sync,
                       std::size_t jobs,
                       ProgressReporter& progress,
                       LoopResult& loop) {
  const auto plan = schedule(context, tables, jobs);
  Workers workers{context, plan, state, sync, progress, loop, {}};
  const auto outcome =
      run_parallel(plan.tables.size(), jobs, [&workers] { return workers.start(); });
  if (!outcome.not_run.empty()) {
    std::rethrow_exception(outcome.start_error); // no worker could connect: every table fails
  }
  if (outcome.start_error) {
    try {
      std::rethrow_exception(outcome.start_error);
    } catch (const std::exception& e) {
      spdlog::warn("a worker could not connect, the others ran its tables: {}",
                   quote_field(e.what()));
    }
  }
}

} // namespace

namespace {

// Retention, once the run is recorded: a store that cannot prune is logged, never the run's
// failure.
void apply_retention(state::StateStore& state, const config::Retention& retention) {
  try {
    const auto counts =
        state.prune(state::prune_cutoffs(retention, std::chrono::system_clock::now()));
    if (counts.runs + counts.invocations + counts.validations + counts.quarantine_values > 0) {
      spdlog::info(
          "state: retention removed {} ({})", state::describe(counts), state::describe(retention));
    }
  } catch (const Error& e) {
    spdlog::warn("state: retention not applied: {}", quote_field(e.what()));
  }
}

// validate_after: each table the run synced is compared once the run is done, and the result stored
// as `migrate validate` stores it; by content on the cadence and within the budget
// (compare_content_after). A run stopped by max_runtime is out of its window: nothing is
// compared. A validation that cannot connect is logged; the run's outcome stands.
std::vector<state::ValidationRecord> validate_synced(const CommandContext& context,
                                                     const std::vector<TableResult>& results,
                                                     state::StateStore& state) {
  const auto mode = context.config.validate_after;
  const bool stopped = std::any_of(
      results.begin(), results.end(), [](const TableResult& r) { return r.deadline_reached(); });
  std::vector<state::ValidationRecord> out;
  if (mode == config::ValidateAfter::none || stopped) {
    return out;
  }
  try {
    const auto& config = context.config;
    const auto source = context.adapters.source();
    const auto target = context.adapters.target();
    const auto started = std::chrono::steady_clock::now();
    for (const auto& result : results) {
      const auto* table = config.find_table(result.table);
      if (result.outcome != Outcome::ok || table == nullptr) {
        continue;
      }
      const bool budget_left =
          !config.checksum_budget
          || std::chrono::steady_clock::now() - started < *config.checksum_budget;
      const bool content = pipeline::compare_content_after(
          mode, config.checksum_every, state.successful_runs(table->source_table), budget_left);
      const auto verdict = content ? validate::checksum_verdict(*table, *source, *target, state)
                                   : validate::count_verdict(*table, *source, *target, state);
      log_verdict(verdict);
      state.record_validation(verdict.record);
      out.push_back(verdict.record);
    }
  } catch (const Error& e) {
    if (e.area() == ErrorArea::state) {
      throw;
    }
    spdlog::warn("validate_after: not compared: {}", quote_field(e.what()));
  }
  return out;
}

// The run once its configuration is read: lock, state, tables, summary, then alerts and metrics.
int run_tables(const GlobalOptions& global,
               const SyncOptionsCli& options,
               const CommandContext& context,
               pipeline::SyncOptions sync,
               const std::vector<std::unique_ptr<notify::Channel>>& channels) {
  const auto& config = context.config;
  const auto tables = shard_tables(context.tables, options.shard);
  const auto lock = lock_state(config.state);
  // Worker threads share the store, one call at a time.
  const auto state = std::make_unique<state::SerializedStateStore>(context.adapters.state());
  FinishedRun run;
  run.started = std::chrono::system_clock::now();
  run.id = state->begin_invocation(
      {host_name(), static_cast<std::int64_t>(::getpid()), options_text(global, options)});
  spdlog::info("run started run_id={} worker={} tables={} mysql={} postgresql={} state={}",
               run.id,
               quote_field(worker_id(options)),
               tables.size(),
               config.mysql.describe(),
               config.postgresql.describe(),
               config.state.describe());
  ProgressReporter progress(!global.quiet, ::isatty(STDERR_FILENO) == 1);
  sync.progress = &progress;
  sync.connect = [&context] {
    return pipeline::Connections{context.adapters.source(), context.adapters.target()};
  };

  LoopResult loop;
  auto& results = loop.results;
  try {
    run_leased_tables(context, tables, *state, sync, jobs_of(config, options), progress, loop);
  } catch (const Error& e) {
    if (e.area() == ErrorArea::state) {
      throw;
    }
    spdlog::error("{}", e.what());
    if (results.empty()) {
      results = record_all_failed(*state, tables, e);
    }
  }
  in_mapping_order(results, tables);
  print_summary(results, loop.skipped);
  log_totals(results, loop.skipped.size());
  run.exit_code = exit_code_of(results, tables.size() - loop.skipped.size());
  run.validations = validate_synced(context, results, *state);
  const bool differs = std::any_of(run.validations.begin(),
                                   run.validations.end(),
                                   [](const auto& v) { return v.outcome == Agreement::mismatch; });
  if (differs && run.exit_code == k_exit_ok) {
    spdlog::error("validate_after: PostgreSQL differs from MySQL after the run (migrate validate)");
    run.exit_code = k_exit_table_failed;
  }
  run.results = std::move(results);
  const auto notify_failures = report_run(config, *state, run, channels);
  state->finish_invocation(run.id, run.exit_code, notify_failures);
  apply_retention(*state, config.retention);
  return run.exit_code;
}

} // namespace

int run_sync(const GlobalOptions& global, const SyncOptionsCli& options) {
  const CommandContext context(global, config::ReadScope::full);
  const auto& config = context.config;
  const auto channels = notify::make_curl_channels(config.notify);
  try {
    return run_tables(global, options, context, sync_options(config, options), channels);
  } catch (const Error& e) {
    // A run that stops (a state file that cannot be written, ...) has no summary to send, and is
    // what an alert is most needed for. A run the lock kept out did nothing (the one running
    // reports), and a usage error is seen by whoever typed it.
    if (e.area() != ErrorArea::lock && e.area() != ErrorArea::config) {
      notify::deliver(channels,
                      notify::compose_stopped(
                          host_name(), e.what(), exit_code_for(e.area()), config_secrets(config)));
    }
    throw;
  }
}

} // namespace migrate::cli
