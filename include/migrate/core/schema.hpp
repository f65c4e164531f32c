// Value types describing a source table as MySQL's information_schema reports it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace migrate {

struct SourceColumn {
  std::string name;
  std::string data_type;   // information_schema DATA_TYPE, lower case: "int", "varchar", "enum"
  std::string column_type; // full COLUMN_TYPE: "int(10) unsigned", "enum('a','b')", "tinyint(1)"
  bool nullable = true;
  bool is_unsigned = false;
  std::optional<std::int64_t> char_length; // CHARACTER_MAXIMUM_LENGTH, in characters
  int numeric_precision = 0;
  int numeric_scale = 0;
  int datetime_precision = 0; // fractional seconds digits (fsp)
  std::string charset;        // CHARACTER_SET_NAME, empty for non-text columns
  bool is_json = false;       // MariaDB stores JSON as longtext with a json_valid() CHECK
};

// A secondary index of the source table (B-tree, no prefix lengths: those the target can copy).
struct SourceIndex {
  std::string name;
  bool unique = false;
  std::vector<std::string> columns;
};

struct SourceTable {
  std::string name;
  std::vector<SourceColumn> columns;    // in ordinal order
  std::vector<std::string> primary_key; // in key order
  std::vector<SourceIndex> indexes;

  // The column called `name` (case-insensitive, as MySQL compares column names), or nullptr.
  const SourceColumn* find(const std::string& column_name) const;
};

// A PostgreSQL table as the tool creates or expects it.
struct TargetColumn {
  std::string name;
  std::string pg_type;
  bool not_null = false;
  std::vector<std::string> allowed_values; // ENUM: a CHECK constraint, or the labels of its type
  bool enum_type = false;                  // pg_type names a PostgreSQL enum type to create
};

struct TargetTable {
  std::string schema;
  std::string name;
  std::vector<TargetColumn> columns;
  std::vector<std::string> primary_key;
  // Set when deletes are soft: a timestamptz column the tool adds, set when the source row is gone.
  // Not one of `columns`: it is never loaded from the source.
  std::string soft_delete_column;
  std::vector<SourceIndex> indexes; // secondary indexes to build, with target column names

  std::string qualified_name() const { return schema + "." + name; } // for messages
};

// An additive change to an existing target table (validate::plan_schema_changes decides which).
struct SchemaChange {
  enum class Kind {
    add_column,     // ALTER TABLE ADD COLUMN, always nullable: its existing rows are read again
    widen_type,     // ALTER COLUMN TYPE to a type that holds every value of the old one
    add_enum_label, // the CHECK constraint rebuilt, or ALTER TYPE ... ADD VALUE
  };
  Kind kind = Kind::add_column;
  TargetColumn column;          // as expected: its name, type and allowed values
  std::string old_type;         // widen_type: the type PostgreSQL has
  std::string label;            // add_enum_label: the new label
  std::string describe() const; // one line for logs and `migrate schema --diff`
};

// The target column holding, for each row, the first 64 bits of the MD5 of MySQL's own values as
// they were loaded (signed, as PostgreSQL's bigint holds them): what the comparison checks.
inline constexpr const char* k_digest_column = "_migrate_digest";

// PostgreSQL cuts identifiers longer than this many bytes (NAMEDATALEN - 1) with only a NOTICE.
constexpr std::size_t k_max_identifier_bytes = 63;

// A name the tool makes up (an index or enum type named after its table) that fits in
// k_max_identifier_bytes: longer names keep their start and end in a hash of the whole, so two
// long names stay distinct and a run finds the object the previous run created.
std::string fit_identifier(const std::string& name);

} // namespace migrate
