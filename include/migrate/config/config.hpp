// Configuration: plain structs parsed and validated once by load_config(), then passed by const&.
//
// A config directory holds database.yaml (connections), table_mapping.yaml (what to move) and an
// optional migrate.yaml (state file, logging). Every scalar may reference the environment as
// ${VAR} or ${VAR:-default}. Errors are migrate::Error with area config and a message that names the
// file, line and key.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace migrate::config {

// Where a value came from, for error messages: "config/table_mapping.yaml:12".
struct Location {
  std::string file;
  int line = 0; // 1-based; 0 when unknown

  std::string to_string() const;
};

struct Endpoint {
  std::string host;
  unsigned port = 0;
  std::string database;
  std::string username;
  std::string password; // never logged: use describe()
  std::chrono::seconds connect_timeout{10};

  // "user@host:port/database", without the password.
  std::string describe() const;
};

struct PostgresEndpoint : Endpoint {
  std::string schema = "public"; // where target tables live
};

enum class TransformKind { lowercase };

struct Transformation {
  TransformKind kind = TransformKind::lowercase;
  std::string column;
  Location location;
};

enum class DeletePolicy { ignore, remove, soft };

struct TableMapping {
  std::string source_table;
  std::string target_table;
  std::optional<std::string> timestamp_column;
  std::vector<std::string> primary_key; // empty: taken from the MySQL table's primary key
  std::size_t batch_size = 1000;        // rows per batch sent to PostgreSQL
  std::size_t commit_rows = 50000;      // rows per PostgreSQL transaction (whole batches)
  std::chrono::seconds lookback{0};     // re-read this far behind the watermark
  std::chrono::seconds safety_lag{0};   // leave rows newer than server-now minus this for later
  // What happens to target rows whose source row is gone. Unset: remove for tables without a
  // timestamp column (their full comparison sees deletes anyway), ignore for the others.
  std::optional<DeletePolicy> deletes;
  std::string soft_delete_column = "deleted_at"; // with deletes: soft
  std::size_t compare_every = 1;  // timestamp tables: the delete comparison runs every Nth run
  std::size_t chunk_rows = 10000; // rows per comparison chunk
  std::vector<Transformation> transformations;

  Location location; // the entry in table_mapping.yaml
  Location primary_key_location;
  Location timestamp_column_location;
};

struct Logging {
  std::filesystem::path file; // rotating log file
  std::size_t max_size_bytes = 10 * 1024 * 1024;
  std::size_t max_files = 5;
  std::string level = "info";
};

struct Config {
  std::filesystem::path directory;
  Endpoint mysql;
  PostgresEndpoint postgresql;
  std::vector<TableMapping> tables;
  std::filesystem::path state_file;
  Logging logging;

  // The mapping whose source or target table is `name`, or nullptr.
  const TableMapping* find_table(const std::string& name) const;
};

// Reads and validates the three files of `directory`. Throws Error(area config).
Config load_config(const std::filesystem::path& directory);

// Parses "90", "90s", "15m", "2h" or "1d" into seconds. Throws std::invalid_argument.
std::chrono::seconds parse_duration(const std::string& text);

} // namespace migrate::config
