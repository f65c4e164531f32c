#include "cli/commands.hpp"
#include "cli/run_report.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/core/error.hpp"
#include "migrate/notify/curl_channels.hpp"

#include <iostream>

namespace migrate::cli {

CLI::App* setup_notify(CLI::App& app, bool& test) {
  auto* command = app.add_subcommand(
      "notify", "alerts configured under notify: in migrate.yaml (email, webhook)");
  command->add_flag("--test", test, "send a test message on every configured channel")->required();
  return command;
}

int run_notify(const GlobalOptions& global, bool /*test*/) {
  const auto config = load(global, config::ReadScope::state_and_notify);
  const auto channels = notify::make_curl_channels(config.notify);
  if (channels.empty()) {
    throw Error(ErrorArea::config,
                (config.directory / "migrate.yaml").string()
                    + ": no notify channel configured (notify: email or webhook)");
  }
  const auto message = notify::compose_test(host_name(), std::chrono::system_clock::now());
  const auto delivery = notify::deliver(channels, message, true);
  for (const auto& channel : channels) {
    bool failed = false;
    for (const auto& failure : delivery.failures) {
      failed = failed || failure.rfind(channel->describe() + ":", 0) == 0;
    }
    std::cout << channel->describe() << ": " << (failed ? "FAILED" : "sent") << "\n";
  }
  for (const auto& failure : delivery.failures) {
    std::cout << "  " << failure << "\n";
  }
  return delivery.failed == 0 ? k_exit_ok : k_exit_table_failed;
}

} // namespace migrate::cli
