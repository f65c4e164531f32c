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

std::string tls_failure_hint(const Tls& tls, const std::string& host) {
  const auto plan = plan_tls(tls);
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

} // namespace migrate::config
