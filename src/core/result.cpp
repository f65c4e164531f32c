#include "migrate/core/result.hpp"

#include <ctime>

namespace migrate {

const char* to_string(Outcome outcome) noexcept {
  return outcome == Outcome::ok ? "ok" : "failed";
}

std::string format_utc(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return buffer;
}

} // namespace migrate
