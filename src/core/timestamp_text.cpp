#include "migrate/core/timestamp_text.hpp"

#include <cstdio>
#include <ctime>
#include <optional>
#include <stdexcept>

namespace migrate {
namespace {

struct Instant {
  long long seconds = 0; // since 1970-01-01 00:00:00, wall clock
  long long micros = 0;
};

Instant parse(const std::string& text) {
  std::tm parts{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%d %H:%M:%S", &parts);
  if (rest == nullptr) {
    parts = {};
    rest = strptime(text.c_str(), "%Y-%m-%d", &parts); // a DATE cursor column
  }
  if (rest == nullptr || (*rest != '\0' && *rest != '.')) {
    throw std::invalid_argument("not a MySQL datetime: '" + text + "'");
  }
  Instant out{static_cast<long long>(timegm(&parts)), 0};
  if (*rest == '.') {
    ++rest;
    long long scale = 100000;
    for (; *rest >= '0' && *rest <= '9' && scale > 0; ++rest, scale /= 10) {
      out.micros += (*rest - '0') * scale;
    }
  }
  return out;
}

std::string format(Instant value) {
  if (value.micros < 0) {
    value.seconds -= 1;
    value.micros += 1'000'000;
  }
  const auto seconds = static_cast<std::time_t>(value.seconds);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char buffer[96];
  std::snprintf(buffer,
                sizeof buffer,
                "%04d-%02d-%02d %02d:%02d:%02d.%06lld",
                parts.tm_year + 1900,
                parts.tm_mon + 1,
                parts.tm_mday,
                parts.tm_hour,
                parts.tm_min,
                parts.tm_sec,
                value.micros);
  return buffer;
}

// MySQL keeps dates with zero parts ('0000-00-00', '2020-00-15', '2020-02-00'), which order
// before every real date of their year or month: the greatest real instant below such a text,
// nullopt for a zero year (nothing real is below it); the text's own instant when it has no zero
// part.
std::optional<Instant> real_floor(const std::string& text) {
  int year = 0;
  int month = 0;
  int day = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d", &year, &month, &day) != 3
      || (month != 0 && day != 0)) {
    return parse(text);
  }
  if (year == 0) {
    return std::nullopt;
  }
  char first[32];
  if (month == 0) {
    std::snprintf(first, sizeof first, "%04d-01-01 00:00:00", year); // the year's first instant
  } else {
    std::snprintf(first, sizeof first, "%04d-%02d-01 00:00:00", year, month);
  }
  Instant value = parse(first);
  value.micros -= 1; // format() carries the borrow
  return value;
}

} // namespace

std::string shift_timestamp(const std::string& text, std::chrono::microseconds offset) {
  if (offset.count() < 0) {
    const auto floor = real_floor(text);
    if (!floor) {
      return text; // a zero date: nothing is earlier
    }
    Instant value = *floor;
    const long long total = value.micros + offset.count();
    value.seconds += total / 1'000'000;
    value.micros = total % 1'000'000;
    return format(value);
  }
  Instant value = parse(text);
  const long long total = value.micros + offset.count();
  value.seconds += total / 1'000'000;
  value.micros = total % 1'000'000;
  return format(value);
}

std::string last_complete_tick(const std::string& text, int fsp) {
  if (fsp < 0 || fsp > 6) {
    throw std::invalid_argument("fractional seconds precision out of range");
  }
  Instant value = parse(text);
  long long tick = 1;
  for (int i = fsp; i < 6; ++i) {
    tick *= 10;
  }
  value.micros = value.micros / tick * tick - tick; // start of the current tick, minus one tick
  if (fsp < 6) {
    value.micros += tick - 1; // the last microsecond of that earlier tick
  }
  return format(value);
}

} // namespace migrate
