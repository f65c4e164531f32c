// wan_link: a TCP proxy on 127.0.0.1 that behaves like a WAN link between a client and a server:
// each direction is a delay line (data leaves `delay` after it arrived, in order, so throughput is
// not capped by the delay) behind a bandwidth cap per connection and for all connections together.
// It counts the bytes of each direction and the request/response exchanges (round trips).
//
//   wan_link --listen PORT --upstream [HOST:]PORT [--rtt-ms MS | --delay-ms MS] [--mbit N]
//            [--conn-mbit N] [--max-seconds S] [--stats FILE] [--port-file FILE]
//
// It exits on SIGTERM or SIGINT, when its parent dies, or after --max-seconds, and then prints its
// counters as one JSON line on standard output (and into --stats).
#include "link_model.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <deque>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

namespace wan_link {
namespace {

constexpr std::size_t k_read_size = 16 * 1024;
// Bytes one direction may hold in flight: more than 1 Gbit/s × 50 ms, so the cap, not this bound,
// limits throughput; without a cap it keeps memory bounded.
constexpr std::size_t k_max_queued = 8 * 1024 * 1024;

// What all connections share: the total caps (one per direction) and the counters.
struct Link {
  std::mutex mutex;
  std::array<Pacer, 2> pacers{Pacer(0), Pacer(0)};
  Counters counters;
  Clock::time_point first{};
  Clock::time_point last{};
};

struct Chunk {
  Clock::time_point due;
  std::string data; // empty: the sender closed its side
};

// One direction of a connection: the delay line between its reader and its writer.
struct Lane {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Chunk> queue;
  std::size_t queued = 0;
  bool broken = false; // the writer failed: the reader stops
  Pacer pacer{0};
};

struct Connection {
  int client = -1;
  int server = -1;
  std::array<Lane, 2> lanes; // index: Direction
  std::mutex round_trip_mutex;
  RoundTrips round_trips;

  ~Connection() {
    ::close(client);
    ::close(server);
  }
};

std::size_t index(Direction direction) {
  return direction == Direction::to_server ? 0 : 1;
}

// When a chunk read now has crossed both caps; counts it.
Clock::time_point admit(Link& link, Connection& c, Direction direction, std::size_t bytes) {
  const auto now = Clock::now();
  bool exchange = false;
  {
    std::lock_guard lock(c.round_trip_mutex);
    exchange = c.round_trips.on_data(direction);
  }
  auto& lane = c.lanes[index(direction)];
  Clock::time_point lane_done;
  {
    std::lock_guard lock(lane.mutex);
    lane_done = lane.pacer.reserve(bytes, now);
  }
  std::lock_guard lock(link.mutex);
  auto& counted = direction == Direction::to_server ? link.counters.bytes_to_server
                                                    : link.counters.bytes_to_client;
  counted += bytes;
  link.counters.round_trips += exchange ? 1 : 0;
  return std::max(lane_done, link.pacers[index(direction)].reserve(bytes, now));
}

void read_side(std::shared_ptr<Connection> c,
               Link& link,
               Direction direction,
               Clock::duration delay) {
  const int from = direction == Direction::to_server ? c->client : c->server;
  auto& lane = c->lanes[index(direction)];
  std::string buffer(k_read_size, '\0');
  for (;;) {
    const auto n = ::recv(from, buffer.data(), buffer.size(), 0);
    if (n <= 0) {
      std::lock_guard lock(lane.mutex);
      lane.queue.push_back(Chunk{Clock::now() + delay, {}});
      lane.changed.notify_all();
      return;
    }
    const auto crossed = admit(link, *c, direction, std::size_t(n));
    std::this_thread::sleep_until(crossed); // the sender feels the cap through its socket buffer
    std::unique_lock lock(lane.mutex);
    lane.changed.wait(lock, [&] { return lane.broken || lane.queued < k_max_queued; });
    if (lane.broken) {
      return;
    }
    lane.queue.push_back(Chunk{crossed + delay, buffer.substr(0, std::size_t(n))});
    lane.queued += std::size_t(n);
    lane.changed.notify_all();
  }
}

bool send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const auto n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    sent += std::size_t(n);
  }
  return true;
}

void write_side(std::shared_ptr<Connection> c, Link& link, Direction direction) {
  const int to = direction == Direction::to_server ? c->server : c->client;
  auto& lane = c->lanes[index(direction)];
  for (;;) {
    Chunk chunk;
    {
      std::unique_lock lock(lane.mutex);
      lane.changed.wait(lock, [&] { return !lane.queue.empty(); });
      chunk = std::move(lane.queue.front());
      lane.queue.pop_front();
      lane.queued -= chunk.data.size();
      lane.changed.notify_all();
    }
    std::this_thread::sleep_until(chunk.due);
    if (chunk.data.empty()) {
      ::shutdown(to, SHUT_WR);
      return;
    }
    if (!send_all(to, chunk.data)) {
      std::lock_guard lock(lane.mutex);
      lane.broken = true;
      lane.changed.notify_all();
      ::shutdown(c->client, SHUT_RDWR);
      ::shutdown(c->server, SHUT_RDWR);
      return;
    }
    std::lock_guard lock(link.mutex);
    link.last = Clock::now();
  }
}

