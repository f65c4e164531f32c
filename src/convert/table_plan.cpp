#include "migrate/convert/table_plan.hpp"

#include "migrate/core/error.hpp"

#include <strings.h>

#include <algorithm>

namespace migrate::convert {
namespace {

using config::TransformKind;

bool same_name(const std::string& a, const std::string& b) {
  return strcasecmp(a.c_str(), b.c_str()) == 0;
}

std::size_t position_of(const std::vector<ColumnPlan>& columns, const std::string& name) {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (same_name(columns[i].source.name, name)) {
      return i;
    }
  }
  return columns.size();
}

[[noreturn]] void fail_mapping(const config::Location& where, const std::string& what) {
  throw Error(ErrorArea::config, where.to_string() + ": " + what);
}

void check_key_column(const ColumnPlan& column, const config::TableMapping& mapping) {
  const auto& name = column.source.name;
  const auto& where =
      mapping.primary_key_location.line > 0 ? mapping.primary_key_location : mapping.location;
  // Changing a key's value could make two MySQL rows one PostgreSQL row.
  if (!column.transforms.empty()) {
    fail_mapping(column.transforms.front().location,
                 "transformations: '" + name
                     + "' is a key column: changing its values could "
                       "merge distinct rows (only rename applies to keys)");
  }
  if (column.fix_double_encoding) {
    fail_mapping(mapping.fix_encoding_location,
                 "fix_encoding: '" + name
                     + "' is a key column: repairing it could merge "
                       "distinct rows");
  }
  if (column.source.data_type == "set") {
    fail_mapping(where,
                 "primary_key: '" + name + "' is a SET column, which cannot order a key cursor");
  }
  // Checked before anything is created: the key is built after the first load, and a NULL there
  // would leave a table that fails every run.
  if (column.source.nullable) {
    fail_mapping(where,
                 "primary_key: column '" + name + "' of MySQL table '" + mapping.source_table
                     + "' is nullable, and a PostgreSQL primary key cannot hold NULL: name NOT "
                       "NULL columns as primary_key, or make '"
                     + name + "' NOT NULL in MySQL");
  }
}

// PostgreSQL would cut a longer name when creating the table, and every later run would then see
// a column it does not know: refuse before anything is created.
void check_target_names(const TablePlan& plan, const config::TableMapping& mapping) {
  const auto too_long = [](const std::string& name) {
    return name.size() > k_max_identifier_bytes;
  };
  const auto limit = std::to_string(k_max_identifier_bytes);
  if (too_long(mapping.target_table) || too_long(mapping.target_schema)) {
    fail_mapping(mapping.location,
                 "target_table: '" + mapping.target_schema + "." + mapping.target_table
                     + "' has a name longer than PostgreSQL's " + limit
                     + " bytes: set a shorter target_table");
  }
  for (const auto& column : plan.columns) {
    if (is_tool_column(column.target_name)) {
      fail_mapping(mapping.location,
                   "column '" + column.target_name + "' of MySQL table '" + mapping.source_table
                       + "' has the name of a column migrate keeps its row digests in: rename "
                         "it with a transformation {column: "
                       + column.source.name + ", type: rename, to: NEW_NAME}");
    }
    if (too_long(column.target_name)) {
      fail_mapping(mapping.location,
                   "column '" + column.target_name + "' of MySQL table '" + mapping.source_table
                       + "' is " + std::to_string(column.target_name.size())
                       + " bytes long, more than PostgreSQL's " + limit
                       + ": give it a shorter name with a transformation {column: "
                       + column.source.name + ", type: rename, to: NEW_NAME}");
    }
  }
  if (too_long(mapping.soft_delete_column)) {
    fail_mapping(mapping.location,
                 "soft_delete_column: '" + mapping.soft_delete_column + "' is longer than " + limit
                     + " bytes");
  }
}

bool is_integer_type(const std::string& pg_type) {
  return pg_type == "smallint" || pg_type == "integer" || pg_type == "bigint";
}

// A cast changes how the value is sent when the new type reads another text form.
ValueKind kind_after_cast(ValueKind kind, const std::string& pg_type) {
  if (kind == ValueKind::boolean && pg_type != "boolean") {
    return ValueKind::integer; // tinyint(1) as its digits
  }
  if (kind == ValueKind::bytes && (pg_type == "text" || pg_type.rfind("varchar", 0) == 0)) {
    return ValueKind::text; // text kept in a binary column by a legacy application
  }
  return kind;
}

} // namespace

bool TargetLimits::any() const {
  return min_integer || max_chars || integer_digits || boolean;
}

