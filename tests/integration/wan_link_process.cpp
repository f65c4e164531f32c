#include "wan_link_process.hpp"

#include "support.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

extern char** environ;

namespace migrate::testing {

namespace fs = std::filesystem;

WanLink::WanLink(int upstream, const std::vector<std::string>& options) {
  static std::atomic<int> sequence{0};
  m_dir = fs::temp_directory_path()
          / ("wan-link-" + std::to_string(::getpid()) + "-" + std::to_string(sequence++));
  fs::create_directories(m_dir);
  std::vector<std::string> args = {WAN_LINK_BINARY,
                                   "--listen",
                                   "0",
                                   "--upstream",
                                   std::to_string(upstream),
                                   "--max-seconds",
                                   "600",
                                   "--port-file",
                                   (m_dir / "port").string(),
                                   "--stats",
                                   (m_dir / "stats.json").string()};
  args.insert(args.end(), options.begin(), options.end());
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  if (::posix_spawn(&m_pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
    m_pid = -1;
    return;
  }
  for (int i = 0; i < 200 && !fs::exists(m_dir / "port"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::ifstream(m_dir / "port") >> m_port;
}

WanLink::~WanLink() {
  stop();
  std::error_code ignored;
  fs::remove_all(m_dir, ignored);
}

std::string WanLink::stop() {
  if (m_pid > 0) {
    ::kill(m_pid, SIGTERM);
    int status = 0;
    int i = 0;
    for (; i < 100 && ::waitpid(m_pid, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (i == 100) {
      ::kill(m_pid, SIGKILL);
      ::waitpid(m_pid, &status, 0);
    }
    m_pid = -1;
  }
  return read_file(m_dir / "stats.json");
}

unsigned long long counter(const std::string& json, const std::string& name) {
  std::smatch match;
  if (!std::regex_search(json, match, std::regex("\"" + name + "\":([0-9]+)"))) {
    return 0;
  }
  return std::stoull(match[1]);
}

} // namespace migrate::testing
