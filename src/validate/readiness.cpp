#include "migrate/validate/readiness.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace migrate::validate {

std::string_view to_string(CheckLevel level) {
  switch (level) {
  case CheckLevel::ok:
    return "ok";
  case CheckLevel::warn:
    return "warn";
  case CheckLevel::fail:
    return "fail";
  }
  return "fail";
}

std::optional<long long> clock_skew_ms(const std::string& server_utc,
                                       std::chrono::system_clock::time_point host_now) {
  std::tm tm{};
  int micros = 0;
  int used = 0;
  const int fields = std::sscanf(server_utc.c_str(),
                                 "%4d-%2d-%2d %2d:%2d:%2d%n",
                                 &tm.tm_year,
                                 &tm.tm_mon,
                                 &tm.tm_mday,
                                 &tm.tm_hour,
                                 &tm.tm_min,
                                 &tm.tm_sec,
                                 &used);
  if (fields != 6) {
    return std::nullopt;
  }
  if (server_utc.size() > static_cast<std::size_t>(used)
      && server_utc[static_cast<std::size_t>(used)] == '.') {
    std::string digits = server_utc.substr(static_cast<std::size_t>(used) + 1, 6);
    digits.resize(6, '0');
    micros = std::stoi(digits);
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t seconds = timegm(&tm);
  const auto server =
      std::chrono::system_clock::from_time_t(seconds) + std::chrono::microseconds(micros);
  return std::chrono::duration_cast<std::chrono::milliseconds>(server - host_now).count();
}

CheckLevel clock_level(long long skew_ms) {
  return skew_ms > 5000 || skew_ms < -5000 ? CheckLevel::warn : CheckLevel::ok;
}

std::vector<std::string> unmapped_tables(const std::vector<std::string>& source_tables,
                                         const std::vector<std::string>& mapped) {
  std::vector<std::string> out;
  for (const auto& name : source_tables) {
    if (std::find(mapped.begin(), mapped.end(), name) == mapped.end()) {
      out.push_back(name);
    }
  }
  return out;
}

} // namespace migrate::validate
