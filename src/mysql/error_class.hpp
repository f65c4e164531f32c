// Which MySQL client and server errors a retry may cure: decisions of the adapter's error
// translation, kept apart so they are tested without a server.
#pragma once

namespace migrate::source {

// The connection is gone (or never came): a new one may work. For an error of an established
// connection: a TLS error (2026) there is a broken transport, while at connect it is a refusal.
bool is_connection_lost(unsigned code);

// Worth a retry: a lost connection, a deadlock (the whole transaction was rolled back) or a lock
// wait timeout. Access denied, unknown tables and data errors never are.
bool is_transient_mysql_error(unsigned code);

} // namespace migrate::source
