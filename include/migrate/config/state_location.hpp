// Where the state store lives: migrate.yaml's `state:` (or `state_file:`) value, or --state.
//
// A plain path or `sqlite:///path` is a SQLite file on this machine (one process at a time, under
// RunLock); a `postgresql://` (or `postgres://`) libpq connection URI is a store that several
// workers on several machines share, in its own schema (`?schema=name` in the URI, or
// `state_schema:`; default migrate_state). Pure: parsing reads no file and opens no connection.
#pragma once

#include <filesystem>
#include <string>

namespace migrate::config {

inline constexpr const char* k_default_state_schema = "migrate_state";

struct StateLocation {
  std::filesystem::path file; // SQLite; used when `url` is empty
  std::string url;            // libpq connection URI, without the `schema` parameter
  std::string schema = k_default_state_schema;

  bool shared() const { return !url.empty(); }
  // For logs: the file, or the URI with its password replaced by "***", plus the schema.
  std::string describe() const;
};

// Parses a `state:` value; relative SQLite paths are resolved against `directory`. `schema`, when
// not empty, is the separate `state_schema:` setting (it and `?schema=` must not disagree). Throws
// std::invalid_argument with what is wrong (the caller adds file and line).
StateLocation parse_state_location(const std::string& value,
                                   const std::filesystem::path& directory,
                                   const std::string& schema = {});

// A schema name migrate creates and quotes itself: lower-case letters, digits and '_', not
// starting with a digit, at most 63 bytes (PostgreSQL's limit).
bool is_plain_identifier(const std::string& name);

} // namespace migrate::config
