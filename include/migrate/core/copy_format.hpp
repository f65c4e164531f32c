// The two COPY formats a load can send (https://www.postgresql.org/docs/15/sql-copy.html, "File
// Formats"): text, which PostgreSQL parses with each type's input function, and binary, which
// it reads as it stores it (convert/copy_binary.hpp).
#pragma once

namespace migrate {

enum class CopyFormat { text, binary };

} // namespace migrate
