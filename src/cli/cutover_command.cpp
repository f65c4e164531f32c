#include "cli/adapters.hpp"
#include "cli/commands.hpp"
#include "cli/text_table.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/core/error.hpp"
#include "migrate/core/log_text.hpp"
#include "migrate/cutover/cutover.hpp"
#include "migrate/pipeline/table_sync.hpp"
#include "migrate/report/html_report.hpp"
#include "migrate/state/run_lock.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>
#include <map>

namespace migrate::cli {
namespace {

using cutover::Step;
using cutover::StepOutcome;

// The mapping the final sync and checksum use: every pass of a run, the comparison included
// whatever compare_every says, and deletes compared whatever `deletes: ignore` says, unless
// --keep-deletes (soft deletes stay soft). Rows changed in PostgreSQL by anything but migrate are
// left as they are (SyncOptions::leave_target_edits): the checksum is there to find them and stop.
config::TableMapping final_mapping(const config::TableMapping& mapping, bool keep_deletes) {
  auto out = mapping;
  out.compare_every = 1;
  if (!keep_deletes && out.deletes != config::DeletePolicy::soft) {
    out.deletes = config::DeletePolicy::remove;
  }
  return out;
}

// The final sync of every table, all passes; false when one failed.
bool final_sync(const CommandContext& context,
                const CutoverOptions& options,
                source::Source& source,
                target::Target& target,
                state::StateStore& state) {
  pipeline::SyncOptions sync;
  sync.retry = context.config.retry;
  sync.leave_target_edits = true;
  bool ok = true;
  for (const auto* table : context.tables) {
    // Leased as a run leases it: a cutover does not write beside a running worker.
    hold_lease(state, table->source_table, "cut over");
    const auto result = pipeline::sync_table(
        final_mapping(*table, options.keep_deletes), source, target, state, sync);
    state.release_lease(table->source_table);
    if (result.outcome != Outcome::ok) {
      std::cout << table->source_table << ": final sync FAILED: " << one_line(result.error_text())
                << "\n";
      ok = false;
    }
  }
  return ok;
}

// Every table compared by checksum; the checksums, or nullopt when a table differs.
std::optional<std::map<std::string, std::string>> final_checksum(const CommandContext& context,
                                                                 const CutoverOptions& options,
                                                                 source::Source& source,
                                                                 target::Target& target,
                                                                 state::StateStore& state) {
  std::map<std::string, std::string> checksums;
  bool ok = true;
  for (const auto* table : context.tables) {
    const auto mapping = final_mapping(*table, options.keep_deletes);
    auto result = checksum_one_table(mapping, source, target, state);
    state.record_validation(result.record);
    const auto& record = result.record;
    if (record.outcome != "in sync") {
      ok = false;
      std::cout << table->source_table << ": DIFFERS: " << one_line(record.summary) << "\n";
      for (std::size_t i = 0; i < record.rows.size() && i < 20; ++i) {
        std::cout << "  key " << record.rows[i].key << ": " << record.rows[i].difference << "\n";
      }
    }
    checksums[table->source_table] = result.checksum;
  }
  if (!ok) {
    return std::nullopt;
  }
  return checksums;
}

void print_dry_run(const std::vector<cutover::TableCutover>& plans) {
  std::size_t statements = 0;
  for (const auto& plan : plans) {
    std::cout << "-- " << plan.table << " → " << plan.target.qualified_name() << "\n";
    for (const auto& note : plan.notes) {
      std::cout << "-- " << note << "\n";
    }
    for (const auto& step : plan.steps) {
      std::cout << step.sql << ";\n";
      ++statements;
    }
    std::cout << (plan.steps.empty() ? "-- nothing to do\n\n" : "\n");
  }
  std::cout << "-- dry run: " << statements << " statement" << (statements == 1 ? "" : "s")
            << " printed, none run\n";
}

// What the report says of one table.
struct TableLine {
  std::string sequence = "-";
  std::string indexes;
  std::string foreign_keys;
  std::string checksum;
};

TableLine table_line(const cutover::TableCutover& plan,
                     const std::vector<StepOutcome>& outcomes,
                     const std::map<std::string, std::string>& checksums) {
  TableLine line;
  std::size_t indexes_built = 0;
  std::size_t keys_added = 0;
  std::size_t keys_invalid = 0;
  for (const auto& outcome : outcomes) {
    if (outcome.table != plan.table) {
      continue;
    }
    const auto done = outcome.result == StepOutcome::Result::done;
    indexes_built += done && outcome.step.kind == Step::Kind::index ? 1U : 0U;
    keys_added += done && outcome.step.kind == Step::Kind::foreign_key ? 1U : 0U;
    keys_invalid += !done && outcome.step.kind == Step::Kind::validate_key ? 1U : 0U;
  }
  if (plan.serial_column && plan.next_value) {
    line.sequence = *plan.serial_column + " next " + std::to_string(*plan.next_value);
  } else if (plan.serial_column) {
    line.sequence = *plan.serial_column + " left as it is";
  }
  line.indexes =
      std::to_string(plan.target.indexes.size()) + " (" + std::to_string(indexes_built) + " built)";
  line.foreign_keys =
      std::to_string(plan.foreign_keys.size()) + " (" + std::to_string(keys_added) + " added"
      + (keys_invalid > 0 ? ", " + std::to_string(keys_invalid) + " NOT VALID" : "") + ")";
  const auto found = checksums.find(plan.table);
  line.checksum = found != checksums.end() ? found->second : "-";
  return line;
}

void print_failures(const std::vector<StepOutcome>& outcomes) {
  for (const auto& outcome : outcomes) {
    if (outcome.result == StepOutcome::Result::failed) {
      std::cout << outcome.table << ": " << outcome.step.object
                << " FAILED: " << one_line(outcome.error) << "\n";
      for (const auto& row : outcome.orphans) {
        std::cout << "  constraint " << outcome.step.object << " violated by " << row << "\n";
      }
    } else if (outcome.result == StepOutcome::Result::skipped) {
      std::cout << outcome.table << ": " << outcome.step.object
                << " skipped: a step it needs failed\n";
    }
  }
}

// The report's table as a self-contained HTML page.
void write_html(const std::string& path,
                const std::vector<std::vector<std::string>>& rows,
                const std::vector<StepOutcome>& outcomes) {
  std::ofstream out(path);
  out << "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>migrate cutover</title>"
         "<style>body{font-family:sans-serif}td,th{padding:2px 8px;border-bottom:1px solid #ccc;"
         "text-align:left}</style></head><body><h1>migrate cutover</h1><table><tr><th>table</th>"
         "<th>sequence</th><th>indexes</th><th>foreign keys</th><th>checksum</th></tr>";
  for (const auto& row : rows) {
    out << "<tr>";
    for (const auto& cell : row) {
      out << "<td>" << report::html_escape(cell) << "</td>";
    }
    out << "</tr>";
  }
  out << "</table><h2>Statements</h2><ul>";
  for (const auto& outcome : outcomes) {
    const char* const result[] = {"done", "FAILED", "skipped"};
    out << "<li>" << report::html_escape(outcome.table) << ": <code>"
        << report::html_escape(outcome.step.sql) << "</code> "
        << result[static_cast<int>(outcome.result)] << " " << report::html_escape(outcome.error);
    for (const auto& row : outcome.orphans) {
      out << "<br>violated by " << report::html_escape(row);
    }
    out << "</li>";
  }
  out << "</ul></body></html>\n";
  if (!out) {
    throw Error(ErrorArea::config, "cannot write " + path);
  }
}

// The per-table report; true when every statement ran.
bool print_report(const std::vector<cutover::TableCutover>& plans,
                  const std::vector<StepOutcome>& outcomes,
                  const std::map<std::string, std::string>& checksums,
                  const std::string& html) {
  TextTable out({{"table"}, {"sequence"}, {"indexes"}, {"foreign keys"}, {"checksum"}});
  std::vector<std::vector<std::string>> rows;
  for (const auto& plan : plans) {
    const auto line = table_line(plan, outcomes, checksums);
    rows.push_back({plan.table, line.sequence, line.indexes, line.foreign_keys, line.checksum});
    out.add_row(rows.back());
    for (const auto& note : plan.notes) {
      spdlog::warn("table={} {}", plan.table, note);
    }
  }
  std::cout << out.render();
  print_failures(outcomes);
  if (!html.empty()) {
    write_html(html, rows, outcomes);
  }
  std::size_t done = 0;
  std::size_t failed = 0;
  for (const auto& outcome : outcomes) {
    done += outcome.result == StepOutcome::Result::done ? 1U : 0U;
    failed += outcome.result == StepOutcome::Result::failed ? 1U : 0U;
  }
  if (outcomes.empty()) {
    std::cout << "cutover changed nothing: every identity, index and foreign key is in place\n";
  } else {
    std::cout << outcomes.size() << " statement(s): " << done << " done, " << failed << " failed, "
              << outcomes.size() - done - failed << " skipped (a statement they need failed)\n";
  }
  return done == outcomes.size();
}

} // namespace

CLI::App* setup_cutover(CLI::App& app, CutoverOptions& options) {
  auto* command = app.add_subcommand(
      "cutover",
      "switch-over day, once MySQL takes no more writes: a final sync and checksum of every "
      "table, then identities, unique indexes and foreign keys in PostgreSQL");
  command->add_flag("--dry-run",
                    options.dry_run,
                    "print the statements the cutover would run now; no sync, nothing written");
  command->add_flag("--keep-deletes",
                    options.keep_deletes,
                    "the final sync keeps the target rows a `deletes: ignore` table keeps");
  command->add_option("--html", options.html, "also write the report to this HTML file")
      ->type_name("FILE");
  return command;
}

int run_cutover(const GlobalOptions& global, const CutoverOptions& options) {
  const CommandContext context(global, config::LoadMode::full);
  const auto source = context.adapters.source();
  const auto target = context.adapters.target();
  log_connections(context.config, *source, *target);
  if (options.dry_run) {
    print_dry_run(cutover::plan_cutover(context.tables, context.config.tables, *source, *target));
    return k_exit_ok;
  }
  const auto lock = context.config.state_url.empty()
                        ? std::make_unique<state::RunLock>(context.config.state_file)
                        : nullptr;
  const auto state = context.adapters.state();
  if (!final_sync(context, options, *source, *target, *state)) {
    std::cout << "cutover stopped: the final sync failed; PostgreSQL's keys were not changed\n";
    return k_exit_table_failed;
  }
  const auto checksums = final_checksum(context, options, *source, *target, *state);
  if (!checksums) {
    std::cout << "cutover stopped: PostgreSQL differs from MySQL; PostgreSQL's keys were not "
                 "changed\n";
    return k_exit_table_failed;
  }
  const auto plans = cutover::plan_cutover(context.tables, context.config.tables, *source, *target);
  const auto outcomes = cutover::apply_cutover(plans, *target);
  return print_report(plans, outcomes, *checksums, options.html) ? k_exit_ok : k_exit_table_failed;
}

} // namespace migrate::cli
