#include "migrate/core/error.hpp"

#include <cctype>
#include <string>

namespace migrate {
namespace {

std::string describe(const std::string& message, const ErrorContext& context) {
  std::string text = message;
  auto add = [&text](const char* key, const std::string& value) {
    if (!value.empty()) {
      text += ' ';
      text += key;
      text += '=';
      text += value;
    }
  };
  add("table", context.table);
  add("column", context.column);
  add("key", context.primary_key);
  add("sqlstate", context.sqlstate);
  return text;
}

} // namespace

Error::Error(ErrorArea area, const std::string& message, ErrorContext context)
    : std::runtime_error(describe(message, context))
    , m_area(area)
    , m_message(message)
    , m_context(std::move(context)) {}

ErrorArea parse_error_area(const std::string& name) noexcept {
  for (const auto area : {ErrorArea::config,
                          ErrorArea::source,
                          ErrorArea::target,
                          ErrorArea::state,
                          ErrorArea::convert,
                          ErrorArea::deadline,
                          ErrorArea::lock}) {
    if (name == to_string(area)) {
      return area;
    }
  }
  return ErrorArea::internal;
}

Error Error::with_table(const std::string& table) const {
  if (!m_context.table.empty()) {
    return *this;
  }
  ErrorContext context = m_context;
  context.table = table;
  return Error(m_area, m_message, context);
}

const char* to_string(ErrorArea area) noexcept {
  switch (area) {
  case ErrorArea::config:
    return "config";
  case ErrorArea::source:
    return "source";
  case ErrorArea::target:
    return "target";
  case ErrorArea::state:
    return "state";
  case ErrorArea::convert:
    return "convert";
  case ErrorArea::deadline:
    return "deadline";
  case ErrorArea::lock:
    return "lock";
  case ErrorArea::notify:
    return "notify";
  case ErrorArea::internal:
    return "internal";
  }
  return "unknown";
}

namespace {

std::string first_word_upper(const std::string& sql) {
  const auto start = sql.find_first_not_of(" \t\n(");
  if (start == std::string::npos) {
    return {};
  }
  std::string word;
  for (auto i = start; i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i])) != 0;
       ++i) {
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i])));
  }
  return word;
}

} // namespace

std::string missing_privilege_message(const std::string& role,
                                      const std::string& sql,
                                      const std::string& server) {
  const auto word = first_word_upper(sql);
  std::string privilege = "the privilege";
  if (word == "CREATE") {
    privilege = "the CREATE privilege";
  } else if (word == "ALTER" || word == "DROP") {
    privilege = "ownership";
  } else if (word == "INSERT" || word == "UPDATE" || word == "DELETE" || word == "SELECT"
             || word == "TRUNCATE") {
    privilege = "the " + word + " privilege";
  } else if (word == "COPY") {
    privilege = "the INSERT privilege";
  }
  const auto line = server.substr(0, server.find('\n'));
  // "permission denied for table t", "must be owner of table t"
  std::string object = "an object of the target";
  for (const char* marker : {" for ", " of "}) {
    const auto at = line.find(marker);
    if (at != std::string::npos) {
      object = line.substr(at + std::char_traits<char>::length(marker));
      break;
    }
  }
  return "PostgreSQL role " + role + " lacks " + privilege + " on " + object + " (" + line
         + "; see Least-privilege accounts in docs/operations.md)";
}

} // namespace migrate