TargetLimits limits_of(const std::string& pg_type) {
  TargetLimits limits;
  if (pg_type == "smallint") {
    limits.min_integer = -32768;
    limits.max_integer = 32767;
  } else if (pg_type == "integer") {
    limits.min_integer = INT32_MIN;
    limits.max_integer = INT32_MAX;
  } else if (pg_type == "bigint") {
    limits.min_integer = INT64_MIN;
    limits.max_integer = INT64_MAX;
  } else if (pg_type == "boolean") {
    limits.boolean = true;
  } else if (pg_type.rfind("varchar(", 0) == 0 || pg_type.rfind("char(", 0) == 0) {
    limits.max_chars = std::stoi(pg_type.substr(pg_type.find('(') + 1));
  } else if (pg_type.rfind("numeric(", 0) == 0) {
    const auto open = pg_type.find('(');
    const auto comma = pg_type.find(',');
    const int precision = std::stoi(pg_type.substr(open + 1));
    const int scale = comma == std::string::npos ? 0 : std::stoi(pg_type.substr(comma + 1));
    limits.integer_digits = precision - scale;
    limits.scale = scale;
  }
  return limits;
}

bool ColumnPlan::is_textual() const {
  return type.kind == ValueKind::text;
}

config::DeletePolicy delete_policy(const config::TableMapping& mapping, const TablePlan& plan) {
  return mapping.deletes.value_or(plan.timestamp_position ? config::DeletePolicy::ignore
                                                          : config::DeletePolicy::remove);
}

TargetTable target_table(const config::TableMapping& mapping, const TablePlan& plan) {
  const auto& schema = mapping.target_schema;
  TargetTable table{schema, mapping.target_table, {}, {}, {}};
  if (delete_policy(mapping, plan) == config::DeletePolicy::soft) {
    table.soft_delete_column = mapping.soft_delete_column;
  }
  for (const auto& column : plan.columns) {
    TargetColumn target{column.target_name, column.type.pg_type, column.not_null, {}, false};
    if (column.source.data_type == "enum" && column.type.pg_type == "text") {
      target.allowed_values = parse_enum_values(column.source.column_type);
      // '' is MySQL's error value (index 0): old data written in a lax sql_mode holds it.
      if (std::find(target.allowed_values.begin(), target.allowed_values.end(), "")
          == target.allowed_values.end()) {
        target.allowed_values.emplace_back();
      }
      if (plan.enum_as == config::EnumAs::type) {
        target.enum_type = true;
        target.pg_type = "\"" + schema + "\".\""
                         + fit_identifier(mapping.target_table + "_" + column.target_name) + "\"";
      }
    }
    table.columns.push_back(std::move(target));
  }
  table.columns.push_back(TargetColumn{k_digest_column, "bigint", false, {}, false});
  for (const auto position : plan.key_positions) {
    table.primary_key.push_back(plan.columns[position].target_name);
  }
  for (const auto& index : plan.indexes) {
    SourceIndex renamed{index.name, index.unique, {}};
    for (const auto& column_name : index.columns) {
      const auto position = position_of(plan.columns, column_name);
      if (position == plan.columns.size()) {
        break; // a column the mapping excludes: the index cannot be built
      }
      renamed.columns.push_back(plan.columns[position].target_name);
    }
    if (renamed.columns.size() == index.columns.size()) {
      table.indexes.push_back(std::move(renamed));
    }
  }
  return table;
}

namespace {

// The MySQL table's columns before the mapping leaves any out, found by name for the mapping's
// entries: an entry naming a column MySQL lacks is an error at its line.
struct AllColumns {
  std::vector<ColumnPlan> columns;
  const config::TableMapping& mapping;

  ColumnPlan& find(const std::string& name, const config::Location& where, const char* what) {
    return columns[position(name, where, what)];
  }

