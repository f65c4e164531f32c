#include "migrate/core/socket_watchdog.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace migrate {
namespace {

// A connected pair of sockets, whose reads give up after ten seconds: a watchdog that never fires
// fails the test instead of hanging it.
struct SocketPair {
  int fds[2] = {-1, -1};
  SocketPair() {
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    const timeval bound{10, 0};
    ::setsockopt(fds[0], SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
  }
  ~SocketPair() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
};

TEST(SocketWatch, ShutsASilentPeersSocketOnceItsLimitPasses) {
  SocketPair pair;
  const SocketWatch watch(pair.fds[0], std::chrono::milliseconds(50));
  char byte = 0;
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(::recv(pair.fds[0], &byte, 1, 0), 0); // end of stream: the socket was shut
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_TRUE(watch.fired());
}

TEST(SocketWatch, AWatchThatEndsInTimeLeavesTheSocketAlone) {
  SocketPair pair;
  {
    const SocketWatch watch(pair.fds[0], std::chrono::milliseconds(100));
    EXPECT_FALSE(watch.fired());
  }
  const SocketWatch unbounded(pair.fds[0], std::chrono::milliseconds(0)); // watches nothing
  ::usleep(200 * 1000);
  ASSERT_EQ(::send(pair.fds[1], "x", 1, 0), 1);
  char byte = 0;
  EXPECT_EQ(::recv(pair.fds[0], &byte, 1, 0), 1);
  EXPECT_EQ(byte, 'x');
  EXPECT_FALSE(unbounded.fired());
}

} // namespace
} // namespace migrate
