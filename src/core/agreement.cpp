#include "migrate/core/agreement.hpp"

namespace migrate {

namespace {

struct AgreementName {
  Agreement agreement;
  const char* name;
};

constexpr AgreementName k_agreement_names[] = {
    {Agreement::in_sync, "in sync"},
    {Agreement::quarantine, "quarantine"},
    {Agreement::behind, "behind"},
    {Agreement::mismatch, "mismatch"},
    {Agreement::error, "error"},
};

} // namespace

const char* to_string(Agreement agreement) noexcept {
  for (const auto& entry : k_agreement_names) {
    if (entry.agreement == agreement) {
      return entry.name;
    }
  }
  return "error";
}

Agreement parse_agreement(std::string_view text) noexcept {
  for (const auto& entry : k_agreement_names) {
    if (text == entry.name) {
      return entry.agreement;
    }
  }
  return Agreement::error;
}

} // namespace migrate
