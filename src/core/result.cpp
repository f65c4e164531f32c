#include "migrate/core/result.hpp"

#include <algorithm>
#include <ctime>

namespace migrate {

namespace {

struct PassName {
  RunMode::Pass pass;
  const char* name;
};

constexpr PassName k_pass_names[] = {
    {RunMode::Pass::none, "none"},
    {RunMode::Pass::initial, "initial"},
    {RunMode::Pass::incremental, "incremental"},
    {RunMode::Pass::full, "full"},
    {RunMode::Pass::reload, "reload"},
    {RunMode::Pass::compare, "compare"},
    {RunMode::Pass::replace, "replace"},
};

constexpr const char* k_verify_suffix = "+verify";
constexpr const char* k_compare_suffix = "+compare";

} // namespace

std::string to_string(const RunMode& mode) {
  std::string text = "none";
  for (const auto& entry : k_pass_names) {
    if (entry.pass == mode.pass) {
      text = entry.name;
    }
  }
  if (mode.compared && mode.pass != RunMode::Pass::compare) {
    text += k_compare_suffix;
  } else if (mode.verified) {
    text += k_verify_suffix;
  }
  return text;
}

std::string mode_label(const RunMode& mode) {
  return mode.pass == RunMode::Pass::none ? "-" : to_string(mode);
}

std::string plain_mode(const RunMode& mode) {
  std::string out;
  switch (mode.pass) {
  case RunMode::Pass::none:
    return "did not run";
  case RunMode::Pass::initial:
    out = "first load";
    break;
  case RunMode::Pass::incremental:
    out = "changes since last run";
    break;
  case RunMode::Pass::full:
  case RunMode::Pass::reload:
    out = "whole table read again";
    break;
  case RunMode::Pass::compare:
    return "compared with MySQL";
  case RunMode::Pass::replace:
    out = "whole table replaced";
    break;
  }
  if (mode.compared) {
    out += ", then compared";
  } else if (mode.verified) {
    out += ", then a part compared";
  }
  return out;
}

RunMode parse_run_mode(const std::string& text) {
  RunMode mode;
  std::string pass = text;
  const auto strip = [&pass](const std::string& suffix) {
    const bool found = pass.size() > suffix.size()
                       && pass.compare(pass.size() - suffix.size(), suffix.size(), suffix) == 0;
    if (found) {
      pass.resize(pass.size() - suffix.size());
    }
    return found;
  };
  mode.compared = strip(k_compare_suffix);
  mode.verified = !mode.compared && strip(k_verify_suffix);
  for (const auto& entry : k_pass_names) {
    if (pass == entry.name) {
      mode.pass = entry.pass;
    }
  }
  if (mode.pass == RunMode::Pass::compare) {
    mode.compared = true;
  }
  return mode;
}

const char* to_string(Outcome outcome) noexcept {
  return outcome == Outcome::ok ? "ok" : "failed";
}

const char* outcome_label(const TableResult& result) noexcept {
  if (!result.deadline_reached()) {
    return to_string(result.outcome);
  }
  return result.mode.pass == RunMode::Pass::none ? "not started" : "stopped";
}

std::string outcome_word(const TableResult& result) {
  std::string word = outcome_label(result);
  std::replace(word.begin(), word.end(), ' ', '_');
  return word;
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
