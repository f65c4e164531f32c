// A TCP proxy on 127.0.0.1 between migrate and a database server, that breaks connections on
// purpose: after a number of bytes, or right after forwarding a COMMIT (so the client never learns
// whether it happened). Each rule applies to a given number of connections, then the proxy only
// relays. It stops when destroyed; every wait in it is bounded.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace migrate::testing {

class FaultProxy {
public:
  explicit FaultProxy(int upstream_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return m_port; }

  // The next `connections` connections that carry more than `bytes` (both directions together)
  // are closed there.
  void cut_after_bytes(std::size_t bytes, int connections);
  // The next `connections` COMMITs sent by the client on a connection that has carried more than
  // `min_bytes` (a data load, not a catalog query) are forwarded, then the connection is closed
  // before the server's answer comes back: the client cannot know whether it happened.
  void cut_after_commit(int connections, std::size_t min_bytes);

  // The next `connections` connections that carry more than `bytes` go silent there: kept open,
  // nothing relayed either way, as a stalled proxy or pooler does, until the proxy is destroyed.
  void stall_after_bytes(std::size_t bytes, int connections);

  // Every read relayed afterwards waits this long first: a slow link, so that a load takes at
  // least a known time whatever the machine's speed.
  void slow_down(int milliseconds_per_read) { m_delay_ms = milliseconds_per_read; }

  int cuts() const { return m_cuts.load(); } // connections broken (or stalled) so far

private:
  struct Rule {
    std::size_t bytes = 0;
    int byte_cuts = 0;
    int commit_cuts = 0;
    std::size_t commit_min_bytes = 0;
    std::size_t stall_bytes = 0;
    int stalls = 0;
  };

  void accept_loop();
  void relay(int client, int server);
  bool take_byte_cut(std::size_t bytes);
  bool take_commit_cut(std::size_t bytes);
  bool take_stall(std::size_t bytes);

  int m_upstream_port;
  int m_port = 0; // before m_listener: set while the listener is made
  int m_listener = -1;
  std::atomic<int> m_delay_ms{0};
  std::atomic<bool> m_stop{false};
  std::atomic<int> m_cuts{0};
  std::mutex m_mutex;
  Rule m_rule;
  std::thread m_acceptor;
  std::vector<std::thread> m_relays;
};

} // namespace migrate::testing
