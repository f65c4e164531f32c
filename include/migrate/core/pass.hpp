// What a table run does to find its rows: the pass the pipeline chooses, the one a result records
// and the one a stored position belongs to. The state stores keep it as text (`runs.mode`,
// `table_state.phase`) through to_string() and parse_pass(), the only conversion.
#pragma once

#include <string_view>

namespace migrate {

enum class Pass {
  none,        // nothing ran: a database could not be reached, or no time was left
  initial,     // every row in key order, then the cursor starts at the pass's bound
  incremental, // rows after the cursor, in (timestamp, key) order
  full,        // every row in key order again (a table without timestamp column, --full)
  reload,      // --reload: every row read again into the existing target
  compare,     // chunk digests of both sides; differing chunks read and reconciled
  replace,     // a keyless table: whole-table digest, the content replaced when it differs
};

// The stored and printed name: "none", "initial", "incremental", "full", "reload", "compare",
// "replace".
const char* to_string(Pass pass) noexcept;
// The pass to_string() names; unknown text: none.
Pass parse_pass(std::string_view text) noexcept;

} // namespace migrate
