#include "migrate/convert/key_choice.hpp"

#include "migrate/core/error.hpp"

#include <algorithm>
#include <tuple>

namespace migrate::convert {
namespace {

[[noreturn]] void
fail(const config::TableMapping& mapping, const config::Location& where, const std::string& what) {
  throw Error(ErrorArea::config,
              where.to_string() + ": table '" + mapping.source_table + "': " + what,
              ErrorContext{.table = mapping.source_table});
}

bool identifies_rows(const SourceTable& source, const SourceIndex& index) {
  if (!index.unique || index.columns.empty()) {
    return false;
  }
  return std::all_of(index.columns.begin(), index.columns.end(), [&](const std::string& name) {
    const auto* column = source.find(name);
    return column != nullptr && !column->nullable && column->data_type != "set";
  });
}

} // namespace

KeyChoice choose_key(const SourceTable& source, const config::TableMapping& mapping) {
  if (!mapping.primary_key.empty()) {
    return KeyChoice{KeyChoice::Origin::mapping, mapping.primary_key, {}};
  }
  if (!source.primary_key.empty()) {
    return KeyChoice{KeyChoice::Origin::primary_key, source.primary_key, {}};
  }
  const SourceIndex* best = nullptr;
  for (const auto& index : source.indexes) {
    if (!identifies_rows(source, index)) {
      continue;
    }
    if (best == nullptr
        || std::make_tuple(index.columns.size(), index.name)
               < std::make_tuple(best->columns.size(), best->name)) {
      best = &index;
    }
  }
  if (best == nullptr) {
    return KeyChoice{};
  }
  return KeyChoice{KeyChoice::Origin::unique_key, best->columns, best->name};
}

config::SyncMode choose_sync_mode(const config::TableMapping& mapping, const KeyChoice& key) {
  const bool keyless = key.origin == KeyChoice::Origin::none;
  const auto mode =
      mapping.sync.value_or(keyless ? config::SyncMode::replace : config::SyncMode::upsert);
  if (mode == config::SyncMode::upsert && keyless) {
    fail(mapping,
         mapping.sync ? mapping.sync_location : mapping.location,
         "sync: upsert needs a key, and the MySQL table has neither a primary key nor a unique "
         "key over NOT NULL columns: set primary_key, or sync: replace");
  }
  if (mode == config::SyncMode::replace && mapping.timestamp_column) {
    fail(mapping,
         mapping.timestamp_column_location,
         "the table has no usable key, so it is synced by replacement, which cannot follow "
         "timestamp_column: remove it or set primary_key");
  }
  if (mode == config::SyncMode::replace && mapping.deletes
      && *mapping.deletes != config::DeletePolicy::remove) {
    fail(mapping,
         mapping.location,
         "the table is synced by replacement, which deletes the target rows whose MySQL row is "
         "gone: deletes ignore and soft need a key (set primary_key, or deletes: delete)");
  }
  return mode;
}

void check_replace_size(const config::TableMapping& mapping, std::uint64_t rows) {
  if (rows <= mapping.replace_max_rows) {
    return;
  }
  throw Error(ErrorArea::config,
              "table '" + mapping.source_table + "' has " + std::to_string(rows)
                  + " rows, more than replace_max_rows (" + std::to_string(mapping.replace_max_rows)
                  + ") for a sync by replacement: add a primary key or a unique NOT NULL key to "
                    "the MySQL table (or set primary_key), or raise replace_max_rows",
              ErrorContext{.table = mapping.source_table});
}

std::string describe(const KeyChoice& key) {
  std::string columns;
  for (const auto& column : key.columns) {
    columns += (columns.empty() ? "" : ", ") + column;
  }
  return key.index_name + " (" + columns + ")";
}

} // namespace migrate::convert
