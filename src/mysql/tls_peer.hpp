// The subject of the certificate a MySQL server presents, for `migrate check`. MariaDB Connector/C
// 3.3 does not expose the peer certificate, so a second, short connection performs the protocol's
// TLS upgrade itself (the SSLRequest packet, then an OpenSSL handshake) and reads it, without
// verifying it and without logging in.
#pragma once

#include <chrono>
#include <string>

namespace migrate::source {

// "/CN=db.example.com", or "" when the server offers no TLS or the handshake fails.
std::string
mysql_certificate_subject(const std::string& host, unsigned port, std::chrono::seconds timeout);

} // namespace migrate::source
