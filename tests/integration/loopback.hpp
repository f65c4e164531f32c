// TCP sockets on 127.0.0.1 for the tests' own servers and proxies.
#pragma once

namespace migrate::testing {

// A listening socket on 127.0.0.1 and a port the kernel chose, written to `port`. Throws
// std::runtime_error when it cannot listen.
int listen_on_loopback(int& port);

// A socket connected to 127.0.0.1:`port`, or -1.
int connect_to_loopback(int port);

} // namespace migrate::testing
