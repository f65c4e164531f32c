#include "migrate/config/config.hpp"
#include "migrate/core/command.hpp"
#include "migrate/core/log_text.hpp"

#include <system_error>

namespace migrate::config {
namespace {

// A token service that does not answer in this time will not answer: the connection fails.
constexpr std::chrono::seconds k_command_timeout{60};

} // namespace

std::string connection_password(const Endpoint& endpoint, ErrorArea area) {
  if (endpoint.password_command.empty()) {
    return endpoint.password;
  }
  const std::string setting = std::string(area == ErrorArea::source ? "mysql" : "postgresql")
                              + ".password_command (" + endpoint.password_command[0] + ")";
  CommandResult result;
  try {
    result = run_command(endpoint.password_command, k_command_timeout);
  } catch (const std::system_error& e) {
    throw Error(area, setting + ": " + e.what());
  }
  if (result.timed_out) {
    throw Error(area,
                setting + ": no answer in " + std::to_string(k_command_timeout.count())
                    + " s; stopped it");
  }
  if (result.exit_status != 0) {
    const auto why = first_line(result.err, 200);
    throw Error(area,
                setting + ": exited with status " + std::to_string(result.exit_status)
                    + (why.empty() ? "" : ": " + why));
  }
  auto password = password_from_file_text(result.out);
  if (password.empty()) {
    throw Error(area, setting + ": printed no password");
  }
  return password;
}

} // namespace migrate::config
