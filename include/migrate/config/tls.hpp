// The TLS rules both connections follow for an ssl_mode, as pure decisions: what to ask of the
// client library, when an unencrypted connection is a failure and when it deserves a warning.
#pragma once

#include "migrate/config/config.hpp"

#include <string>

namespace migrate::config {

struct TlsPlan {
  bool offer = false;        // ask the server for TLS
  bool must_encrypt = false; // an unencrypted connection is an error
  bool verify_ca = false;    // the server's certificate must be signed by tls.ca
  bool verify_host = false;  // and must name the host connected to
};

// disable: nothing; prefer: offer TLS, accept plain text, verify nothing; require: insist on TLS,
// and check the CA when ssl_ca is set (as libpq does); verify-ca: check the CA; verify-full: the CA
// and the host name.
TlsPlan plan_tls(const Tls& tls);

// "localhost", "localhost.", 127.0.0.0/8 and ::1: traffic that never leaves the machine.
bool is_loopback_host(const std::string& host);

// True when a connection to `host` that ended up unencrypted deserves a warning.
bool warn_unencrypted(const std::string& host, bool encrypted);

// "TLSv1.3 TLS_AES_256_GCM_SHA384" for an encrypted connection; "unencrypted" when `cipher` is
// empty.
std::string describe_encryption(const std::string& version, const std::string& cipher);

// What to check when a TLS handshake with verification failed, appended to the client library's
// message (MariaDB Connector/C says only "Validation of SSL server certificate failed"); empty when
// the mode verifies nothing.
std::string tls_failure_hint(const Tls& tls, const std::string& host);

} // namespace migrate::config
