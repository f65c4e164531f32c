// The JSON writer of the commands' --json output lives in core (the webhook and the JSON log lines
// use it too); this header keeps its name in the cli namespace.
#pragma once

#include "migrate/core/json_writer.hpp"

namespace migrate::cli {

using migrate::json_string;
using migrate::JsonWriter;

} // namespace migrate::cli
