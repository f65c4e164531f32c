// migrate state copy --to LOCATION: copies what one state store holds into another, e.g. from the
// SQLite file into the PostgreSQL store that several workers are about to share.
// migrate state prune: applies migrate.yaml's retention now (each run applies it at its end).
#include "cli/adapters.hpp"
#include "cli/commands.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/config/state_location.hpp"
#include "migrate/core/error.hpp"
#include "migrate/state/retention.hpp"

#include <spdlog/spdlog.h>

#include <iostream>
#include <stdexcept>

namespace migrate::cli {

CLI::App* setup_state(CLI::App& app, StateOptions& options) {
  auto* state = app.add_subcommand("state", "manage the state store");
  auto* copy = state->add_subcommand(
      "copy",
      "copy positions, run history, quarantine and validations into another, empty state store");
  copy->add_option("--to",
                   options.to,
                   "the store to copy into: a SQLite file, sqlite:///path or postgresql://... "
                   "(?schema=name)")
      ->required();
  auto* prune = state->add_subcommand(
      "prune",
      "forget run history and validations older than retention:, and blank the raw values of "
      "rows quarantined before its quarantine_values (each run does this at its end)");
  prune->callback([&options] { options.prune = true; });
  state->require_subcommand(1);
  return state;
}

namespace {

int run_state_prune(const GlobalOptions& global) {
  const CommandContext context(global, config::ReadScope::state_only);
  const auto& config = context.config;
  const auto lock = lock_state(config.state);
  const auto counts = context.adapters.state()->prune(
      state::prune_cutoffs(config.retention, std::chrono::system_clock::now()));
  spdlog::info("state: retention removed {} ({})",
               state::describe(counts),
               state::describe(config.retention));
  std::cout << "removed " << state::describe(counts) << " from " << config.state.describe()
            << " (retention: " << state::describe(config.retention) << ")\n";
  return k_exit_ok;
}

int run_state_copy(const GlobalOptions& global, const StateOptions& options) {
  const CommandContext context(global, config::ReadScope::state_only);
  config::StateLocation to;
  try {
    to = config::parse_state_location(options.to, ".");
  } catch (const std::invalid_argument& e) {
    throw Error(ErrorArea::config, std::string("--to: ") + e.what());
  }
  const auto from = context.adapters.location();
  if (from.describe() == to.describe()) {
    throw Error(ErrorArea::config, "--to names the store being copied: " + to.describe());
  }
  std::vector<std::string> tables;
  for (const auto* table : context.tables) {
    tables.push_back(table->source_table);
  }
  const auto snapshot = state::read_snapshot(*context.adapters.state(), tables);
  context.adapters.state(to)->restore(snapshot);
  spdlog::info("state copied from={} to={} positions={} invocations={} runs={} quarantined={} "
               "validations={}",
               from.describe(),
               to.describe(),
               snapshot.positions.size(),
               snapshot.invocations.size(),
               snapshot.runs.size(),
               snapshot.quarantine.size(),
               snapshot.validations.size());
  std::cout << "copied " << snapshot.positions.size() << " positions, "
            << snapshot.invocations.size() << " invocations, " << snapshot.runs.size() << " runs, "
            << snapshot.quarantine.size() << " quarantined rows and " << snapshot.validations.size()
            << " validations to " << to.describe() << "\n";
  return k_exit_ok;
}

} // namespace

int run_state(const GlobalOptions& global, const StateOptions& options) {
  return options.prune ? run_state_prune(global) : run_state_copy(global, options);
}

} // namespace migrate::cli
