#include "migrate/cutover/cutover_plan.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <stdexcept>

namespace migrate::cutover {
namespace {

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) {
    return static_cast<char>(std::toupper(c));
  });
  return text;
}

std::string column_list(const std::vector<std::string>& columns) {
  std::string out;
  for (const auto& column : columns) {
    out += (out.empty() ? "" : ", ") + quote_identifier(column);
  }
  return out;
}

bool is_integer_type(const std::string& pg_type) {
  return pg_type == "smallint" || pg_type == "integer" || pg_type == "bigint";
}

std::string alter_column(const TargetTable& table, const std::string& column) {
  return "ALTER TABLE " + qualified(table.schema, table.name) + " ALTER COLUMN "
         + quote_identifier(column);
}

} // namespace

std::string qualified(const std::string& schema, const std::string& table) {
  return quote_identifier(schema) + "." + quote_identifier(table);
}

std::int64_t next_value(std::optional<std::uint64_t> auto_increment,
                        std::optional<std::int64_t> max_value) {
  constexpr auto k_max = std::numeric_limits<std::int64_t>::max();
  std::int64_t next = 1;
  if (auto_increment) {
    next =
        std::max(next, static_cast<std::int64_t>(std::min<std::uint64_t>(*auto_increment, k_max)));
  }
  if (max_value && *max_value < k_max) {
    next = std::max(next, *max_value + 1);
  }
  return next;
}

std::string referential_action(const std::string& mysql_rule) {
  const auto rule = upper(mysql_rule);
  if (rule == "CASCADE" || rule == "SET NULL" || rule == "SET DEFAULT" || rule == "RESTRICT"
      || rule == "NO ACTION") {
    return rule;
  }
  throw std::invalid_argument("unknown referential rule '" + mysql_rule + "'");
}

std::string sync_index_name(const TargetTable& table, const SourceIndex& index) {
  return fit_identifier(table.name + "_" + index.name);
}

std::string unique_index_name(const TargetTable& table, const SourceIndex& index) {
  return fit_identifier(table.name + "_" + index.name + "_unique");
}

MappedForeignKeys map_foreign_keys(const std::string& source_table,
                                   const std::vector<SourceForeignKey>& keys,
                                   const NameLookup& lookup) {
  MappedForeignKeys out;
  const auto* own = lookup(source_table);
  for (const auto& key : keys) {
    const auto* parent = lookup(key.referenced_table);
    if (own == nullptr || parent == nullptr) {
      out.skipped.push_back(key.name + ": table " + key.referenced_table + " is not mapped");
      continue;
    }
    TargetForeignKey mapped{fit_identifier(key.name),
                            own->schema,
                            own->table,
                            {},
                            parent->schema,
                            parent->table,
                            {},
                            referential_action(key.on_delete),
                            referential_action(key.on_update)};
    std::string missing;
    for (std::size_t i = 0; i < key.columns.size() && i < key.referenced_columns.size(); ++i) {
      const auto column = own->column(key.columns[i]);
      const auto referenced = parent->column(key.referenced_columns[i]);
      if (!column || !referenced) {
        missing = !column ? source_table + "." + key.columns[i]
                          : key.referenced_table + "." + key.referenced_columns[i];
        break;
      }
      mapped.columns.push_back(*column);
      mapped.referenced_columns.push_back(*referenced);
    }
    if (!missing.empty()) {
      out.skipped.push_back(key.name + ": column " + missing + " is not mapped");
      continue;
    }
    out.keys.push_back(std::move(mapped));
  }
  return out;
}