  std::size_t position(const std::string& name, const config::Location& where, const char* what) {
    const auto found = position_of(columns, name);
    if (found == columns.size()) {
      fail_mapping(where,
                   std::string(what) + ": column '" + name + "' does not exist in MySQL table '"
                       + mapping.source_table + "'");
    }
    return found;
  }
};

void apply_casts(AllColumns& all) {
  const auto& mapping = all.mapping;
  for (const auto& [name, pg_type] : mapping.casts) {
    auto& column = all.find(name, mapping.casts_location, "cast");
    const auto kind = column.type.kind;
    if ((kind == ValueKind::decimal || kind == ValueKind::floating) && is_integer_type(pg_type)) {
      // PostgreSQL does not read "1.50" as an integer; numeric(p,0) rounds visibly instead.
      fail_mapping(mapping.casts_location,
                   "cast: '" + name + "' is " + column.source.column_type + ", which " + pg_type
                       + " cannot read; cast to numeric(p,0) instead");
    }
    column.type.kind = kind_after_cast(kind, pg_type);
    column.type.pg_type = pg_type;
  }
  for (const auto& name : mapping.fix_double_encoding) {
    auto& column = all.find(name, mapping.fix_encoding_location, "fix_encoding");
    if (!column.is_textual()) {
      fail_mapping(mapping.fix_encoding_location,
                   "fix_encoding: '" + name + "' is " + column.source.column_type + ", not text");
    }
    column.fix_double_encoding = true;
  }
}

// A value transformation the column's type allows, kept in the column's list.
void add_transformation(ColumnPlan& column, const config::Transformation& t) {
  if (t.kind == TransformKind::null_if || t.kind == TransformKind::default_value) {
    // Compared with MySQL's own text of the value, which only these kinds keep unchanged.
    const auto kind = column.type.kind;
    if (kind != ValueKind::text && kind != ValueKind::integer && kind != ValueKind::decimal) {
      fail_mapping(t.location,
                   "transformations: null_if and default need a text or number column, '" + t.column
                       + "' is " + column.source.column_type);
    }
  } else if (!column.is_textual()) {
    fail_mapping(t.location,
                 "transformations: '" + t.column + "' is " + column.source.column_type
                     + ", the transformation needs text");
  }
  column.transforms.push_back(t);
}

// A transformation that changes the shape of the value needs room for the new shape, unless the
// mapping casts the column itself.
void make_room(ColumnPlan& column, const config::Transformation& t, const config::TableMapping& m) {
  const bool cast = std::any_of(
      m.casts.begin(), m.casts.end(), [&](const auto& c) { return same_name(c.first, t.column); });
  if (cast) {
    return;
  }
  if (t.kind == TransformKind::mask) {
    column.type.pg_type = "text";
  } else if (t.kind == TransformKind::format_phone && column.type.pg_type.rfind("varchar(", 0) == 0
             && std::stoi(column.type.pg_type.substr(8)) < 16) {
    column.type.pg_type = "varchar(16)"; // '+' and E.164's 15 digits
  }
}

// Applies the transformations; returns which columns they exclude.
std::vector<bool> apply_transformations(AllColumns& all) {
  std::vector<bool> excluded(all.columns.size(), false);
  for (const auto& t : all.mapping.transformations) {
    const auto position = all.position(t.column, t.location, "transformations");
    auto& column = all.columns[position];
    if (t.kind == TransformKind::exclude) {
      excluded[position] = true;
    } else if (t.kind == TransformKind::rename) {
      column.target_name = t.value;
    } else {
      add_transformation(column, t);
    }
    make_room(column, t, all.mapping);
  }
  // MySQL's own type bounds the values of a column mapped the natural way; only a cast or a
  // transformation that changed the type can meet values the target cannot hold.
  for (auto& column : all.columns) {
    if (column.type.pg_type != map_type(column.source).pg_type) {
      column.limits = limits_of(column.type.pg_type);
    }
  }
  return excluded;
}

// The key and timestamp columns: checked, and never excluded.
void check_required(AllColumns& all, const KeyChoice& key, const std::vector<bool>& excluded) {
  const auto& mapping = all.mapping;
  std::vector<std::string> required(key.columns.begin(), key.columns.end());
  for (const auto& name : key.columns) {
    check_key_column(all.find(name, mapping.primary_key_location, "primary_key"), mapping);
  }
  if (mapping.timestamp_column) {
    const auto& type =
        all.find(*mapping.timestamp_column, mapping.timestamp_column_location, "timestamp_column")
            .source.data_type;
    if (type != "timestamp" && type != "datetime" && type != "date") {
      fail_mapping(mapping.timestamp_column_location,
                   "timestamp_column: column '" + *mapping.timestamp_column + "' is " + type
                       + ", not a timestamp, datetime or date");
    }
    required.push_back(*mapping.timestamp_column);
  }
  for (const auto& name : required) {
    if (excluded[position_of(all.columns, name)]) {
      fail_mapping(mapping.location,
                   "transformations: '" + name
                       + "' is a key or timestamp column: it cannot be excluded");
    }
  }
}

} // namespace

TablePlan plan_table(const SourceTable& source, const config::TableMapping& mapping) {
  TablePlan plan;
  plan.bad_text = mapping.bad_text;
  plan.zero_date = mapping.zero_date;
  plan.enum_as = mapping.enum_as;
  plan.where = mapping.where;
  if (mapping.indexes) {
    plan.indexes = source.indexes;
  }
  AllColumns all{{}, mapping};
  for (const auto& column : source.columns) {
    all.columns.push_back(
        ColumnPlan{column, column.name, map_type(column), {}, false, {}, !column.nullable});
  }
  apply_casts(all);
  const auto excluded = apply_transformations(all);
  plan.key = choose_key(source, mapping);
  plan.sync = choose_sync_mode(mapping, plan.key);
  check_required(all, plan.key, excluded);
  for (std::size_t i = 0; i < all.columns.size(); ++i) {
    if (!excluded[i]) {
      plan.columns.push_back(std::move(all.columns[i]));
    }
  }
  for (const auto& name : plan.key.columns) {
    plan.key_positions.push_back(position_of(plan.columns, name));
  }
  if (mapping.timestamp_column) {
    plan.timestamp_position = position_of(plan.columns, *mapping.timestamp_column);
  }
  check_target_names(plan, mapping);
  return plan;
}

} // namespace migrate::convert
