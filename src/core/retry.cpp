#include "migrate/core/retry.hpp"

#include <algorithm>
#include <cmath>

namespace migrate {

std::chrono::milliseconds
retry_wait(std::size_t attempt, std::chrono::seconds max_wait, double jitter) {
  const double cap = std::chrono::duration<double, std::milli>(max_wait).count();
  const double base =
      2000.0 * std::pow(2.0, static_cast<double>(std::min<std::size_t>(attempt, 31) - 1));
  const double spread = std::min(base, cap) * (0.75 + 0.5 * std::clamp(jitter, 0.0, 1.0));
  return std::chrono::milliseconds(static_cast<long long>(std::min(spread, cap)));
}

} // namespace migrate
