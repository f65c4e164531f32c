// A table's committed position, and the encoding of key values the state stores keep it in. Plain
// values: the pipeline, the run rules and every state store share them without SQLite.
#pragma once

#include "migrate/core/pass.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace migrate::state {

struct Position {
  // initial: a full pass in key order is under way, `key` is the last committed key; incremental:
  // `timestamp` (and `key` within it) is the last committed (timestamp, key) tuple. No other pass.
  Pass phase = Pass::initial;
  std::optional<std::string> timestamp; // initial: the pass's upper bound; incremental: the cursor
  std::vector<std::string> key;         // empty: no key within the timestamp / pass not started
  std::string target_id; // Target::identity() of the table it was taken on; empty: not recorded

  std::string to_string() const;
};

// A position's pass as the stores keep it (`table_state.phase`): any pass but initial is stored,
// and read back, as incremental.
const char* phase_text(Pass phase) noexcept;
Pass parse_phase(std::string_view text) noexcept;

// Length-prefixed encoding of key values ("3:abc2:42"), safe for any byte.
std::string encode_key(const std::vector<std::string>& values);
std::vector<std::string> decode_key(const std::string& encoded);

} // namespace migrate::state
