#include "migrate/core/result.hpp"

#include <algorithm>
#include <ctime>

namespace migrate {

namespace {

constexpr const char* k_verify_suffix = "+verify";
constexpr const char* k_compare_suffix = "+compare";

} // namespace

std::string to_string(const RunMode& mode) {
  std::string text = to_string(mode.pass);
  if (mode.compared && mode.pass != Pass::compare) {
    text += k_compare_suffix;
  } else if (mode.verified) {
    text += k_verify_suffix;
  }
  return text;
}

std::string mode_label(const RunMode& mode) {
  return mode.pass == Pass::none ? "-" : to_string(mode);
}

std::string plain_mode(const RunMode& mode) {
  std::string out;
  switch (mode.pass) {
  case Pass::none:
    return "did not run";
  case Pass::initial:
    out = "first load";
    break;
  case Pass::incremental:
    out = "changes since last run";
    break;
  case Pass::full:
  case Pass::reload:
    out = "whole table read again";
    break;
  case Pass::compare:
    return "compared with MySQL";
  case Pass::replace:
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
  mode.pass = parse_pass(pass);
  if (mode.pass == Pass::compare) {
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
  return result.mode.pass == Pass::none ? "not started" : "stopped";
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
