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

// The TLS options of MariaDB Connector/C for a plan, every one set either way: 3.3 verifies
// nothing unless asked, 3.4 verifies the server's certificate (chain and host name) unless told
// not to, and from 3.4.2 a CA given without MYSQL_OPT_SSL_VERIFY_SERVER_CERT is not checked at
// all. `client_version`: mysql_get_client_version(), 30320 for 3.3.20.
struct ConnectorTls {
  bool enforce = false;            // MYSQL_OPT_SSL_ENFORCE: ask for TLS
  bool verify_server_cert = false; // MYSQL_OPT_SSL_VERIFY_SERVER_CERT: the chain and the host
  bool pass_ca = false;            // MYSQL_OPT_SSL_CA: the chain is checked against it
  // verify-ca with a library that checks a CA only with the host name: the host is checked too,
  // which refuses more than the mode asks, never less.
  bool host_checked_too = false;
};
ConnectorTls connector_tls(const TlsPlan& plan, unsigned long client_version);

// "localhost", "localhost.", 127.0.0.0/8 and ::1: traffic that never leaves the machine.
bool is_loopback_host(const std::string& host);

// True when a connection to `host` that ended up unencrypted deserves a warning.
bool warn_unencrypted(const std::string& host, bool encrypted);

// "TLSv1.3 TLS_AES_256_GCM_SHA384" for an encrypted connection; "unencrypted" when `cipher` is
// empty.
std::string describe_encryption(const std::string& version, const std::string& cipher);

// What to check when a TLS handshake failed, appended to the client library's `message`
// (MariaDB Connector/C says only "Validation of SSL server certificate failed"): what the mode's
// verification checked, or that the server speaks only TLS 1.0/1.1 (MySQL 5.7 before 5.7.28,
// built with yaSSL), which OpenSSL 3 refuses. Empty when there is nothing to add.
std::string
tls_failure_hint(const Tls& tls, const std::string& host, const std::string& message = {});

// What to do when caching_sha2_password's full authentication failed (MySQL error 2061): without
// TLS it needs the server's RSA public key, which Connector/C asks the server for.
std::string rsa_key_hint(const Tls& tls);

} // namespace migrate::config
