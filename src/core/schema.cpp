#include "migrate/core/schema.hpp"

#include <strings.h>

#include <algorithm>

namespace migrate {

const SourceColumn* SourceTable::find(const std::string& column_name) const {
  for (const auto& column : columns) {
    if (strcasecmp(column.name.c_str(), column_name.c_str()) == 0) {
      return &column;
    }
  }
  return nullptr;
}

const TargetCatalog::Index* TargetCatalog::index(const std::string& name) const {
  for (const auto& found : indexes) {
    if (found.name == name) {
      return &found;
    }
  }
  return nullptr;
}

const TargetCatalog::Constraint* TargetCatalog::constraint(const std::string& name) const {
  for (const auto& found : constraints) {
    if (found.name == name) {
      return &found;
    }
  }
  return nullptr;
}

const TargetCatalog::Column* TargetCatalog::column(const std::string& name) const {
  for (const auto& found : columns) {
    if (found.name == name) {
      return &found;
    }
  }
  return nullptr;
}

bool TargetCatalog::has_trigger(const std::string& name) const {
  return std::find(triggers.begin(), triggers.end(), name) != triggers.end();
}

} // namespace migrate

namespace migrate {

std::string fit_identifier(const std::string& name) {
  if (name.size() <= k_max_identifier_bytes) {
    return name;
  }
  std::uint32_t hash = 2166136261U; // FNV-1a: stable across runs and builds
  for (const char c : name) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 16777619U;
  }
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string suffix = "_";
  for (int shift = 28; shift >= 0; shift -= 4) {
    suffix += k_hex[(hash >> static_cast<unsigned>(shift)) & 0xFU];
  }
  // Cut at a character boundary: a UTF-8 continuation byte is 10xxxxxx.
  std::size_t keep = k_max_identifier_bytes - suffix.size();
  while (keep > 0 && (static_cast<unsigned char>(name[keep]) & 0xC0U) == 0x80U) {
    --keep;
  }
  return name.substr(0, keep) + suffix;
}

std::string quote_identifier(const std::string& name) {
  std::string out = "\"";
  for (const char c : name) {
    out += c;
    if (c == '"') {
      out += '"';
    }
  }
  return out + "\"";
}

std::string SchemaChange::describe() const {
  switch (kind) {
  case Kind::add_column:
    return "add column " + column.name + " (" + column.pg_type + ")";
  case Kind::widen_type:
    return "widen column " + column.name + " from " + old_type + " to " + column.pg_type;
  case Kind::add_enum_label:
    return "add label '" + label + "' to column " + column.name;
  }
  return {};
}

} // namespace migrate
