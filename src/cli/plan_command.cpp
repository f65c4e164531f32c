// `migrate plan`: what the next run would do per table, found without writing anything.
#include "cli/adapters.hpp"
#include "cli/commands.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/core/error.hpp"
#include "migrate/pipeline/table_sync.hpp"

#include <iostream>

namespace migrate::cli {
namespace {

void print_plan(const config::TableMapping& table, const pipeline::RunPlan& plan) {
  std::cout << "table " << table.name << ":\n";
  std::cout << "  mode: " << plan.pass << (plan.resume ? " (resumed)" : "");
  if (plan.verify_slices > 0) {
    std::cout << ", then compare slice " << plan.verify_slice << " of " << plan.verify_slices
              << " (verify_every)";
  } else if (plan.compare_after) {
    std::cout << ", then compare";
  }
  std::cout << "\n";
  if (!plan.key_ranges.empty()) {
    std::cout << "  loaded in " << plan.key_ranges << ", " << table.parallel_ranges
              << " at a time\n";
  }
  if (!plan.void_reason.empty()) {
    std::cout << "  note: " << plan.void_reason << "; the whole table is read again\n";
  }
  if (plan.pass == "incremental") {
    std::cout << "  cursor: " << plan.cursor << " (less lookback " << table.lookback.count()
              << "s)\n";
  } else if (plan.pass != "replace") {
    std::cout << "  cursor: start of the table"
              << (plan.cursor.empty() ? "" : " (" + plan.cursor + ")") << "\n";
  }
  if (!plan.upper_bound.empty()) {
    std::cout << "  upper bound: " << plan.upper_bound << "\n";
  }
  if (plan.rows_to_read) {
    std::cout << "  rows to read: " << *plan.rows_to_read << "\n";
  } else {
    std::cout << "  rows to read: only those of chunks whose digests differ\n";
  }
  std::cout << "  comparison due: " << (plan.compare_due ? "yes" : "no") << "\n";
  if (!plan.ddl.empty()) {
    std::string ddl = plan.ddl;
    for (auto at = ddl.find('\n'); at != std::string::npos; at = ddl.find('\n', at + 5)) {
      ddl.replace(at, 1, "\n    ");
    }
    std::cout << "  ddl:\n    " << ddl << ";\n";
  } else {
    std::cout << "  ddl: none, the target exists\n";
  }
  for (const auto& change : plan.schema_changes) {
    std::cout << "  schema change: " << change << "\n";
  }
  for (const auto& problem : plan.drift) {
    std::cout << "  drift: " << problem << "\n";
  }
}

} // namespace

CLI::App* setup_plan(CLI::App& app) {
  return app.add_subcommand("plan",
                            "per table, what the next run would do; writes nothing (exit 1 when a "
                            "table cannot be planned)");
}

int run_plan(const GlobalOptions& global) {
  const CommandContext context(global, config::LoadMode::full);
  const auto source = context.adapters.source();
  const auto target = context.adapters.target();
  // No state file yet: no positions, and plan does not create one.
  const auto state =
      !context.config.state_url.empty() || std::filesystem::exists(context.config.state_file)
          ? context.adapters.state()
          : nullptr;
  bool failed = false;
  for (const auto* table : context.tables) {
    try {
      print_plan(*table, pipeline::plan_run(*table, *source, *target, state.get()));
    } catch (const Error& e) {
      failed = true;
      std::cout << "table " << table->name << ":\n  cannot be planned: " << e.message() << "\n";
    }
  }
  return failed ? k_exit_table_failed : k_exit_ok;
}

} // namespace migrate::cli
