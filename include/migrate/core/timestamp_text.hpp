// Arithmetic on MySQL's 'YYYY-MM-DD HH:MM:SS[.ffffff]' text, as wall-clock values (no time zone):
// the position is kept as the exact text MySQL returned and only moved by these functions.
#pragma once

#include <chrono>
#include <string>

namespace migrate {

// `text` moved by `offset` (may be negative), printed with six fractional digits. Moved back, a
// date with zero parts ('2020-00-15') moves from the greatest real instant below it, and the
// zero date '0000-00-00' stays as it is (nothing is earlier). Throws std::invalid_argument when
// `text` is not a MySQL datetime.
std::string shift_timestamp(const std::string& text, std::chrono::microseconds offset);

// The last instant of the tick before the one holding `text`, at `fsp` fractional digits:
// ("12:00:00.5", 0) → "11:59:59.999999". Rows stamped later can only get a greater value, so a read
// bounded by it never leaves a row behind in the current tick.
std::string last_complete_tick(const std::string& text, int fsp);

} // namespace migrate
