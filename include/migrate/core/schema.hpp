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
  // COLUMN_DEFAULT as the server reports it (MariaDB quotes literals, MySQL does not); nullopt:
  // none. EXTRA as reported ("DEFAULT_GENERATED on update CURRENT_TIMESTAMP(6)"). What the
  // cutover gives the application (cutover_plan.hpp's parse_default), never the sync.
  std::optional<std::string> default_value;
  std::string extra;
  std::string collation; // COLLATION_NAME: "utf8mb4_0900_ai_ci"; empty for non-text columns
};

// A CHECK constraint MySQL enforces (8.0.16+, MariaDB; 5.7 parses and ignores them), its clause as
// information_schema.CHECK_CONSTRAINTS spells it.
struct SourceCheck {
  std::string name;
  std::string clause;
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

// The AUTO_INCREMENT column of a source table and the counter's next value
// (information_schema.TABLES.AUTO_INCREMENT; nullopt when the server reports none).
struct AutoIncrement {
  std::string column;
  std::optional<std::uint64_t> next;
};

// A foreign key as MySQL's catalog describes it (REFERENTIAL_CONSTRAINTS and KEY_COLUMN_USAGE):
// the constraint on `columns` of its table referencing `referenced_columns` of
// `referenced_table`, in key order. Rules as MySQL spells them: "CASCADE", "SET NULL",
// "SET DEFAULT", "RESTRICT" or "NO ACTION".
struct SourceForeignKey {
  std::string name;
  std::vector<std::string> columns;
  std::string referenced_table;
  std::vector<std::string> referenced_columns;
  std::string on_delete = "RESTRICT";
  std::string on_update = "RESTRICT";
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

// A foreign key to create in PostgreSQL: a SourceForeignKey with the mapped target names.
struct TargetForeignKey {
  std::string name; // the constraint name, fitted to PostgreSQL's identifier length
  std::string schema;
  std::string table;
  std::vector<std::string> columns;
  std::string referenced_schema;
  std::string referenced_table;
  std::vector<std::string> referenced_columns;
  std::string on_delete = "RESTRICT"; // PostgreSQL's referential action
  std::string on_update = "RESTRICT";
};

// What pg_catalog says of a table, for the cutover to decide which statements are still needed.
struct TargetCatalog {
  struct Index {
    std::string name;
    bool unique = false;
    bool valid = true; // pg_index.indisvalid
  };
  struct Constraint {
    std::string name;
    bool foreign_key = false;
    bool validated = true; // pg_constraint.convalidated
  };
  struct Column {
    std::string name;
    bool not_null = false;
    bool has_default = false;
  };
  std::vector<Index> indexes; // the primary key's left out
  std::vector<Constraint> constraints;
  std::vector<Column> columns;       // every column, in order
  std::vector<std::string> triggers; // the table's own triggers (not constraint triggers)
  // Of the serial column asked about (the one MySQL numbers with AUTO_INCREMENT):
  bool identity = false;                     // an identity column already
  std::string column_default;                // its default expression, empty when none
  std::string sequence;                      // the sequence behind its identity or default, if any
  std::optional<std::int64_t> sequence_next; // the value the sequence gives next
  std::optional<std::int64_t> max_value;     // the highest value in the column; nullopt: no rows

  const Index* index(const std::string& name) const;
  const Constraint* constraint(const std::string& name) const;
  const Column* column(const std::string& name) const;
  bool has_trigger(const std::string& name) const;
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

// The target column holding, for each row, the first 64 bits of the SHA-256 of MySQL's own values
// as they were loaded (signed, as PostgreSQL's bigint holds them): what the comparison checks.
inline constexpr const char* k_digest_column = "_migrate_digest";

// The target column holding the row's seal: a 64-bit hash PostgreSQL computed of the row's own
// target values (every column but the tool's) when migrate wrote it. A fresh hash of the same
// values that differs from it means the row was changed, or inserted, by something else: the
// comparison then reads the row again from MySQL, whatever its type or transformation.
inline constexpr const char* k_seal_column = "_migrate_seal";

// True for the columns the tool keeps beside the mapped ones.
inline bool is_tool_column(const std::string& name) {
  return name == k_digest_column || name == k_seal_column;
}

// PostgreSQL cuts identifiers longer than this many bytes (NAMEDATALEN - 1) with only a NOTICE.
constexpr std::size_t k_max_identifier_bytes = 63;

// A name the tool makes up (an index or enum type named after its table) that fits in
// k_max_identifier_bytes: longer names keep their start and end in a hash of the whole, so two
// long names stay distinct and a run finds the object the previous run created.
std::string fit_identifier(const std::string& name);

// A PostgreSQL identifier as SQL text: double-quoted, inner quotes doubled.
std::string quote_identifier(const std::string& name);

} // namespace migrate
