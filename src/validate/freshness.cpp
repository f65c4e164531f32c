#include "migrate/validate/freshness.hpp"

#include <ctime>

namespace migrate::validate {
namespace {

std::optional<std::chrono::system_clock::time_point> parse_bound(const std::string& text) {
  std::tm parts{};
  const char* end = strptime(text.c_str(), "%Y-%m-%d %H:%M:%S", &parts);
  if (end == nullptr || (*end != '\0' && *end != '.')) {
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(timegm(&parts));
}

} // namespace

Freshness assess_freshness(const std::optional<LastSuccess>& last,
                           std::chrono::system_clock::time_point now,
                           std::chrono::seconds max_age) {
  Freshness out;
  if (!last) {
    return out;
  }
  auto as_of = last->started;
  if (const auto bound = parse_bound(last->upper_bound); bound && *bound < as_of) {
    as_of = *bound;
  }
  out.as_of = as_of;
  const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - as_of);
  out.age = age < std::chrono::seconds(0) ? std::chrono::seconds(0) : age;
  out.stale = *out.age > max_age;
  return out;
}

std::string format_age(std::chrono::seconds age) {
  const long long total = age.count();
  const long long days = total / 86400;
  const long long hours = total % 86400 / 3600;
  const long long minutes = total % 3600 / 60;
  const long long seconds = total % 60;
  if (days > 0) {
    return std::to_string(days) + "d " + std::to_string(hours) + "h";
  }
  if (hours > 0) {
    return std::to_string(hours) + "h " + std::to_string(minutes) + "m";
  }
  if (minutes > 0) {
    return std::to_string(minutes) + "m";
  }
  return std::to_string(seconds) + "s";
}

} // namespace migrate::validate
