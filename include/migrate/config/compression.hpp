// Protocol compression, as pure decisions: the YAML values, when `auto` compresses, what to log of
// the algorithm the connection ended up with, and why PostgreSQL refuses the setting.
#pragma once

#include "migrate/config/config.hpp"

#include <optional>
#include <string>

namespace migrate::config {

// "true", "false" or "auto" (YAML's yes/no and on/off too, as booleans elsewhere in YAML 1.1).
std::optional<Compression> parse_compression(const std::string& text);
const char* to_string(Compression compress) noexcept;

// Whether to ask the server for compression. `auto` compresses unless the server is on this
// machine (a loopback address or localhost: migrate always connects over TCP): there the link is
// memory and compressing only costs both sides CPU. Anywhere else it may be a WAN, where bytes on
// the wire decide and zlib makes the rows of a typical table 3 to 5 times smaller.
bool use_compression(Compression compress, const std::string& host);

// What a connection ended up with, for the log: "zlib" or "zstd" when the server agreed, "off"
// when not asked, and "off (the server does not offer compression)" when asked and refused.
std::string describe_compression(bool requested, bool zlib, bool zstd);

// The error for `compress: <value>` under postgresql: libpq has no protocol compression.
std::string postgres_compression_refusal(const std::string& value);

} // namespace migrate::config
