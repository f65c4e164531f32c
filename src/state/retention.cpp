#include "migrate/state/retention.hpp"

#include "migrate/core/log_text.hpp"

namespace migrate::state {
namespace {

std::optional<std::chrono::system_clock::time_point>
cutoff(const std::optional<std::chrono::seconds>& period,
       std::chrono::system_clock::time_point now) {
  if (!period) {
    return std::nullopt;
  }
  return now - *period;
}

std::string period_text(const std::optional<std::chrono::seconds>& period) {
  if (!period) {
    return "forever";
  }
  const auto seconds = period->count();
  return seconds % 86400 == 0 ? std::to_string(seconds / 86400) + "d"
                              : std::to_string(seconds / 3600) + "h";
}

} // namespace

PruneCutoffs prune_cutoffs(const config::Retention& retention,
                           std::chrono::system_clock::time_point now) {
  return {cutoff(retention.history, now),
          cutoff(retention.validations, now),
          cutoff(retention.quarantine_values, now)};
}

std::string describe(const PruneCounts& counts) {
  return counted(counts.runs, "run") + ", " + counted(counts.invocations, "invocation") + ", "
         + counted(counts.validations, "validation") + " and "
         + counted(counts.quarantine_values, "quarantined value");
}

std::string describe(const config::Retention& retention) {
  return "history " + period_text(retention.history) + ", validations "
         + period_text(retention.validations) + ", quarantine values "
         + period_text(retention.quarantine_values);
}

} // namespace migrate::state
