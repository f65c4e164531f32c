// `migrate plan`: what the next run would do per table, found without writing anything.
#include "cli/adapters.hpp"
#include "cli/commands.hpp"
#include "cli/json_writer.hpp"

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

void strings(JsonWriter& json, const std::string& key, const std::vector<std::string>& values) {
  json.key(key).begin_array();
  for (const auto& value : values) {
    json.value(value);
  }
  json.end_array();
}

// The same facts as print_plan(), as members of the table's object; empty texts are null.
void write_plan(JsonWriter& json,
                const config::TableMapping& table,
                const pipeline::RunPlan& plan) {
  const auto text_or_null = [&json](const std::string& key, const std::string& value) {
    json.key(key);
    value.empty() ? json.null() : json.value(value);
  };
  json.key("pass").value(plan.pass).key("resumed").value(plan.resume);
  json.key("compare_after").value(plan.compare_after || plan.verify_slices > 0);
  json.key("verify_slice").value(static_cast<std::uint64_t>(plan.verify_slice));
  json.key("verify_slices").value(static_cast<std::uint64_t>(plan.verify_slices));
  text_or_null("key_ranges", plan.key_ranges);
  json.key("parallel_ranges").value(static_cast<std::uint64_t>(table.parallel_ranges));
  text_or_null("position_voided", plan.void_reason);
  text_or_null("cursor", plan.cursor);
  json.key("lookback_s").value(static_cast<std::int64_t>(table.lookback.count()));
  text_or_null("upper_bound", plan.upper_bound);
  json.key("rows_to_read"); // null: only the rows of chunks whose digests differ
  plan.rows_to_read ? json.value(*plan.rows_to_read) : json.null();
  json.key("comparison_due").value(plan.compare_due);
  text_or_null("ddl", plan.ddl);
  strings(json, "schema_changes", plan.schema_changes);
  strings(json, "drift", plan.drift);
}

} // namespace

CLI::App* setup_plan(CLI::App& app, bool& json) {
  auto* command =
      app.add_subcommand("plan",
                         "per table, what the next run would do; writes nothing (exit 1 "
                         "when a table cannot be planned)");
  command->add_flag("--json", json, "one JSON document: each table's plan, or why it has none");
  return command;
}

int run_plan(const GlobalOptions& global, bool as_json) {
  const CommandContext context(global, config::ReadScope::full);
  const auto source = context.adapters.source();
  const auto target = context.adapters.target();
  // No state file yet: no positions, and plan does not create one.
  const auto state =
      context.config.state.shared() || std::filesystem::exists(context.config.state.file)
          ? context.adapters.state()
          : nullptr;
  bool failed = false;
  JsonWriter json;
  json.begin_object().key("tables").begin_array();
  for (const auto* table : context.tables) {
    json.begin_object().key("table").value(table->name);
    try {
      const auto plan = pipeline::plan_run(*table, *source, *target, state.get());
      as_json ? write_plan(json, *table, plan) : print_plan(*table, plan);
      json.key("error").null();
    } catch (const Error& e) {
      failed = true;
      json.key("error").value(e.message());
      if (!as_json) {
        std::cout << "table " << table->name << ":\n  cannot be planned: " << e.message() << "\n";
      }
    }
    json.end_object();
  }
  json.end_array().key("ok").value(!failed).end_object();
  if (as_json) {
    std::cout << json.str() << "\n";
  }
  return failed ? k_exit_table_failed : k_exit_ok;
}

} // namespace migrate::cli
