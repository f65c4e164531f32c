#include "migrate/config/state_location.hpp"

#include <stdexcept>

namespace migrate::config {
namespace {

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

// Takes `schema=...` out of the URI's query, which libpq would reject as an unknown parameter.
std::string take_schema_parameter(std::string& url) {
  const auto query = url.find('?');
  if (query == std::string::npos) {
    return {};
  }
  std::string kept;
  std::string schema;
  std::size_t start = query + 1;
  while (start <= url.size()) {
    auto end = url.find('&', start);
    if (end == std::string::npos) {
      end = url.size();
    }
    const auto parameter = url.substr(start, end - start);
    if (starts_with(parameter, "schema=")) {
      schema = parameter.substr(7);
      if (schema.empty()) {
        throw std::invalid_argument("schema= in the state URL is empty");
      }
    } else if (!parameter.empty()) {
      kept += (kept.empty() ? "" : "&") + parameter;
    }
    start = end + 1;
  }
  url = url.substr(0, query) + (kept.empty() ? "" : "?" + kept);
  return schema;
}

StateLocation parse_url(std::string url, const std::string& separate_schema) {
  StateLocation out;
  const auto in_url = take_schema_parameter(url);
  if (!in_url.empty() && !separate_schema.empty() && in_url != separate_schema) {
    throw std::invalid_argument("the state URL says schema=" + in_url + " but state_schema is "
                                + separate_schema + "; keep one");
  }
  const auto& schema = in_url.empty() ? separate_schema : in_url;
  if (!schema.empty()) {
    out.schema = schema;
  }
  if (!is_plain_identifier(out.schema)) {
    throw std::invalid_argument("state schema '" + out.schema
                                + "' must be lower-case letters, digits and _ (at most 63), "
                                  "not starting with a digit");
  }
  const auto scheme_end = url.find("://");
  if (url.size() <= scheme_end + 3) {
    throw std::invalid_argument("the state URL names no server: " + url);
  }
  out.url = std::move(url);
  return out;
}

} // namespace

bool is_plain_identifier(const std::string& name) {
  if (name.empty() || name.size() > 63 || (name[0] >= '0' && name[0] <= '9')) {
    return false;
  }
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

std::string StateLocation::describe() const {
  if (!shared()) {
    return file.string();
  }
  // postgresql://user:password@host/... : the password is what lies between ':' and '@'.
  auto out = url;
  const auto authority = out.find("://") + 3;
  const auto at = out.find('@', authority);
  if (at != std::string::npos) {
    const auto colon = out.find(':', authority);
    if (colon != std::string::npos && colon < at) {
      out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  return out + " schema=" + schema;
}

StateLocation parse_state_location(const std::string& value,
                                   const std::filesystem::path& directory,
                                   const std::string& schema) {
  if (value.empty()) {
    throw std::invalid_argument("must not be empty");
  }
  if (starts_with(value, "postgresql://") || starts_with(value, "postgres://")) {
    return parse_url(value, schema);
  }
  if (!schema.empty()) {
    throw std::invalid_argument("state_schema applies only to a postgresql:// state URL");
  }
  auto path = value;
  if (starts_with(path, "sqlite://")) {
    path = path.substr(9); // sqlite:///var/lib/migrate.db -> /var/lib/migrate.db
    if (path.empty()) {
      throw std::invalid_argument("sqlite:// names no file");
    }
  } else if (path.find("://") != std::string::npos) {
    throw std::invalid_argument("unknown state store '" + value.substr(0, value.find("://"))
                                + "://': use a file path, sqlite:///path or postgresql://...");
  }
  StateLocation out;
  const std::filesystem::path file(path);
  out.file = file.is_absolute() ? file : (directory / file).lexically_normal();
  return out;
}

} // namespace migrate::config
