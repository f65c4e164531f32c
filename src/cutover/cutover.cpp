#include "migrate/cutover/cutover.hpp"

#include "migrate/convert/table_plan.hpp"
#include "migrate/core/error.hpp"
#include "migrate/cutover/application_rules.hpp"

#include <spdlog/spdlog.h>

#include <strings.h>

#include <map>
#include <memory>
#include <set>

namespace migrate::cutover {
namespace {

// The target names of every mapped table, each described by MySQL once, for its own plan and as the
// foreign keys of the tables ask for them.
class MappedTables {
public:
  MappedTables(const std::vector<config::TableMapping>& all, source::Source& source)
      : m_all(all)
      , m_source(source) {}

  // The target table and column names of the mapping of `source_table`, or nullptr when no
  // mapping names it.
  const MappedNames* names(const std::string& source_table);

  // MySQL's description of `source_table`, read once for the table's own plan and for the foreign
  // keys that reference it.
  const SourceTable& described(const std::string& source_table) {
    auto found = m_described.find(source_table);
    if (found == m_described.end()) {
      found = m_described.emplace(source_table, m_source.describe(source_table)).first;
    }
    return found->second;
  }

private:
  // The plan of the mapping of `source_table`, or nullptr when no mapping names it.
  const convert::TablePlan* plan(const std::string& source_table) {
    const auto found = m_plans.find(source_table);
    if (found != m_plans.end()) {
      return found->second.get();
    }
    const config::TableMapping* mapping = find(source_table);
    std::unique_ptr<convert::TablePlan> plan;
    if (mapping != nullptr) {
      plan = std::make_unique<convert::TablePlan>(
          convert::plan_table(described(mapping->source_table), *mapping));
    }
    return (m_plans[source_table] = std::move(plan)).get();
  }

  const config::TableMapping* find(const std::string& source_table) const {
    for (const auto& mapping : m_all) {
      if (mapping.source_table == source_table) {
        return &mapping;
      }
    }
    return nullptr;
  }

