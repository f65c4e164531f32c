#include "migrate/cutover/application_rules.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <stdexcept>

namespace migrate::cutover {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return text;
}

// CURRENT_TIMESTAMP, CURRENT_TIMESTAMP(6), current_timestamp(), NOW(), LOCALTIMESTAMP...
bool is_now(const std::string& text) {
  static const std::regex now(
      R"(^\s*(current_timestamp|now|localtimestamp|localtime)\s*(\(\s*\d*\s*\))?\s*$)",
      std::regex::icase);
  return std::regex_match(text, now);
}

bool is_number(const std::string& text) {
  static const std::regex number(R"(^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$)");
  return std::regex_match(text, number);
}

std::string quote_literal(const std::string& value) {
  std::string out = "'";
  for (const char c : value) {
    out += c == '\'' ? std::string("''") : std::string(1, c);
  }
  return out + "'";
}

bool is_temporal(const std::string& pg_type) {
  return pg_type.rfind("timestamp", 0) == 0 || pg_type == "date";
}

std::string alter_column(const TargetTable& table, const std::string& column) {
  return "ALTER TABLE " + qualified(table.schema, table.name) + " ALTER COLUMN "
         + quote_identifier(column);
}

// The SQL of SET DEFAULT, or why there is none.
std::optional<std::string> default_sql(const ColumnRule& rule, std::string& why_not) {
  const auto& value = rule.default_value;
  switch (value.kind) {
  case ColumnDefault::Kind::none:
    return std::nullopt;
  case ColumnDefault::Kind::now:
    if (!is_temporal(rule.pg_type)) {
      why_not = "it is the current time, the column " + rule.pg_type;
      return std::nullopt;
    }
    // NOW() in MySQL is the time the statement began; CURRENT_TIMESTAMP in PostgreSQL is the
    // transaction's.
    return "statement_timestamp()";
  case ColumnDefault::Kind::expression:
    why_not = "it is an expression (" + value.value + "): set it by hand";
    return std::nullopt;
  case ColumnDefault::Kind::literal:
    break;
  }
  if (value.value.rfind("0000-00-00", 0) == 0) {
    why_not = "it is MySQL's zero date, which PostgreSQL has no value for";
    return std::nullopt;
  }
  // A SET (text[]), BIT or binary value is written by the sync in its own form: set it by hand.
  const auto& type = rule.pg_type;
  if (type.find("[]") != std::string::npos || type.rfind("bit", 0) == 0 || type == "bytea") {
    why_not = "a " + type + " default is not carried over (" + value.value + "): set it by hand";
    return std::nullopt;
  }
  return quote_literal(value.value) + "::" + rule.pg_type;
}

std::string trigger_sql(const TargetTable& table, const std::string& column) {
  const auto name = on_update_trigger_name(table, column);
  const auto function = qualified(table.schema, name);
  const auto c = quote_identifier(column);
  // MySQL moves the column when another column changed and the statement did not set it; a
  // statement setting it to the value it has is taken here as leaving it (PostgreSQL cannot tell).
  // Rows are compared as text: a json column has no equality operator.
  return "CREATE OR REPLACE FUNCTION " + function
         + "() RETURNS trigger LANGUAGE plpgsql AS $migrate$ BEGIN IF NEW." + c
         + " IS NOT DISTINCT FROM OLD." + c + " AND NEW::text IS DISTINCT FROM OLD::text THEN NEW."
         + c + " := statement_timestamp(); END IF; RETURN NEW; END $migrate$; CREATE TRIGGER "
         + quote_identifier(name) + " BEFORE UPDATE ON " + qualified(table.schema, table.name)
         + " FOR EACH ROW EXECUTE FUNCTION " + function + "()";
}

void plan_rule(const TargetTable& table,
               const ColumnRule& rule,
               const TargetCatalog& catalog,
               RulesDecision& out) {
  const auto* existing = catalog.column(rule.column);
  if (existing == nullptr) {
    return; // not in the target (yet): the sync adds it
  }
  std::string why_not = rule.no_default;
  const auto value = why_not.empty() ? default_sql(rule, why_not) : std::nullopt;
  if (value && !existing->has_default) {
    out.steps.push_back({Step::Kind::default_value,
                         rule.column,
                         alter_column(table, rule.column) + " SET DEFAULT " + *value,
                         "default " + *value + " on " + rule.column,
                         {}});
  } else if (!value && rule.default_value.kind != ColumnDefault::Kind::none) {
    out.notes.push_back("default of " + rule.column + " not carried over: " + why_not);
  }
  if (rule.not_null && !existing->not_null) {
    out.steps.push_back({Step::Kind::not_null,
                         rule.column,
                         alter_column(table, rule.column) + " SET NOT NULL",
                         "NOT NULL on " + rule.column,
                         {}});
  }
  if (!rule.on_update) {
    return;
  }
  if (!is_temporal(rule.pg_type)) {
    out.notes.push_back("ON UPDATE of " + rule.column + " not carried over: the column is "
                        + rule.pg_type);
  } else if (!catalog.has_trigger(on_update_trigger_name(table, rule.column))) {
    out.steps.push_back({Step::Kind::on_update,
                         on_update_trigger_name(table, rule.column),
                         trigger_sql(table, rule.column),
                         "ON UPDATE CURRENT_TIMESTAMP on " + rule.column + " (a trigger)",
                         {}});
  }
}

// The end of the string literal that opens at `at` (its closing quote), with backslash escapes and
// doubled quotes as MySQL writes them.
std::size_t literal_end(const std::string& text, std::size_t at) {
  for (std::size_t i = at + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '\'') {
      if (i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;
      } else {
        return i;
      }
    }
  }
  throw std::invalid_argument("unterminated string literal in " + text);
}