void no_delay(int fd) {
  const int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

int connect_upstream(const Options& options) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const auto port = std::to_string(options.upstream_port);
  if (::getaddrinfo(options.upstream_host.c_str(), port.c_str(), &hints, &found) != 0) {
    return -1;
  }
  int fd = -1;
  for (auto* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd >= 0 && ::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  return fd;
}

void start_connection(int client, const Options& options, Link& link) {
  const int server = connect_upstream(options);
  if (server < 0) {
    std::fprintf(stderr,
                 "wan_link: cannot connect to %s:%d\n",
                 options.upstream_host.c_str(),
                 options.upstream_port);
    ::close(client);
    return;
  }
  no_delay(client);
  no_delay(server);
  auto c = std::make_shared<Connection>();
  c->client = client;
  c->server = server;
  c->lanes[0].pacer = Pacer(options.connection_mbit);
  c->lanes[1].pacer = Pacer(options.connection_mbit);
  {
    std::lock_guard lock(link.mutex);
    if (link.counters.connections++ == 0) {
      link.first = Clock::now();
    }
  }
  const auto delay = std::chrono::duration_cast<Clock::duration>(options.one_way_delay);
  for (const auto direction : {Direction::to_server, Direction::to_client}) {
    std::thread(read_side, c, std::ref(link), direction, delay).detach();
    std::thread(write_side, c, std::ref(link), direction).detach();
  }
}

int listen_on(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0
      || ::listen(fd, 64) != 0) {
    return -1;
  }
  return fd;
}

int bound_port(int fd) {
  sockaddr_in address{};
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  return ntohs(address.sin_port);
}

void report(const Options& options, Link& link) {
  std::string json;
  {
    std::lock_guard lock(link.mutex);
    auto counters = link.counters;
    if (counters.connections > 0 && link.last > link.first) {
      counters.seconds = std::chrono::duration<double>(link.last - link.first).count();
    }
    json = to_json(counters);
  }
  std::printf("%s\n", json.c_str());
  std::fflush(stdout);
  if (!options.stats_file.empty()) {
    std::ofstream(options.stats_file) << json << '\n';
  }
}

// Accepts until a signal, the deadline or the parent's death; the signals arrive on a signalfd.
void serve(const Options& options, int listener, int signals, Link& link) {
  const auto deadline = Clock::now() + options.max_seconds;
  const auto parent = ::getppid();
  while (Clock::now() < deadline && ::getppid() == parent) {
    std::array<pollfd, 2> fds{pollfd{listener, POLLIN, 0}, pollfd{signals, POLLIN, 0}};
    if (::poll(fds.data(), fds.size(), 200) <= 0) {
      continue;
    }
    if (fds[1].revents != 0) {
      return;
    }
    const int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (client >= 0) {
      start_connection(client, options, link);
    }
  }
}

int run(const Options& options) {
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  sigset_t mask;
  sigemptyset(&mask);
  for (const int s : {SIGTERM, SIGINT, SIGHUP}) {
    sigaddset(&mask, s);
  }
  ::pthread_sigmask(SIG_BLOCK, &mask, nullptr); // before any thread, so all inherit it
  const int signals = ::signalfd(-1, &mask, SFD_CLOEXEC);
  const int listener = listen_on(options.listen_port);
  if (listener < 0 || signals < 0) {
    std::fprintf(stderr, "wan_link: cannot listen on 127.0.0.1:%d\n", options.listen_port);
    return 1;
  }
  if (!options.port_file.empty()) {
    const auto tmp = options.port_file + ".tmp";
    std::ofstream(tmp) << bound_port(listener) << '\n';
    std::rename(tmp.c_str(), options.port_file.c_str());
  }
  Link link;
  link.pacers = {Pacer(options.total_mbit), Pacer(options.total_mbit)};
  serve(options, listener, signals, link);
  report(options, link);
  return 0;
}

} // namespace
} // namespace wan_link

int main(int argc, char** argv) {
  std::string error;
  const auto options = wan_link::parse_options({argv + 1, argv + argc}, error);
  if (!options) {
    std::fprintf(stderr, "wan_link: %s\n", error.c_str());
    return 2;
  }
  // Threads still relaying are not joined: the process ends with them.
  std::_Exit(wan_link::run(*options));
}