SerialDecision
plan_serial(const TargetTable& table, const SerialColumn& serial, const TargetCatalog& catalog) {
  SerialDecision out;
  out.next = next_value(serial.auto_increment, catalog.max_value);
  const auto next = std::to_string(out.next);
  if (!is_integer_type(serial.pg_type)) {
    out.note = "column " + serial.column + " is " + serial.pg_type + ": no identity possible";
    return out;
  }
  if (catalog.identity) {
    // RESTART on an identity needs only the table's owner, as ADD GENERATED does.
    if (!catalog.sequence_next || *catalog.sequence_next < out.next) {
      out.steps.push_back({Step::Kind::restart,
                           serial.column,
                           alter_column(table, serial.column) + " RESTART WITH " + next,
                           "identity restarted at " + next,
                           {}});
    }
    return out;
  }
  if (!catalog.sequence.empty()) {
    // A serial default someone made: its owned sequence is moved, the default kept.
    if (!catalog.sequence_next || *catalog.sequence_next < out.next) {
      out.steps.push_back({Step::Kind::restart,
                           serial.column,
                           "ALTER SEQUENCE " + catalog.sequence + " RESTART WITH " + next,
                           "sequence " + catalog.sequence + " restarted at " + next,
                           {}});
    }
    return out;
  }
  if (!catalog.column_default.empty()) {
    out.note = "column " + serial.column + " has the default " + catalog.column_default
               + ": left as it is";
    return out;
  }
  out.steps.push_back({Step::Kind::identity,
                       serial.column,
                       alter_column(table, serial.column)
                           + " ADD GENERATED BY DEFAULT AS IDENTITY (START WITH " + next + ")",
                       "identity, next value " + next,
                       {}});
  return out;
}

// The key of a unique index: lower() of each column MySQL compares without case.
static std::string unique_key(const std::vector<std::string>& columns,
                              const std::vector<std::string>& case_insensitive) {
  std::string out;
  for (const auto& column : columns) {
    const bool lower = std::find(case_insensitive.begin(), case_insensitive.end(), column)
                       != case_insensitive.end();
    out += (out.empty() ? "" : ", ")
           + (lower ? "lower(" + quote_identifier(column) + ")" : quote_identifier(column));
  }
  return out;
}

std::vector<Step> plan_indexes(const TargetTable& table,
                               const TargetCatalog& catalog,
                               const std::vector<std::string>& case_insensitive) {
  std::vector<Step> out;
  const auto on = " ON " + qualified(table.schema, table.name) + " (";
  for (const auto& index : table.indexes) {
    const auto columns = column_list(index.columns);
    const auto plain = sync_index_name(table, index);
    if (!index.unique) {
      if (catalog.index(plain) == nullptr) {
        out.push_back({Step::Kind::index,
                       plain,
                       "CREATE INDEX IF NOT EXISTS " + quote_identifier(plain) + on + columns + ")",
                       "index (" + columns + ")",
                       {}});
      }
      continue;
    }
    const auto name = unique_index_name(table, index);
    const auto* built = catalog.index(name);
    if (built != nullptr && (!built->valid || !built->unique)) {
      out.push_back({Step::Kind::drop_index,
                     name,
                     "DROP INDEX IF EXISTS " + qualified(table.schema, name),
                     "unusable index dropped to be built again",
                     {}});
      built = nullptr;
    }
    if (built == nullptr) {
      const auto key = unique_key(index.columns, case_insensitive);
      out.push_back({Step::Kind::index,
                     name,
                     "CREATE UNIQUE INDEX IF NOT EXISTS " + quote_identifier(name) + on + key + ")",
                     "unique index (" + key + ")",
                     {}});
    }
    if (catalog.index(plain) != nullptr) {
      out.push_back({Step::Kind::drop_index,
                     plain,
                     "DROP INDEX IF EXISTS " + qualified(table.schema, plain),
                     "non-unique index of the sync replaced by " + name,
                     name});
    }
  }
  return out;
}

std::vector<Step> plan_foreign_keys(const std::vector<TargetForeignKey>& keys,
                                    const TargetCatalog& catalog) {
  std::vector<Step> out;
  for (const auto& key : keys) {
    const auto table = qualified(key.schema, key.table);
    const auto* existing = catalog.constraint(key.name);
    if (existing == nullptr) {
      out.push_back({Step::Kind::foreign_key,
                     key.name,
                     "ALTER TABLE " + table + " ADD CONSTRAINT " + quote_identifier(key.name)
                         + " FOREIGN KEY (" + column_list(key.columns) + ") REFERENCES "
                         + qualified(key.referenced_schema, key.referenced_table) + " ("
                         + column_list(key.referenced_columns) + ") ON DELETE " + key.on_delete
                         + " ON UPDATE " + key.on_update + " NOT VALID",
                     "foreign key to " + key.referenced_table,
                     {}});
    }
    if (existing == nullptr || !existing->validated) {
      out.push_back({Step::Kind::validate_key,
                     key.name,
                     "ALTER TABLE " + table + " VALIDATE CONSTRAINT " + quote_identifier(key.name),
                     "foreign key validated",
                     {}});
    }
  }
  return out;
}

} // namespace migrate::cutover
