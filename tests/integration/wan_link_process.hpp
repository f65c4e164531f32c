// bench/wan_link (the benchmark's WAN link simulator) as a child process of a test: a TCP proxy on
// 127.0.0.1 in front of an upstream port, with the delay and caps of `options`, counting bytes.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace migrate::testing {

class WanLink {
public:
  // Starts it in front of `upstream` with extra `options` (e.g. {"--delay-ms", "20"}) and waits,
  // at most 10 s, until it listens; port() is 0 when it did not.
  WanLink(int upstream, const std::vector<std::string>& options);
  ~WanLink();
  WanLink(const WanLink&) = delete;
  WanLink& operator=(const WanLink&) = delete;

  int port() const { return m_port; }

  // Stops it (SIGTERM, then SIGKILL after 5 s) and returns the counters it wrote, as JSON.
  std::string stop();

private:
  std::filesystem::path m_dir;
  pid_t m_pid = -1;
  int m_port = 0;
};

// A counter of the JSON stop() returns ("bytes_to_client", "round_trips", ...); 0 when absent.
unsigned long long counter(const std::string& json, const std::string& name);

} // namespace migrate::testing
