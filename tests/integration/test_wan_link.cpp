// bench/wan_link, the benchmark's WAN link simulator, run as a program between a socket client and
// an echo server in this process. Only lower bounds of time are asserted: a loaded machine can make
// a run slower, never faster.
#include "loopback.hpp"
#include "wan_link_process.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

using migrate::testing::counter;
using migrate::testing::WanLink;

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t k_bulk_bytes = 2'000'000;

void bound_waits(int fd) {
  const timeval timeout{10, 0}; // no read or write waits longer
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  const int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

int connect_to(int port) {
  const int fd = migrate::testing::connect_to_loopback(port);
  if (fd >= 0) {
    bound_waits(fd);
  }
  return fd;
}

// Echoes what it reads; "BULK" is answered by k_bulk_bytes, then the connection is closed.
class EchoServer {
public:
  EchoServer() {
    m_listener = migrate::testing::listen_on_loopback(m_port);
    m_thread = std::thread([this] { accept_loop(); });
  }
  ~EchoServer() {
    m_stop = true;
    m_thread.join();
    for (auto& t : m_workers) {
      t.join();
    }
    ::close(m_listener);
  }
  int port() const { return m_port; }

private:
  void accept_loop() {
    while (!m_stop) {
      pollfd fd{m_listener, POLLIN, 0};
      if (::poll(&fd, 1, 100) == 1) {
        const int client = ::accept(m_listener, nullptr, nullptr);
        bound_waits(client);
        m_workers.emplace_back([client] { serve(client); });
      }
    }
  }
  static void serve(int fd) {
    char buffer[4096];
    for (;;) {
      const auto n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        break;
      }
      if (std::string(buffer, std::size_t(n)) == "BULK") {
        const std::string bulk(k_bulk_bytes, 'x');
        ::send(fd, bulk.data(), bulk.size(), MSG_NOSIGNAL);
        break;
      }
      ::send(fd, buffer, std::size_t(n), MSG_NOSIGNAL);
    }
    ::close(fd);
  }

  int m_listener = -1;
  int m_port = 0;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
  std::vector<std::thread> m_workers;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

TEST(WanLink, DelaysEachExchangeByTheRoundTripTimeAndCountsIt) {
  EchoServer server;
  WanLink link(server.port(), {"--delay-ms", "20"});
  ASSERT_GT(link.port(), 0);
  const int fd = connect_to(link.port());
  ASSERT_GE(fd, 0);
  const auto start = Clock::now();
  for (int i = 0; i < 10; ++i) {
    char reply[4] = {};
    ASSERT_EQ(::send(fd, "ping", 4, MSG_NOSIGNAL), 4);
    ASSERT_EQ(::recv(fd, reply, sizeof reply, MSG_WAITALL), 4);
  }
  EXPECT_GE(seconds_since(start), 0.400); // 10 × 2 × 20 ms
  ::close(fd);
  const auto stats = link.stop();
  EXPECT_EQ(counter(stats, "round_trips"), 10U) << stats;
  EXPECT_EQ(counter(stats, "bytes_to_server"), 40U) << stats;
  EXPECT_EQ(counter(stats, "bytes_to_client"), 40U) << stats;
}

TEST(WanLink, CapsTheBandwidth) {
  EchoServer server;
  WanLink link(server.port(), {"--mbit", "8"});
  ASSERT_GT(link.port(), 0);
  const int fd = connect_to(link.port());
  ASSERT_GE(fd, 0);
  const auto start = Clock::now();
  ASSERT_EQ(::send(fd, "BULK", 4, MSG_NOSIGNAL), 4);
  std::size_t received = 0;
  std::vector<char> buffer(65536);
  for (ssize_t n = 0; (n = ::recv(fd, buffer.data(), buffer.size(), 0)) > 0;) {
    received += std::size_t(n);
  }
  EXPECT_EQ(received, k_bulk_bytes);
  EXPECT_GE(seconds_since(start), 1.8); // 2 MB at 1 MB/s, with some slack below
  ::close(fd);
  EXPECT_EQ(counter(link.stop(), "bytes_to_client"), k_bulk_bytes);
}

} // namespace
