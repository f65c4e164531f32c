// What `migrate check` decides from what it sees: pure functions, so each rule has a unit test.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace migrate::validate {

enum class CheckLevel { ok, warn, fail };

// "ok", "warn" or "fail".
std::string_view to_string(CheckLevel level);

// The difference between a server's clock ('YYYY-MM-DD HH:MM:SS[.ffffff]', UTC) and `host_now`, in
// milliseconds (positive: the server is ahead); nullopt when the text is not a time.
std::optional<long long> clock_skew_ms(const std::string& server_utc,
                                       std::chrono::system_clock::time_point host_now);

// A run bounds its reads by the MySQL server's clock, so skew between the machines is only a
// warning (logs and `--since` are read by people in host time); more than 5 seconds is worth a
// look.
CheckLevel clock_level(long long skew_ms);

// The source tables no mapping names (`mapped`: each mapping's source_table), in the order given:
// perhaps new since the mapping was written; the operator decides whether they belong in it.
std::vector<std::string> unmapped_tables(const std::vector<std::string>& source_tables,
                                         const std::vector<std::string>& mapped);

} // namespace migrate::validate