  const std::vector<config::TableMapping>& m_all;
  source::Source& m_source;
  std::map<std::string, SourceTable> m_described;
  std::map<std::string, std::unique_ptr<convert::TablePlan>> m_plans;
  std::map<std::string, std::unique_ptr<MappedNames>> m_names;
};

const MappedNames* MappedTables::names(const std::string& source_table) {
  if (const auto found = m_names.find(source_table); found != m_names.end()) {
    return found->second.get();
  }
  const auto* mapping = find(source_table);
  const auto* table_plan = plan(source_table);
  std::unique_ptr<MappedNames> names;
  if (mapping != nullptr && table_plan != nullptr) {
    names = std::make_unique<MappedNames>(
        MappedNames{mapping->target_schema,
                    mapping->target_table,
                    [table_plan](const std::string& column) -> std::optional<std::string> {
                      for (const auto& planned : table_plan->columns) {
                        // MySQL compares column names without case.
                        if (strcasecmp(planned.source.name.c_str(), column.c_str()) == 0) {
                          return planned.target_name;
                        }
                      }
                      return std::nullopt;
                    }});
  }
  return (m_names[source_table] = std::move(names)).get();
}

// The AUTO_INCREMENT column as the target has it, when the mapping keeps it.
std::optional<SerialColumn> serial_of(const convert::TablePlan& plan,
                                      const std::optional<AutoIncrement>& counter) {
  if (!counter) {
    return std::nullopt;
  }
  for (const auto& column : plan.columns) {
    if (strcasecmp(column.source.name.c_str(), counter->column.c_str()) == 0) {
      return SerialColumn{column.target_name, column.type.pg_type, counter->next};
    }
  }
  return std::nullopt;
}

// What MySQL does for the application on each column, as the mapping carries the column.
std::vector<ColumnRule> column_rules(const convert::TablePlan& plan, bool mariadb) {
  std::vector<ColumnRule> out;
  for (const auto& column : plan.columns) {
    ColumnRule rule{column.target_name,
                    column.type.pg_type,
                    parse_default(column.source, mariadb),
                    column.not_null,
                    updates_on_change(column.source),
                    {}};
    if (!column.transforms.empty()) {
      rule.no_default = "the mapping transforms the column";
    }
    out.push_back(std::move(rule));
  }
  return out;
}

std::vector<std::string> case_insensitive_columns(const convert::TablePlan& plan) {
  std::vector<std::string> out;
  for (const auto& column : plan.columns) {
    const auto& type = column.type.pg_type;
    const bool text = type.rfind("text", 0) == 0 || type.rfind("character", 0) == 0
                      || type.rfind("varchar", 0) == 0;
    if (case_insensitive(column.source) && text) {
      out.push_back(column.target_name);
    }
  }
  return out;
}

void add(TableCutover& out, RulesDecision decision) {
  for (auto& step : decision.steps) {
    out.steps.push_back(std::move(step));
  }
  for (auto& note : decision.notes) {
    out.notes.push_back(std::move(note));
  }
}

// Defaults, NOT NULLs, ON UPDATE triggers and CHECK constraints.
void plan_application_rules(TableCutover& out,
                            const convert::TablePlan& plan,
                            const TargetCatalog& catalog,
                            const MappedNames& names,
                            source::Source& source,
                            const std::string& table) {
  add(out,
      plan_column_rules(
          out.target, column_rules(plan, source.server_version().is_mariadb()), catalog));
  add(out, plan_checks(out.target, source.check_constraints(table), names.column, catalog));
}

TableCutover plan_table(const config::TableMapping& mapping,
                        MappedTables& mapped,
                        source::Source& source,
                        target::Target& target) {
  TableCutover out;
  out.table = mapping.source_table;
  auto with_indexes = mapping;
  with_indexes.indexes = true;
  const auto plan = convert::plan_table(mapped.described(mapping.source_table), with_indexes);
  out.target = convert::target_table(with_indexes, plan);
  const auto serial = serial_of(plan, source.auto_increment(mapping.source_table));
  out.catalog = target.catalog(out.target, serial ? serial->column : std::string());
  const auto& catalog = out.catalog;
  if (serial) {
    auto decision = plan_serial(out.target, *serial, catalog);
    out.serial_column = serial->column;
    if (decision.note.empty()) {
      out.next_value = decision.next;
    } else {
      out.notes.push_back(decision.note);
    }
    out.steps = std::move(decision.steps);
  }
  for (auto& step : plan_indexes(out.target, catalog, case_insensitive_columns(plan))) {
    out.steps.push_back(std::move(step));
  }
  plan_application_rules(
      out, plan, catalog, *mapped.names(mapping.source_table), source, mapping.source_table);
  auto keys = map_foreign_keys(mapping.source_table,
                               source.foreign_keys(mapping.source_table),
                               [&](const std::string& table) { return mapped.names(table); });
  for (auto& skipped : keys.skipped) {
    out.notes.push_back("foreign key " + skipped + ": not created");
  }
  out.foreign_keys = std::move(keys.keys);
  for (auto& step : plan_foreign_keys(out.foreign_keys, catalog)) {
    out.steps.push_back(std::move(step));
  }
  return out;
}

int phase_of(Step::Kind kind) {
  switch (kind) {
  case Step::Kind::foreign_key:
  case Step::Kind::check:
    return 2;
  case Step::Kind::validate_key:
    return 3;
  default:
    return 1;
  }
}

// The object that must not have failed for `step` to run: dropping the sync's twin needs the
// unique index, validating a constraint needs it added, an index is built after the unusable
// one of that name is dropped. Empty: none.
std::string needed_by(const Step& step) {
  switch (step.kind) {
  case Step::Kind::drop_index:
    return step.needs;
  case Step::Kind::default_value:
  case Step::Kind::not_null:
  case Step::Kind::on_update:
    return {};
  default:
    return step.object;
  }
}

const TargetForeignKey* key_named(const TableCutover& plan, const std::string& name) {
  for (const auto& key : plan.foreign_keys) {
    if (key.name == name) {
      return &key;
    }
  }
  return nullptr;
}

// Runs one step; a foreign key that does not validate is reported with the rows breaking it.
StepOutcome run_step(const TableCutover& plan,
                     const Step& step,
                     target::Target& target,
                     std::size_t orphans_shown) {
  StepOutcome outcome{plan.table, step, StepOutcome::Result::done, {}, {}};
  try {
    target.execute(plan.target, step.sql);
    spdlog::info("table={} cutover {} done: {}", plan.table, step.object, step.what);
  } catch (const Error& e) {
    outcome.result = StepOutcome::Result::failed;
    outcome.error =
        e.message()
        + (e.context().sqlstate.empty() ? "" : " (SQLSTATE " + e.context().sqlstate + ")");
    spdlog::error("table={} cutover {} failed: {}", plan.table, step.object, outcome.error);
    const auto* key = key_named(plan, step.object);
    if (step.kind == Step::Kind::validate_key && key != nullptr) {
      outcome.orphans = target.orphan_keys(*key, orphans_shown);
      for (const auto& row : outcome.orphans) {
        spdlog::error("table={} constraint={} violated by {} (no row in {})",
                      plan.table,
                      key->name,
                      row,
                      key->referenced_table);
      }
    }
  }
  return outcome;
}

} // namespace

std::vector<TableCutover> plan_cutover(const std::vector<const config::TableMapping*>& tables,
                                       const std::vector<config::TableMapping>& all,
                                       source::Source& source,
                                       target::Target& target) {
  MappedTables mapped(all, source);
  std::vector<TableCutover> out;
  for (const auto* mapping : tables) {
    try {
      out.push_back(plan_table(*mapping, mapped, source, target));
    } catch (const Error& e) {
      throw e.with_table(mapping->source_table);
    }
  }
  return out;
}

std::vector<StepOutcome> apply_cutover(const std::vector<TableCutover>& plans,
                                       target::Target& target,
                                       std::size_t orphans_shown) {
  std::vector<StepOutcome> out;
  std::set<std::string> failed; // "table/object" of each failed step
  for (int phase = 1; phase <= 3; ++phase) {
    for (const auto& plan : plans) {
      for (const auto& step : plan.steps) {
        if (phase_of(step.kind) != phase) {
          continue;
        }
        const auto needs = needed_by(step);
        if (!needs.empty() && failed.count(plan.table + "/" + needs) != 0) {
          out.push_back({plan.table, step, StepOutcome::Result::skipped, {}, {}});
          continue;
        }
        out.push_back(run_step(plan, step, target, orphans_shown));
        if (out.back().result == StepOutcome::Result::failed) {
          failed.insert(plan.table + "/" + step.object);
        }
      }
    }
  }
  return out;
}

std::vector<Step> plan_revert(const TableCutover& plan) {
  const auto& table = plan.target;
  const auto on = qualified(table.schema, table.name);
  std::vector<Step> out;
  for (const auto& key : plan.foreign_keys) {
    if (plan.catalog.constraint(key.name) != nullptr) {
      out.push_back(
          {Step::Kind::foreign_key,
           key.name,
           "ALTER TABLE " + on + " DROP CONSTRAINT IF EXISTS " + quote_identifier(key.name),
           "foreign key " + key.name + " dropped",
           {}});
    }
  }
  for (const auto& index : table.indexes) {
    const auto unique = unique_index_name(table, index);
    if (!index.unique || plan.catalog.index(unique) == nullptr) {
      continue;
    }
    const auto plain = sync_index_name(table, index);
    std::string columns;
    for (const auto& column : index.columns) {
      columns += (columns.empty() ? "" : ", ") + quote_identifier(column);
    }
    out.push_back({Step::Kind::index,
                   plain,
                   "CREATE INDEX IF NOT EXISTS " + quote_identifier(plain) + " ON " + on + " ("
                       + columns + ")",
                   "index " + plain + " built as the sync has it",
                   {}});
    out.push_back({Step::Kind::drop_index,
                   unique,
                   "DROP INDEX IF EXISTS " + qualified(table.schema, unique),
                   "unique index " + unique + " dropped",
                   plain});
  }
  for (const auto& column : table.columns) {
    const auto name = on_update_trigger_name(table, column.name);
    if (plan.catalog.has_trigger(name)) {
      out.push_back({Step::Kind::on_update,
                     name,
                     "DROP TRIGGER IF EXISTS " + quote_identifier(name) + " ON " + on
                         + "; DROP FUNCTION IF EXISTS " + qualified(table.schema, name) + "()",
                     "ON UPDATE trigger " + name + " dropped",
                     {}});
    }
  }
  return out;
}

} // namespace migrate::cutover
