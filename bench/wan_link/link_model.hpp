// The decisions of the WAN link simulator (bench/wan_link), as pure code: its options, the pacing
// of a bandwidth cap, and the count of round trips. main.cpp does the sockets and threads.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wan_link {

using Clock = std::chrono::steady_clock;

struct Options {
  int listen_port = 0; // 0: any free port, written to port_file
  std::string upstream_host = "127.0.0.1";
  int upstream_port = 0;
  std::chrono::microseconds one_way_delay{0}; // each direction
  double total_mbit = 0;                      // per direction, all connections; 0: no cap
  double connection_mbit = 0;                 // per direction, each connection; 0: no cap
  std::chrono::seconds max_seconds{3600};     // exits by itself after this long
  std::string stats_file;                     // counters as JSON on exit; empty: stdout only
  std::string port_file;                      // the port listened on, once listening
};

// Parses --listen PORT --upstream [HOST:]PORT [--delay-ms MS] [--rtt-ms MS] [--mbit N]
// [--conn-mbit N] [--max-seconds S] [--stats FILE] [--port-file FILE]. --rtt-ms sets the one-way
// delay to half of it. Returns the message of the first error in `error`.
std::optional<Options> parse_options(const std::vector<std::string>& args, std::string& error);

// A bandwidth cap as a token bucket kept as a virtual clock: each chunk is serialised after the one
// before it, at `mbit`. An idle link banks up to k_burst of capacity, so that a reader that wakes
// late (timer slack, a loaded machine) does not lose link time it cannot make up: the average rate
// stays the cap. reserve() returns when the chunk has crossed, never before `now`; a cap of 0 lets
// everything through at once. Not thread-safe: callers lock.
class Pacer {
public:
  static constexpr Clock::duration k_burst = std::chrono::milliseconds(5);

  explicit Pacer(double mbit)
      : m_bytes_per_second(mbit * 1e6 / 8) {}

  Clock::time_point reserve(std::size_t bytes, Clock::time_point now) {
    if (m_bytes_per_second <= 0) {
      return now;
    }
    const auto start = std::max(now - k_burst, m_free_at);
    m_free_at = start
                + std::chrono::duration_cast<Clock::duration>(
                    std::chrono::duration<double>(double(bytes) / m_bytes_per_second));
    return std::max(now, m_free_at);
  }

private:
  double m_bytes_per_second;
  Clock::time_point m_free_at{};
};

enum class Direction { to_server, to_client };

// Round trips of one connection: each time the client speaks after the server did (or first),
// one request/response exchange begins. The server's greeting is not one.
class RoundTrips {
public:
  // True when data in `direction` starts a new exchange.
  bool on_data(Direction direction) {
    const bool starts = direction == Direction::to_server && m_last != Direction::to_server;
    m_last = direction;
    return starts;
  }

private:
  std::optional<Direction> m_last;
};

struct Counters {
  std::uint64_t bytes_to_server = 0;
  std::uint64_t bytes_to_client = 0;
  std::uint64_t round_trips = 0;
  std::uint64_t connections = 0;
  double seconds = 0; // from the first connection to the last byte forwarded
};

// {"bytes_to_server":…,"bytes_to_client":…,"round_trips":…,"connections":…,"seconds":…}
std::string to_json(const Counters& counters);

} // namespace wan_link
