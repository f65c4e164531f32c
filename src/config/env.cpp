#include "migrate/config/env.hpp"

#include <cstdlib>
#include <stdexcept>

namespace migrate::config {

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) {
    return std::nullopt;
  }
  return std::string(value);
}

std::string interpolate(const std::string& text, const EnvLookup& lookup) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (text.compare(pos, 3, "$${") == 0) {
      out += "${";
      pos += 3;
      continue;
    }
    if (text.compare(pos, 2, "${") != 0) {
      out += text[pos++];
      continue;
    }
    const std::size_t close = text.find('}', pos + 2);
    if (close == std::string::npos) {
      throw std::invalid_argument("unterminated ${ in '" + text + "'");
    }
    const std::string body = text.substr(pos + 2, close - pos - 2);
    const std::size_t dash = body.find(":-");
    const std::string name = body.substr(0, dash);
    if (name.empty()) {
      throw std::invalid_argument("empty variable name in '" + text + "'");
    }
    const auto value = lookup(name);
    if (dash != std::string::npos) {
      out += (value && !value->empty()) ? *value : body.substr(dash + 2);
    } else if (value) {
      out += *value;
    } else {
      throw std::invalid_argument("environment variable " + name + " is not set");
    }
    pos = close + 1;
  }
  return out;
}

} // namespace migrate::config
