#include "fault_proxy.hpp"

#include "loopback.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace migrate::testing {
namespace {

constexpr int k_poll_ms = 100; // how often a relay notices stop()

bool send_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const auto sent = ::send(fd, data, size, MSG_NOSIGNAL);
    if (sent <= 0) {
      return false;
    }
    data += sent;
    size -= static_cast<std::size_t>(sent);
  }
  return true;
}

} // namespace

FaultProxy::FaultProxy(int upstream_port)
    : m_upstream_port(upstream_port)
    , m_listener(listen_on_loopback(m_port))
    , m_acceptor([this] { accept_loop(); }) {}

FaultProxy::~FaultProxy() {
  m_stop = true;
  m_acceptor.join();
  for (auto& relay : m_relays) {
    relay.join();
  }
  ::close(m_listener);
}

void FaultProxy::cut_after_bytes(std::size_t bytes, int connections) {
  std::lock_guard lock(m_mutex);
  m_rule.bytes = bytes;
  m_rule.byte_cuts = connections;
}

void FaultProxy::stall_after_bytes(std::size_t bytes, int connections) {
  std::lock_guard lock(m_mutex);
  m_rule.stall_bytes = bytes;
  m_rule.stalls = connections;
}

void FaultProxy::cut_after_commit(int connections, std::size_t min_bytes) {
  std::lock_guard lock(m_mutex);
  m_rule.commit_cuts = connections;
  m_rule.commit_min_bytes = min_bytes;
}

bool FaultProxy::take_byte_cut(std::size_t bytes) {
  std::lock_guard lock(m_mutex);
  if (m_rule.byte_cuts <= 0 || bytes <= m_rule.bytes) {
    return false;
  }
  --m_rule.byte_cuts;
  return true;
}

bool FaultProxy::take_stall(std::size_t bytes) {
  std::lock_guard lock(m_mutex);
  if (m_rule.stalls <= 0 || bytes <= m_rule.stall_bytes) {
    return false;
  }
  --m_rule.stalls;
  return true;
}

bool FaultProxy::take_commit_cut(std::size_t bytes) {
  std::lock_guard lock(m_mutex);
  if (m_rule.commit_cuts <= 0 || bytes <= m_rule.commit_min_bytes) {
    return false;
  }
  --m_rule.commit_cuts;
  return true;
}

void FaultProxy::accept_loop() {
  while (!m_stop) {
    pollfd waiting{m_listener, POLLIN, 0};
    if (::poll(&waiting, 1, k_poll_ms) <= 0) {
      continue;
    }
    const int client = ::accept(m_listener, nullptr, nullptr);
    if (client < 0) {
      continue;
    }
    const int server = connect_to_loopback(m_upstream_port);
    if (server < 0) {
      ::close(client);
      continue;
    }
    m_relays.emplace_back([this, client, server] { relay(client, server); });
  }
}

// Copies bytes both ways until either side closes, a rule cuts the connection, or the proxy stops.
void FaultProxy::relay(int client, int server) {
  std::size_t total = 0;
  char buffer[64 * 1024];
  bool open = true;
  while (open && !m_stop) {
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (::poll(fds, 2, k_poll_ms) <= 0) {
      continue;
    }
    for (int i = 0; i < 2 && open; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
        continue;
      }
      const int from = fds[i].fd;
      const int to = from == client ? server : client;
      if (const int delay = m_delay_ms.load(); delay > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      }
      const auto got = ::recv(from, buffer, sizeof buffer, 0);
      if (got <= 0 || !send_all(to, buffer, static_cast<std::size_t>(got))) {
        open = false;
        break;
      }
      total += static_cast<std::size_t>(got);
      // A PostgreSQL simple query "COMMIT" from the client: forwarded, its answer never returned.
      const std::string_view data(buffer, static_cast<std::size_t>(got));
      const bool commit = from == client && data.find(std::string_view("COMMIT\0", 7)) != data.npos;
      if ((commit && take_commit_cut(total)) || take_byte_cut(total)) {
        ++m_cuts;
        open = false;
      } else if (take_stall(total)) {
        ++m_cuts;
        while (!m_stop) { // silent, both sockets open
          std::this_thread::sleep_for(std::chrono::milliseconds(k_poll_ms));
        }
        open = false;
      }
    }
  }
  ::shutdown(client, SHUT_RDWR);
  ::shutdown(server, SHUT_RDWR);
  ::close(client);
  ::close(server);
}

} // namespace migrate::testing
