#include "migrate/core/error.hpp"

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
  case ErrorArea::internal:
    return "internal";
  }
  return "unknown";
}

} // namespace migrate
