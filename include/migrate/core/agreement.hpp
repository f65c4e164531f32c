// What a table's validation found: the verdict of validate's comparisons, the outcome a stored
// validation keeps. The state stores keep it as text (`validations.outcome`) through to_string()
// and parse_agreement(), the only conversion.
#pragma once

#include <string_view>

namespace migrate {

enum class Agreement {
  in_sync,    // nothing differs
  quarantine, // only quarantined rows account for the difference
  behind,     // rows changed since the last run, or not reached yet by an unfinished first pass,
              // account for (part of) the difference
  mismatch,   // some difference has no legitimate reason: exit code 1
  error,      // the validation itself failed; nothing was decided
};

// "in sync", "quarantine", "behind", "mismatch" or "error".
const char* to_string(Agreement agreement) noexcept;
// The agreement to_string() names; unknown text: error.
Agreement parse_agreement(std::string_view text) noexcept;

} // namespace migrate
