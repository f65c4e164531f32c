// `migrate cutover --dry-run`: everything the cutover would meet, before anything runs.
#include "cli/cutover_output.hpp"
#include "cli/json_writer.hpp"
#include "cli/validate_output.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/core/log_text.hpp"
#include "migrate/validate/table_validation.hpp"

#include <iostream>
#include <map>

namespace migrate::cli {
namespace {

using cutover::Step;

struct DryRunTable {
  std::string table;
  std::string target;
  std::vector<std::string> blockers; // what would stop the cutover
  std::vector<std::string> effects;  // what it would change
  std::vector<std::string> statements;
};

std::string rows_text(std::size_t n) {
  return std::to_string(n) + (n == 1 ? " row" : " rows");
}

// "id=4, id=9 and 3 more"
std::string first_keys(const std::vector<std::string>& keys) {
  std::string out;
  for (std::size_t i = 0; i < keys.size() && i < 5; ++i) {
    out += (i == 0 ? "" : ", ") + keys[i];
  }
  return keys.size() > 5 ? out + " and " + std::to_string(keys.size() - 5) + " more" : out;
}

void add_quarantine(DryRunTable& out, state::StateStore& state) {
  std::vector<std::string> keys;
  for (const auto& entry : state.quarantined(out.table)) {
    if (keys.empty() || keys.back() != entry.key) {
      keys.push_back(entry.key);
    }
  }
  if (!keys.empty()) {
    out.blockers.push_back(rows_text(keys.size()) + " in quarantine (" + first_keys(keys)
                           + "): the checksum stops the cutover until they are written");
  }
}

// What the checksum finds, by the cutover's reading of each kind of difference.
void add_differences(DryRunTable& out, const state::ValidationRecord& record) {
  if (!record.error.empty()) {
    out.blockers.push_back("the checksum failed: " + one_line(record.error));
    return;
  }
  std::map<std::string, std::vector<std::string>> by_kind;
  for (const auto& row : record.rows) {
    by_kind[row.difference].push_back(row.key);
  }
  for (const auto& [kind, keys] : by_kind) {
    const auto n = rows_text(keys.size()) + " (" + first_keys(keys) + ")";
    if (kind == "extra in target") {
      out.effects.push_back("the final sync deletes " + n + ": deleted in MySQL");
    } else if (kind == "changed since the last run" || kind == "missing in target") {
      out.effects.push_back("the final sync writes " + n + ": " + kind);
    } else if (kind.rfind("deleted in MySQL, kept", 0) == 0) {
      out.effects.push_back(n + " deleted in MySQL stay in PostgreSQL (--keep-deletes)");
    } else if (kind.rfind("extra in target", 0) == 0) {
      out.blockers.push_back(n + " in PostgreSQL never came from MySQL: the cutover stops");
    } else if (kind != "in quarantine") {
      out.blockers.push_back(n + " differ from MySQL (" + kind
                             + "): the cutover stops unless the final sync mends them");
    }
  }
}

void add_plan(DryRunTable& out, const cutover::TableCutover& plan, target::Target& target) {
  for (const auto& step : plan.steps) {
    out.statements.push_back(step.sql);
    const bool application =
        step.kind == Step::Kind::default_value || step.kind == Step::Kind::not_null
        || step.kind == Step::Kind::on_update || step.kind == Step::Kind::check
        || (step.kind == Step::Kind::index && step.what.find("lower(") != std::string::npos);
    if (application) {
      out.effects.push_back(
          step.what + (step.kind == Step::Kind::index ? ": case-insensitive in MySQL" : ""));
    }
  }
  for (const auto& note : plan.notes) {
    out.effects.push_back(note);
  }
  for (const auto& key : plan.foreign_keys) {
    const auto* existing = plan.catalog.constraint(key.name);
    if (existing != nullptr && existing->validated) {
      continue;
    }
    const auto orphans = target.orphan_keys(key, 6);
    if (!orphans.empty()) {
      out.blockers.push_back("foreign key " + key.name + " cannot be validated: rows "
                             + first_keys(orphans) + " have no row in " + key.referenced_table);
    }
  }
}

void print_text(const std::vector<DryRunTable>& tables,
                const std::vector<std::string>& already,
                const std::vector<std::string>& other) {
  std::size_t blockers = 0;
  std::size_t statements = 0;
  for (const auto& table : tables) {
    std::cout << table.table << " → " << table.target << "\n";
    for (const auto& line : table.blockers) {
      std::cout << "  BLOCKER: " << line << "\n";
    }
    for (const auto& line : table.effects) {
      std::cout << "  effect: " << line << "\n";
    }
    for (const auto& sql : table.statements) {
      std::cout << "  " << sql << ";\n";
    }
    std::cout << (table.statements.empty() ? "  no statement needed\n" : "");
    blockers += table.blockers.size();
    statements += table.statements.size();
  }
  for (const auto& line : already) {
    std::cout << line << "\n";
  }
  std::cout << "not moved (yours to recreate in PostgreSQL): ";
  for (const auto& object : other) {
    std::cout << object << "; ";
  }
  std::cout << "users, roles and grants\n";
  std::cout << "dry run: " << blockers << (blockers == 1 ? " blocker, " : " blockers, ")
            << statements << (statements == 1 ? " statement" : " statements")
            << "; nothing written\n";
}

void print_json(const std::vector<DryRunTable>& tables,
                const std::vector<std::string>& already,
                const std::vector<std::string>& other) {
  JsonWriter json;
  const auto list = [&json](const char* name, const std::vector<std::string>& items) {
    json.key(name).begin_array();
    for (const auto& item : items) {
      json.value(item);
    }
    json.end_array();
  };
  json.begin_object().key("tables").begin_array();
  for (const auto& table : tables) {
    json.begin_object().key("table").value(table.table).key("target").value(table.target);
    list("blockers", table.blockers);
    list("effects", table.effects);
    list("statements", table.statements);
    json.end_object();
  }
  json.end_array();
  list("already_cut_over", already);
  auto not_moved = other;
  not_moved.push_back("users, roles and grants");
  list("not_moved", not_moved);
  json.end_object();
  std::cout << json.str() << "\n";
}

} // namespace

int run_cutover_dry_run(const CommandContext& context,
                        const CutoverOptions& options,
                        source::Source& source,
                        target::Target& target,
                        state::StateStore& state) {
  std::vector<const config::TableMapping*> tables;
  std::vector<std::string> already;
  for (const auto* table : context.tables) {
    if (const auto record = state.cutover_in_force(table->source_table)) {
      already.push_back(table->source_table + ": cut over at " + record->at + " by " + record->by
                        + "; the cutover leaves it");
    } else {
      tables.push_back(table);
    }
  }
  std::vector<DryRunTable> out;
  bool blocked = false;
  for (const auto& plan : cutover::plan_cutover(tables, context.config.tables, source, target)) {
    DryRunTable table{plan.table, plan.target.qualified_name(), {}, {}, {}};
    add_quarantine(table, state);
    for (const auto* mapping : tables) {
      if (mapping->source_table == plan.table) {
        const auto verdict = validate::checksum_verdict(
            final_mapping(*mapping, options.keep_deletes), source, target, state);
        log_verdict(verdict);
        add_differences(table, verdict.record);
      }
    }
    add_plan(table, plan, target);
    blocked = blocked || !table.blockers.empty();
    out.push_back(std::move(table));
  }
  const auto other = source.other_objects();
  options.json ? print_json(out, already, other) : print_text(out, already, other);
  return blocked ? k_exit_table_failed : k_exit_ok;
}

} // namespace migrate::cli
