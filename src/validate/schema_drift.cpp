#include "migrate/validate/schema_drift.hpp"

#include <algorithm>
#include <optional>

namespace migrate::validate {
namespace {

// format_type() spells some types differently from the DDL the tool writes.
std::string normalise(std::string type) {
  const auto replace_prefix = [&type](const std::string& from, const std::string& to) {
    if (type.rfind(from, 0) == 0) {
      type = to + type.substr(from.size());
    }
  };
  replace_prefix("character varying", "varchar");
  replace_prefix("character(", "char(");
  if (type == "timestamp without time zone") {
    type = "timestamp(6) without time zone";
  } else if (type == "timestamp with time zone") {
    type = "timestamp(6) with time zone";
  }
  std::string out;
  for (const char c : type) {
    if (c != '"') {
      out += c;
    }
  }
  return out;
}

// The number in "name(n)" or "name(n,m)": first = n, second = m.
std::optional<std::pair<int, int>> modifiers(const std::string& type, const std::string& name) {
  if (type.rfind(name + "(", 0) != 0) {
    return std::nullopt;
  }
  const auto open = name.size() + 1;
  const auto comma = type.find(',', open);
  const int first = std::stoi(type.substr(open));
  const int second = comma == std::string::npos ? 0 : std::stoi(type.substr(comma + 1));
  return std::make_pair(first, second);
}

int integer_rank(const std::string& type) {
  if (type == "smallint") {
    return 1;
  }
  if (type == "integer") {
    return 2;
  }
  if (type == "bigint") {
    return 3;
  }
  return 0;
}

std::string suffix_after_paren(const std::string& type) {
  const auto close = type.find(')');
  return close == std::string::npos ? std::string() : type.substr(close + 1);
}

} // namespace

bool can_hold(const std::string& existing_type, const std::string& expected_type) {
  const auto existing = normalise(existing_type);
  const auto expected = normalise(expected_type);
  const bool same_unqualified =
      expected.size() > existing.size() + 1
      && expected.compare(expected.size() - existing.size() - 1, std::string::npos, "." + existing)
             == 0;
  if (existing == expected || same_unqualified) {
    return true; // an enum type is named without its schema by format_type()
  }
  if (integer_rank(expected) > 0) {
    if (integer_rank(existing) >= integer_rank(expected) || existing == "numeric") {
      return true;
    }
    const auto numeric = modifiers(existing, "numeric");
    const int digits = integer_rank(expected) == 1 ? 5 : integer_rank(expected) == 2 ? 10 : 19;
    return numeric && numeric->second == 0 && numeric->first >= digits;
  }
  if (const auto want = modifiers(expected, "numeric")) {
    if (existing == "numeric") {
      return true;
    }
    const auto have = modifiers(existing, "numeric");
    return have && have->second >= want->second
           && have->first - have->second >= want->first - want->second;
  }
  if (const auto want = modifiers(expected, "varchar")) {
    if (existing == "text" || existing == "varchar") {
      return true;
    }
    const auto have = modifiers(existing, "varchar");
    return have && have->first >= want->first;
  }
  if (const auto want = modifiers(expected, "timestamp")) {
    const auto have = modifiers(existing, "timestamp");
    return have && have->first >= want->first
           && suffix_after_paren(existing) == suffix_after_paren(expected);
  }
  if (expected == "real") {
    return existing == "double precision";
  }
  if (expected == "text") {
    return existing == "varchar"; // only text or an unbounded varchar holds any text
  }
  return existing == "varchar" && expected.rfind("varchar", 0) == 0;
}

std::vector<std::string> schema_drift(const TargetTable& expected, const TargetTable& existing) {
  std::vector<std::string> problems;
  const auto find = [](const TargetTable& table, const std::string& name) -> const TargetColumn* {
    for (const auto& column : table.columns) {
      if (column.name == name) {
        return &column;
      }
    }
    return nullptr;
  };
  for (const auto& want : expected.columns) {
    const auto* have = find(existing, want.name);
    if (have == nullptr && want.name == k_digest_column) {
      continue; // a target made by an older version: the run adds it (Target::ensure_tool_columns)
    }
    if (have == nullptr) {
      problems.push_back("column " + want.name + " (" + want.pg_type
                         + ") is in MySQL but missing in PostgreSQL");
    } else if (!can_hold(have->pg_type, want.pg_type)) {
      problems.push_back("column " + want.name + ": PostgreSQL type " + have->pg_type
                         + " cannot hold MySQL's values (needs " + want.pg_type + ")");
    } else if (have->not_null && !want.not_null) {
      problems.push_back("column " + want.name
                         + " is NOT NULL in PostgreSQL but MySQL allows NULL");
    }
    if (have != nullptr && !have->allowed_values.empty()) {
      std::string missing; // labels MySQL's ENUM gained: the CHECK or enum type refuses them
      for (const auto& label : want.allowed_values) {
        if (std::find(have->allowed_values.begin(), have->allowed_values.end(), label)
            == have->allowed_values.end()) {
          missing += (missing.empty() ? "'" : ", '") + label + "'";
        }
      }
      if (!missing.empty()) {
        problems.push_back("column " + want.name + ": PostgreSQL lacks the ENUM labels " + missing);
      }
    }
  }
  for (const auto& have : existing.columns) {
    if (find(expected, have.name) == nullptr && have.name != expected.soft_delete_column
        && have.name != k_seal_column) {
      problems.push_back("column " + have.name + " (" + have.pg_type
                         + ") is in PostgreSQL but not in MySQL (or the mapping excludes it)");
    }
  }
  if (existing.primary_key != expected.primary_key) {
    const auto join = [](const std::vector<std::string>& names) {
      std::string out;
      for (const auto& name : names) {
        out += (out.empty() ? "" : ",") + name;
      }
      return out;
    };
    problems.push_back("primary key differs: PostgreSQL (" + join(existing.primary_key)
                       + "), MySQL (" + join(expected.primary_key) + ")");
  }
  return problems;
}

} // namespace migrate::validate
