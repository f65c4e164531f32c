#include "migrate/config/tls.hpp"

#include <arpa/inet.h>

namespace migrate::config {

TlsPlan plan_tls(const Tls& tls) {
  TlsPlan plan;
  switch (tls.mode) {
  case SslMode::disable:
    break;
  case SslMode::prefer:
    plan.offer = true;
    break;
  case SslMode::require:
    plan = TlsPlan{true, true, !tls.ca.empty(), false};
    break;
  case SslMode::verify_ca:
    plan = TlsPlan{true, true, true, false};
    break;
  case SslMode::verify_full:
    plan = TlsPlan{true, true, true, true};
    break;
  }
  return plan;
}

ConnectorTls connector_tls(const TlsPlan& plan, unsigned long client_version) {
  constexpr unsigned long k_ca_needs_verify = 30402; // Connector/C 3.4.2 (CONC-732)
  ConnectorTls out;
  out.enforce = plan.offer;
  out.pass_ca = plan.verify_ca;
  out.verify_server_cert = plan.verify_host;
  if (plan.verify_ca && !plan.verify_host && client_version >= k_ca_needs_verify) {
    out.verify_server_cert = true;
    out.host_checked_too = true;
  }
  return out;
}

bool is_loopback_host(const std::string& host) {
  if (host == "localhost" || host == "localhost." || host == "::1" || host == "[::1]") {
    return true;
  }
  in_addr address{};
  return ::inet_pton(AF_INET, host.c_str(), &address) == 1
         && (ntohl(address.s_addr) >> 24U) == 127U;
}

bool warn_unencrypted(const std::string& host, bool encrypted) {
  return !encrypted && !is_loopback_host(host);
}

std::string describe_encryption(const std::string& version, const std::string& cipher) {
  if (cipher.empty()) {
    return "unencrypted";
  }
  return version.empty() ? cipher : version + " " + cipher;
}

std::string tls_failure_hint(const Tls& tls, const std::string& host, const std::string& message) {
  const auto plan = plan_tls(tls);
  for (const char* old_tls : {"unsupported protocol", "protocol version", "wrong version number"}) {
    if (message.find(old_tls) != std::string::npos) {
      return " (the server offers only TLS 1.0 or 1.1, which this host's OpenSSL refuses, as MySQL "
             "5.7 before 5.7.28 built with yaSSL does: upgrade the server, or set ssl_mode: "
             "disable on a network you trust)";
    }
  }
  if (!plan.verify_ca) {
    return {};
  }
  std::string hint = " (ssl_mode " + std::string(to_string(tls.mode))
                     + ": the server's certificate must be signed by the CA in " + tls.ca.string();
  if (plan.verify_host) {
    hint += " and name the host '" + host + "'";
  }
  return hint + ")";
}

std::string rsa_key_hint(const Tls& tls) {
  if (plan_tls(tls).offer) {
    return {};
  }
  return " (caching_sha2_password sends the password over TLS, or without TLS encrypted with the "
         "server's RSA public key, which the server did not give: set ssl_mode: prefer or "
         "stronger, or have the server generate its RSA keys "
         "(caching_sha2_password_auto_generate_rsa_keys))";
}

} // namespace migrate::config
