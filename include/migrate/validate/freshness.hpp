// Freshness: how old the data in a target table is, and whether that is older than max_age.
//
// Pure functions over the state file's figures, used by `migrate status`, the metrics textfile and
// the alerts. Safe from any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace migrate::validate {

// The table's last successful run, as the state file keeps it.
struct LastSuccess {
  std::chrono::system_clock::time_point started;
  // The run's upper bound on the timestamp column, MySQL's 'YYYY-MM-DD HH:MM:SS[.ffffff]'; empty
  // for a table without a timestamp column (it is compared whole, as of the run's start).
  std::string upper_bound;
};

struct Freshness {
  // now minus the point the target is known to be complete up to; nullopt: never synced.
  std::optional<std::chrono::seconds> age;
  // Older than max_age. A table that never synced successfully is not: its failed runs already
  // say so, and a first run still loading is no alarm.
  bool stale = false;
  // The instant the age is measured from (the upper bound or the run's start); unset when never.
  std::optional<std::chrono::system_clock::time_point> as_of;
};

// The age is measured from the upper bound, read as UTC, but never from later than the run's
// start: a DATETIME bound is in the MySQL server's zone, and a zone east of UTC would otherwise
// make the data look younger than it is (a zone west of it makes it look older: errs on the side
// of an alert). An unparseable bound falls back to the start.
Freshness assess_freshness(const std::optional<LastSuccess>& last,
                           std::chrono::system_clock::time_point now,
                           std::chrono::seconds max_age);

// "3d 4h", "2h 5m", "42m", "17s": the two largest units, for tables and alert text.
std::string format_age(std::chrono::seconds age);

} // namespace migrate::validate
