// Which columns identify a table's rows, and how the table is synced: pure decisions over MySQL's
// description of the table and its mapping, made once per run before the table plan is built.
#pragma once

#include "migrate/config/config.hpp"
#include "migrate/core/schema.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace migrate::convert {

struct KeyChoice {
  enum class Origin {
    mapping,     // the mapping's primary_key
    primary_key, // MySQL's primary key
    unique_key,  // a unique key over NOT NULL columns, for a table without a primary key
    none,        // no usable key: the table can only be synced by replacement
  };
  Origin origin = Origin::none;
  std::vector<std::string> columns; // in key order; empty for none
  std::string index_name;           // unique_key: the MySQL index it came from
};

// The mapping's primary_key wins, then MySQL's primary key, then the unique key with the fewest
// columns (ties broken by index name) whose columns are all NOT NULL and none a SET: a NULL is
// never equal to another, so a unique key over a nullable column does not identify a row.
KeyChoice choose_key(const SourceTable& source, const config::TableMapping& mapping);

// The mapping's `sync`, or upsert when the table has a key and replace when it has none. Throws
// Error(area config) for upsert without a key, and for a keyless table whose mapping asks for
// something a replacement cannot do (a timestamp cursor, deletes ignored or soft).
config::SyncMode choose_sync_mode(const config::TableMapping& mapping, const KeyChoice& key);

// Throws Error(area config) naming the table when a replacement of `rows` rows exceeds
// replace_max_rows.
void check_replace_size(const config::TableMapping& mapping, std::uint64_t rows);

// "uq_x (a, b)", for the log line that announces the choice.
std::string describe(const KeyChoice& key);

} // namespace migrate::convert
