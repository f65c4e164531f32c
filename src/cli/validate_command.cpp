#include "cli/adapters.hpp"
#include "cli/commands.hpp"
#include "cli/validate_output.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/state/run_lock.hpp"
#include "migrate/state/table_claim.hpp"
#include "migrate/validate/table_validation.hpp"

#include <spdlog/spdlog.h>

namespace migrate::cli {
namespace {

// One table's verdict. --repair (which needs --checksum) claims the table before the comparison
// the repair acts on, and keeps it until the table is compared again: it writes as a run does.
validate::TableVerdict verdict_of(const config::TableMapping& table,
                                  const ValidateOptions& options,
                                  source::Source& source,
                                  target::Target& target,
                                  state::StateStore& state) {
  const auto compare = [&] {
    return options.checksum ? validate::checksum_verdict(table, source, target, state)
                            : validate::count_verdict(table, source, target, state);
  };
  if (!options.repair) {
    return compare();
  }
  auto claim = state::TableClaim::acquire(state, table.source_table, "--repair it");
  auto verdict = validate::repair_and_check(compare(), table, source, target, state, log_verdict);
  claim.release();
  return verdict;
}

} // namespace

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
  const CommandContext context(global, config::ReadScope::full);
  const auto& config = context.config;
  const auto& tables = context.tables;
  const auto source = context.adapters.source();
  const auto target = context.adapters.target();
  log_connections(config, *source, *target);
  // --repair writes to PostgreSQL as a run does: not while a run is under way (exit code 3). A
  // shared store's tables are claimed one by one instead, as a run claims them.
  const auto lock = options.repair ? lock_state(config.state) : nullptr;
  const auto state = context.adapters.state();
  std::vector<validate::TableVerdict> verdicts;
  std::size_t differing = 0;
  for (const auto* table : tables) {
    auto verdict = verdict_of(*table, options, *source, *target, *state);
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
  options.json ? print_validation_json(verdicts, options.checksum, differing)
               : print_validation(verdicts, options.checksum, differing);
  return differing == 0 ? k_exit_ok : k_exit_table_failed;
}

} // namespace migrate::cli