// A MySQL string literal as PostgreSQL reads it (standard_conforming_strings). Only \' and \\ are
// undone; another escape (\0, \n, \%, \_ keep or change meaning in ways a plain literal cannot
// say) throws std::invalid_argument: the check is left out with a note.
std::string pg_literal(const std::string& body) {
  std::string value;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\\' && i + 1 < body.size()) {
      const char next = body[++i];
      if (next != '\'' && next != '\\') {
        throw std::invalid_argument(std::string("a string with the escape \\") + next);
      }
      value += next;
    } else if (body[i] == '\'' && i + 1 < body.size() && body[i + 1] == '\'') {
      value += body[i++];
    } else {
      value += body[i];
    }
  }
  return quote_literal(value);
}

// Drops a character set introducer (_utf8mb4, _latin1, _binary) just written before a literal.
void drop_introducer(std::string& out) {
  static const std::regex introducer(R"(_[A-Za-z0-9]+$)");
  std::smatch found;
  if (std::regex_search(out, found, introducer)) {
    const auto at = static_cast<std::size_t>(found.position(0));
    if (at == 0 || !(std::isalnum(static_cast<unsigned char>(out[at - 1])) || out[at - 1] == '_')) {
      out.erase(at);
    }
  }
}

} // namespace

ColumnDefault parse_default(const SourceColumn& column, bool mariadb) {
  if (!column.default_value) {
    return {};
  }
  const auto& raw = *column.default_value;
  static const std::regex bits(R"(^b'([01]*)'$)", std::regex::icase);
  if (std::smatch found; std::regex_match(raw, found, bits)) {
    return {ColumnDefault::Kind::literal, found[1].str()};
  }
  const bool generated = lower(column.extra).find("default_generated") != std::string::npos;
  if (mariadb) {
    if (raw == "NULL") {
      return {};
    }
    if (raw.size() >= 2 && raw.front() == '\'' && raw.back() == '\'') {
      std::string value;
      for (std::size_t i = 1; i + 1 < raw.size(); ++i) {
        value += raw[i];
        if (raw[i] == '\'' && raw[i + 1] == '\'') {
          ++i; // '' is one quote
        }
      }
      return {ColumnDefault::Kind::literal, value};
    }
    if (is_number(raw)) {
      return {ColumnDefault::Kind::literal, raw};
    }
  } else if (!generated && !is_now(raw)) {
    return {ColumnDefault::Kind::literal, raw};
  }
  // MySQL 5.7 writes CURRENT_TIMESTAMP without DEFAULT_GENERATED.
  return {is_now(raw) ? ColumnDefault::Kind::now : ColumnDefault::Kind::expression, raw};
}

bool updates_on_change(const SourceColumn& column) {
  return lower(column.extra).find("on update current_timestamp") != std::string::npos;
}

bool case_insensitive(const SourceColumn& column) {
  const auto name = lower(column.collation);
  return name.find("_ci") != std::string::npos;
}

std::string on_update_trigger_name(const TargetTable& table, const std::string& column) {
  return fit_identifier(table.name + "_" + column + "_on_update");
}

RulesDecision plan_column_rules(const TargetTable& table,
                                const std::vector<ColumnRule>& rules,
                                const TargetCatalog& catalog) {
  RulesDecision out;
  for (const auto& rule : rules) {
    plan_rule(table, rule, catalog, out);
  }
  return out;
}

std::string check_clause(const std::string& mysql_clause, const ColumnLookup& column) {
  std::string out;
  for (std::size_t i = 0; i < mysql_clause.size(); ++i) {
    const char c = mysql_clause[i];
    if (c == '`') {
      const auto end = mysql_clause.find('`', i + 1);
      if (end == std::string::npos) {
        throw std::invalid_argument("unterminated name in " + mysql_clause);
      }
      const auto name = mysql_clause.substr(i + 1, end - i - 1);
      const auto target = column(name);
      if (!target) {
        throw std::invalid_argument("column " + name + " is not mapped");
      }
      out += quote_identifier(*target);
      i = end;
    } else if (c == '\'') {
      const auto end = literal_end(mysql_clause, i);
      drop_introducer(out);
      out += pg_literal(mysql_clause.substr(i + 1, end - i - 1));
      i = end;
    } else {
      out += c;
    }
  }
  return out;
}

RulesDecision plan_checks(const TargetTable& table,
                          const std::vector<SourceCheck>& checks,
                          const ColumnLookup& column,
                          const TargetCatalog& catalog) {
  RulesDecision out;
  const auto on = "ALTER TABLE " + qualified(table.schema, table.name);
  for (const auto& check : checks) {
    if (lower(check.clause).rfind("json_valid(", 0) == 0) {
      continue;
    }
    const auto name = fit_identifier(check.name);
    const auto* existing = catalog.constraint(name);
    if (existing == nullptr) {
      std::string clause;
      try {
        clause = check_clause(check.clause, column);
      } catch (const std::invalid_argument& e) {
        out.notes.push_back("check " + check.name + " not created: " + e.what());
        continue;
      }
      out.steps.push_back(
          {Step::Kind::check,
           name,
           on + " ADD CONSTRAINT " + quote_identifier(name) + " CHECK (" + clause + ") NOT VALID",
           "check (" + clause + ")",
           {}});
    }
    if (existing == nullptr || !existing->validated) {
      out.steps.push_back({Step::Kind::validate_key,
                           name,
                           on + " VALIDATE CONSTRAINT " + quote_identifier(name),
                           "check validated",
                           {}});
    }
  }
  return out;
}

} // namespace migrate::cutover
