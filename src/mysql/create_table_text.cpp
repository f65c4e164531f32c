#include "mysql/create_table_text.hpp"

namespace migrate::source {
namespace {

// The rule after `clause` (" ON DELETE ") in `line`: one word, or two for SET NULL, SET DEFAULT
// and NO ACTION.
std::string rule_after(const std::string& line, const std::string& clause) {
  const auto at = line.find(clause);
  if (at == std::string::npos) {
    return "RESTRICT";
  }
  const auto start = at + clause.size();
  for (const char* const rule : {"SET NULL", "SET DEFAULT", "NO ACTION", "CASCADE", "RESTRICT"}) {
    if (line.compare(start, std::char_traits<char>::length(rule), rule) == 0) {
      return rule;
    }
  }
  return "RESTRICT";
}

std::string backquoted(const std::string& name) {
  std::string out = "`";
  for (const char c : name) {
    out += c == '`' ? std::string("``") : std::string(1, c);
  }
  return out + "`";
}

} // namespace

ForeignKeyRules foreign_key_rules(const std::string& create_table, const std::string& name) {
  const auto at = create_table.find("CONSTRAINT " + backquoted(name) + " FOREIGN KEY");
  if (at == std::string::npos) {
    return {};
  }
  const auto line = create_table.substr(at, create_table.find('\n', at) - at);
  return ForeignKeyRules{rule_after(line, " ON DELETE "), rule_after(line, " ON UPDATE ")};
}

} // namespace migrate::source
