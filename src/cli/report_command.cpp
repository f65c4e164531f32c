#include "cli/adapters.hpp"
#include "cli/commands.hpp"
#include "cli/run_report.hpp"

#include "migrate/cli/cli.hpp"
#include "migrate/core/error.hpp"
#include "migrate/core/file_mode.hpp"
#include "migrate/report/report_model.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace migrate::cli {
namespace {

// Written beside the destination and renamed over it: a reader never sees half a page. `mode`:
// its permissions (a web server's group or everyone may read it; migrate's own files are 0600).
void write_file(const std::string& path, const std::string& text, std::filesystem::perms mode) {
  const auto partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      throw Error(ErrorArea::config,
                  "--html " + path + ": cannot write " + partial + ": " + std::strerror(errno));
    }
  }
  std::error_code error;
  std::filesystem::permissions(partial, mode, error);
  if (error) {
    throw Error(ErrorArea::config, "--html " + path + ": cannot set its mode: " + error.message());
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    throw Error(ErrorArea::config, "--html " + path + ": " + std::strerror(errno));
  }
}

} // namespace

CLI::App* setup_report(CLI::App& app, ReportOptions& options) {
  auto* command = app.add_subcommand(
      "report",
      "write an HTML page of the last runs, validations, quarantine and data age of each table "
      "(reads only the state file)");
  command->add_option("--html", options.html, "the HTML file to write")->required();
  command->add_option("--last", options.last, "runs and validations per table")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  command
      ->add_option("--mode",
                   options.mode,
                   "the page's permissions in octal, e.g. 0644 for a web server (default 0600); "
                   "never writable by others")
      ->capture_default_str()
      ->check([](const std::string& text) -> std::string {
        return parse_file_mode(text)
                   ? ""
                   : "expected an octal mode such as 0644, not writable by others";
      });
  return command;
}

int run_report(const GlobalOptions& global, const ReportOptions& options) {
  const CommandContext context(global, config::ReadScope::state_only);
  std::vector<std::string> tables;
  for (const auto* table : context.tables) {
    tables.push_back(table->source_table);
  }
  const auto state = context.adapters.state();
  auto model = report::build_model(*state, tables, options.last, std::chrono::system_clock::now());
  model.state_file = context.adapters.location().describe(); // a URL without its password
  model.success = success_report(context.config, *state, tables);
  write_file(options.html, report::render_html(model), *parse_file_mode(options.mode));
  spdlog::info("report tables={} last={} file={}", tables.size(), options.last, options.html);
  std::cout << "report written to " << options.html << "\n";
  return k_exit_ok;
}

} // namespace migrate::cli
