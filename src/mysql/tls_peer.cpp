#include "mysql/tls_peer.hpp"

#include <netdb.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace migrate::source {
namespace {

// Capability flags of the client/server protocol (MySQL manual, "Capabilities Flags").
constexpr std::uint32_t k_long_password = 0x1;
constexpr std::uint32_t k_protocol_41 = 0x200;
constexpr std::uint32_t k_ssl = 0x800;
constexpr std::uint32_t k_secure_connection = 0x8000;
constexpr std::uint8_t k_utf8mb4_general_ci = 45;

struct SocketCloser {
  void operator()(const int* fd) const {
    ::close(*fd);
    delete fd;
  }
};

int connect_to(const std::string& host, unsigned port, std::chrono::seconds timeout) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) {
    return -1;
  }
  int fd = -1;
  for (auto* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    timeval limit{static_cast<time_t>(timeout.count()), 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    if (fd >= 0 && ::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  return fd;
}

bool read_exact(int fd, unsigned char* out, std::size_t size) {
  while (size > 0) {
    const auto got = ::recv(fd, out, size, 0);
    if (got <= 0) {
      return false;
    }
    out += got;
    size -= static_cast<std::size_t>(got);
  }
  return true;
}

// Reads the server's greeting and answers with an SSLRequest; false when it offers no TLS.
bool request_tls(int fd) {
  std::array<unsigned char, 4> header{};
  if (!read_exact(fd, header.data(), header.size())) {
    return false;
  }
  std::vector<unsigned char> greeting(static_cast<std::size_t>(header[0])
                                      | (static_cast<std::size_t>(header[1]) << 8U)
                                      | (static_cast<std::size_t>(header[2]) << 16U));
  if (!read_exact(fd, greeting.data(), greeting.size()) || greeting.empty() || greeting[0] != 10) {
    return false; // not protocol 10
  }
  std::size_t at = 1;
  while (at < greeting.size() && greeting[at] != 0) {
    ++at; // server version, NUL-terminated
  }
  at += 1 + 4 + 8 + 1; // NUL, connection id, first auth data, filler
  if (at + 2 > greeting.size() || ((greeting[at] | (greeting[at + 1] << 8U)) & k_ssl) == 0) {
    return false;
  }
  const std::uint32_t flags = k_long_password | k_protocol_41 | k_ssl | k_secure_connection;
  std::array<unsigned char, 36> request{}; // header, flags, max packet, charset, 23 zero bytes
  request[0] = 32;
  request[3] = 1; // sequence id
  for (std::size_t i = 0; i < 4; ++i) {
    request[4 + i] = static_cast<unsigned char>(flags >> (8U * i));
  }
  request[10] = 0; // max packet 16 MiB: 0x01000000
  request[11] = 1;
  request[12] = k_utf8mb4_general_ci;
  return ::send(fd, request.data(), request.size(), MSG_NOSIGNAL)
         == static_cast<ssize_t>(request.size());
}

} // namespace

std::string
mysql_certificate_subject(const std::string& host, unsigned port, std::chrono::seconds timeout) {
  const int fd = connect_to(host, port, timeout);
  if (fd < 0) {
    return {};
  }
  const std::unique_ptr<const int, SocketCloser> socket(new int(fd));
  if (!request_tls(fd)) {
    return {};
  }
  const std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_client_method()),
                                                                  SSL_CTX_free);
  const std::unique_ptr<SSL, decltype(&SSL_free)> tls(SSL_new(context.get()), SSL_free);
  SSL_set_fd(tls.get(), fd);
  SSL_set_tlsext_host_name(tls.get(), host.c_str());
  if (SSL_connect(tls.get()) != 1) {
    return {};
  }
  const std::unique_ptr<X509, decltype(&X509_free)> certificate(
      SSL_get1_peer_certificate(tls.get()), X509_free);
  if (!certificate) {
    return {};
  }
  std::array<char, 512> subject{};
  X509_NAME_oneline(X509_get_subject_name(certificate.get()), subject.data(), subject.size());
  SSL_shutdown(tls.get());
  return subject.data();
}

} // namespace migrate::source
