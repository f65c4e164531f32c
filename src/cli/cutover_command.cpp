#include "cli/adapters.hpp"
#include "cli/commands.hpp"
#include "cli/cutover_output.hpp"
#include "cli/run_report.hpp"
#include "cli/validate_output.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/core/error.hpp"
#include "migrate/core/log_text.hpp"
#include "migrate/cutover/cutover.hpp"
#include "migrate/notify/curl_channels.hpp"
#include "migrate/pipeline/table_sync.hpp"
#include "migrate/state/run_lock.hpp"
#include "migrate/state/table_claim.hpp"
#include "migrate/validate/table_validation.hpp"

#include <spdlog/spdlog.h>

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

namespace migrate::cli {
namespace {

// Who runs the cutover, for the record: the login behind sudo when there is one.
std::string user_at_host() {
  const char* sudo = std::getenv("SUDO_USER");
  std::string user = sudo != nullptr && *sudo != '\0' ? sudo : "";
  if (user.empty()) {
    const auto* entry = ::getpwuid(::geteuid());
    user = entry != nullptr ? entry->pw_name : std::to_string(::geteuid());
  }
  return user + "@" + host_name();
}

std::string options_text(const GlobalOptions& global, const CutoverOptions& options) {
  std::string out = "cutover --config " + global.config_dir;
  for (const auto& table : global.tables) {
    out += " --table " + table;
  }
  return out + (options.keep_deletes ? " --keep-deletes" : "");
}

// The tables not cut over yet; those that are go to run.already, left as they are.
std::vector<const config::TableMapping*>
not_cut_over(const CommandContext& context, state::StateStore& state, CutoverRun& run) {
  std::vector<const config::TableMapping*> out;
  for (const auto* table : context.tables) {
    if (auto record = state.cutover_in_force(table->source_table)) {
      run.already.push_back(std::move(*record));
    } else {
      out.push_back(table);
    }
  }
  return out;
}

// The final sync of every table, all passes; false when one failed.
bool final_sync(const std::vector<const config::TableMapping*>& tables,
                const CommandContext& context,
                const CutoverOptions& options,
                source::Source& source,
                target::Target& target,
                state::StateStore& state,
                CutoverRun& run) {
  pipeline::SyncOptions sync;
  sync.retry = context.config.retry;
  sync.leave_target_edits = true;
  bool ok = true;
  for (const auto* table : tables) {
    run.syncs.push_back(pipeline::sync_table(
        final_mapping(*table, options.keep_deletes), source, target, state, sync));
    ok = ok && run.syncs.back().outcome == Outcome::ok;
  }
  return ok;
}

// Every table's claim, held from before the final sync until the cutover is recorded, as a run
// claims it: no worker sharing the store syncs a table between its final sync and its record (it
// would then delete the application's first rows). Given back when they go out of scope.
std::vector<state::TableClaim> claim_all(state::StateStore& state,
                                         const std::vector<const config::TableMapping*>& tables) {
  std::vector<state::TableClaim> claims;
  claims.reserve(tables.size());
  for (const auto* table : tables) {
    claims.push_back(state::TableClaim::acquire(state, table->source_table, "cut over"));
  }
  return claims;
}

// Every table compared by checksum; false when one differs.
bool final_checksum(const std::vector<const config::TableMapping*>& tables,
                    const CutoverOptions& options,
                    source::Source& source,
                    target::Target& target,
                    state::StateStore& state,
                    CutoverRun& run) {
  bool ok = true;
  for (const auto* table : tables) {
    auto verdict = validate::checksum_verdict(
        final_mapping(*table, options.keep_deletes), source, target, state);
    log_verdict(verdict);
    state.record_validation(verdict.record);
    ok = ok && verdict.record.outcome == Agreement::in_sync;
    run.checksum_values[table->source_table] = verdict.report.checksum;
    run.checksums.push_back(std::move(verdict.record));
  }
  return ok;
}

// The final sync, the checksum and the statements; run.outcome says how far it went.
void cut_over(const std::vector<const config::TableMapping*>& tables,
              const CommandContext& context,
              const CutoverOptions& options,
              source::Source& source,
              target::Target& target,
              state::StateStore& state,
              CutoverRun& run) {
  if (tables.empty()) {
    run.outcome = "nothing to do: every table is cut over already";
    return;
  }
  if (!final_sync(tables, context, options, source, target, state, run)) {
    run.outcome = "stopped: the final sync failed; PostgreSQL's keys were not changed";
    return;
  }
  if (!final_checksum(tables, options, source, target, state, run)) {
    run.outcome = "stopped: PostgreSQL differs from MySQL; PostgreSQL's keys were not changed";
    return;
  }
  run.plans = cutover::plan_cutover(tables, context.config.tables, source, target);
  run.outcomes = cutover::apply_cutover(run.plans, target);
  for (const auto& plan : run.plans) {
    if (!table_complete(run, plan.table)) {
      run.outcome = "statements failed";
    }
  }
}

// Each table's part, kept in the state store: a complete one puts the table in PostgreSQL's
// hands (no sync writes it again).
void record(const std::vector<const config::TableMapping*>& tables,
            state::StateStore& state,
            const CutoverRun& run) {
  for (const auto* table : tables) {
    state::CutoverRecord record;
    record.table = table->source_table;
    record.invocation_id = run.id;
    record.at = format_utc(run.finished);
    record.by = run.by;
    const bool complete = table_complete(run, table->source_table);
    record.outcome = complete ? "done" : run.stopped() ? run.outcome : "stopped: statements failed";
    record.summary = table_summary(run, table->source_table);
    state.record_cutover(record);
    spdlog::log(complete ? spdlog::level::info : spdlog::level::err,
                "table={} cutover={} {}",
                record.table,
                quote_field(record.outcome),
                record.summary);
  }
}

// The report everywhere it goes: stdout (text or JSON), the HTML page, the alert.
// Returns how many alerts could not be sent.
std::uint64_t
report(const config::Config& config, const CutoverOptions& options, const CutoverRun& run) {
  options.json ? print_cutover_json(run) : print_cutover(run);
  if (!options.html.empty()) {
    write_cutover_html(options.html, run);
  }
  const auto channels = notify::make_curl_channels(config.notify);
  return notify::deliver(channels, cutover_message(run, config_secrets(config))).failed;
}

// The cutover's end, however it went: each table's record, the report everywhere, the invocation.
void finish(const std::vector<const config::TableMapping*>& tables,
            const CutoverOptions& options,
            const config::Config& config,
            state::StateStore& state,
            const CutoverRun& run) {
  record(tables, state, run);
  state.finish_invocation(run.id, run.exit_code, report(config, options, run));
}

int run_revert(const GlobalOptions& global, const CutoverOptions& options) {
  auto named = global;
  named.tables = options.revert;
  const CommandContext context(named, config::ReadScope::full);
  const auto source = context.adapters.source();
  const auto target = context.adapters.target();
  const auto lock = lock_state(context.config.state);
  const auto state = context.adapters.state();
  const auto by = user_at_host();
  int exit_code = k_exit_ok;
  for (const auto& plan :
       cutover::plan_cutover(context.tables, context.config.tables, *source, *target)) {
    if (!state->cutover_in_force(plan.table)) {
      std::cout << plan.table << ": not cut over; nothing to revert\n";
      exit_code = k_exit_table_failed;
      continue;
    }
    for (const auto& step : cutover::plan_revert(plan)) {
      target->execute(plan.target, step.sql);
      std::cout << plan.table << ": " << step.what << "\n";
    }
    state->revert_cutover(plan.table, by);
    std::cout << plan.table << ": reverted by " << by
              << "; the next run syncs it from MySQL again\n";
  }
  return exit_code;
}

} // namespace

config::TableMapping final_mapping(const config::TableMapping& mapping, bool keep_deletes) {
  auto out = mapping;
  out.compare_every = 1;
  if (!keep_deletes && out.deletes != config::DeletePolicy::soft) {
    out.deletes = config::DeletePolicy::remove;
  }
  return out;
}

CLI::App* setup_cutover(CLI::App& app, CutoverOptions& options) {
  auto* command = app.add_subcommand(
      "cutover",
      "switch-over day, once MySQL takes no more writes: a final sync and checksum of every "
      "table, then identities, unique indexes, foreign keys, defaults, ON UPDATE triggers and "
      "checks in PostgreSQL; the tables are then the application's, and no run writes them");
  command->add_flag("--dry-run",
                    options.dry_run,
                    "list what would stop the cutover, what it would change and the statements "
                    "it would run; nothing written");
  command->add_flag("--keep-deletes",
                    options.keep_deletes,
                    "the final sync keeps the target rows a `deletes: ignore` table keeps");
  command->add_option("--html", options.html, "also write the report to this HTML file")
      ->type_name("FILE");
  command->add_flag("--json", options.json, "one JSON document instead of the table");
  command
      ->add_option("--revert",
                   options.revert,
                   "hand cut-over tables back to the sync (a rolled-back cutover): drops the "
                   "foreign keys, unique indexes and ON UPDATE triggers the cutover made")
      ->type_name("TABLE...")
      ->excludes("--dry-run");
  return command;
}

int run_cutover(const GlobalOptions& global, const CutoverOptions& options) {
  if (!options.revert.empty()) {
    return run_revert(global, options);
  }
  const CommandContext context(global, config::ReadScope::full);
  const auto source = context.adapters.source();
  const auto target = context.adapters.target();
  log_connections(context.config, *source, *target);
  const auto lock = options.dry_run ? nullptr : lock_state(context.config.state);
  const auto state = context.adapters.state();
  if (options.dry_run) {
    return run_cutover_dry_run(context, options, *source, *target, *state);
  }
  CutoverRun run;
  run.host = host_name();
  run.by = user_at_host();
  run.started = std::chrono::system_clock::now();
  run.id = state->begin_invocation(
      {run.host, static_cast<std::int64_t>(::getpid()), options_text(global, options)});
  const auto tables = not_cut_over(context, *state, run);
  try {
    const auto claims = claim_all(*state, tables);
    cut_over(tables, context, options, *source, *target, *state, run);
    run.exit_code = run.outcome == "done" || run.outcome.rfind("nothing", 0) == 0
                        ? k_exit_ok
                        : k_exit_table_failed;
  } catch (const Error& e) {
    // Stopped by something else than a table (a lease held elsewhere, a catalog that cannot be
    // read): still recorded, reported and alerted.
    run.outcome = "stopped: " + first_line(e.what());
    run.exit_code = exit_code_for(e.area());
  }
  run.finished = std::chrono::system_clock::now();
  finish(tables, options, context.config, *state, run);
  return run.exit_code;
}

} // namespace migrate::cli
