// Environment interpolation for configuration values.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace migrate::config {

// Looks a variable up; std::nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
std::optional<std::string> process_env(const std::string& name);

// Replaces ${VAR} and ${VAR:-default} in `text` ("$${" stands for a literal "${").
// ${VAR} with VAR unset throws std::invalid_argument naming VAR; ${VAR:-d} yields d when VAR is
// unset or empty, as in the shell.
std::string interpolate(const std::string& text, const EnvLookup& lookup = process_env);

} // namespace migrate::config
