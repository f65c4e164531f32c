// Which PostgreSQL failures a retry may cure: decisions of the adapter's error translation, kept
// apart so they are tested without a server.
#pragma once

#include <string>

namespace migrate::target {

// A refusal by the server that no retry changes: wrong password, unknown role or database, no
// pg_hba.conf entry, missing privilege, a certificate that fails the ssl_mode's checks or a server
// without the TLS it requires. libpq reports these only as text.
bool is_refusal(const std::string& message);

// Classes 08 (connection), 40 (serialization, deadlock), 53300 (too many connections), 55P03 (lock
// not available) and 57P0x (shutdown) may succeed on a retry; data errors never do.
bool is_transient_sqlstate(const std::string& state);

} // namespace migrate::target
