// The metrics textfile, checked by a parser of Prometheus's text exposition format: metric and
// label name charsets, label value escaping, one HELP and TYPE per family before its samples,
// samples of a family together, numeric values; and the atomic write.
#include "migrate/metrics/textfile.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using namespace std::chrono_literals;
using namespace migrate;
using namespace migrate::metrics;

namespace {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels; // unescaped values
  double value = 0;
};

// Parses `text` or fails the test at the first line that breaks a rule.
std::vector<Sample> parse_exposition(const std::string& text) {
  static const std::regex k_name("[a-zA-Z_:][a-zA-Z0-9_:]*");
  static const std::regex k_label_name("[a-zA-Z_][a-zA-Z0-9_]*");
  std::vector<Sample> out;
  std::set<std::string> typed;
  std::set<std::string> helped;
  std::set<std::string> finished; // families whose samples ended
  std::string current;
  std::istringstream in(text);
  EXPECT_TRUE(text.empty() || text.back() == '\n') << "the last line ends in a line feed";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# ", 0) == 0) {
      std::istringstream words(line.substr(2));
      std::string keyword, name, rest;
      words >> keyword >> name;
      std::getline(words, rest);
      EXPECT_TRUE(std::regex_match(name, k_name)) << line;
      if (keyword == "TYPE") {
        EXPECT_TRUE(typed.insert(name).second) << "second TYPE: " << line;
        EXPECT_TRUE(rest == " gauge" || rest == " counter") << line;
      } else if (keyword == "HELP") {
        EXPECT_TRUE(helped.insert(name).second) << "second HELP: " << line;
        EXPECT_FALSE(rest.empty()) << line;
      } else {
        ADD_FAILURE() << "unknown comment: " << line;
      }
      continue;
    }
    Sample sample;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') {
      ++i;
    }
    sample.name = line.substr(0, i);
    EXPECT_TRUE(std::regex_match(sample.name, k_name)) << line;
    EXPECT_EQ(typed.count(sample.name), 1U) << "sample before its TYPE: " << line;
    EXPECT_EQ(finished.count(sample.name), 0U) << "family split: " << line;
    if (sample.name != current) {
      if (!current.empty()) {
        finished.insert(current);
      }
      current = sample.name;
    }
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        const auto eq = line.find('=', i);
        const auto label = line.substr(i, eq - i);
        EXPECT_TRUE(std::regex_match(label, k_label_name)) << line;
        EXPECT_EQ(line.at(eq + 1), '"') << line;
        std::string value;
        for (i = eq + 2; i < line.size() && line[i] != '"'; ++i) {
          if (line[i] == '\\') {
            const char next = line.at(++i);
            EXPECT_TRUE(next == '\\' || next == '"' || next == 'n') << "bad escape: " << line;
            value += next == 'n' ? '\n' : next;
          } else {
            value += line[i];
          }
        }
        EXPECT_LT(i, line.size()) << "unterminated label value: " << line;
        sample.labels[label] = value;
        ++i;
        if (i < line.size() && line[i] == ',') {
          ++i;
        }
      }
      ++i;
    }
    EXPECT_EQ(line.at(i), ' ') << line;
    std::size_t used = 0;
    const auto number = line.substr(i + 1);
    sample.value = std::stod(number, &used);
    EXPECT_EQ(used, number.size()) << line;
    out.push_back(std::move(sample));
  }
  for (const auto& name : typed) {
    EXPECT_EQ(helped.count(name), 1U) << name << " has no HELP";
  }
  return out;
}

const Sample*
find(const std::vector<Sample>& samples, const std::string& name, const std::string& table) {
  for (const auto& s : samples) {
    if (s.name == name
        && (table.empty() || (s.labels.count("table") != 0 && s.labels.at("table") == table))) {
      return &s;
    }
  }
  return nullptr;
}

RunFigures figures() {
  RunFigures run;
  run.finished = std::chrono::system_clock::from_time_t(1793491200);
  run.exit_code = 1;
  TableFigures users;
  users.table = "users";
  TableResult result;
  result.table = "users";
  result.counts.rows_read = 1200;
  result.counts.inserted = 1000;
  result.counts.updated = 150;
  result.counts.deleted = 3;
  result.counts.quarantined = 2;
  result.started = run.finished - 10s;
  result.finished = run.finished - 7s;
  users.last_run = result;
  users.last_success = result.started;
  users.data_age = 40s;
  run.tables.push_back(users);
  TableFigures odd;
  odd.table = "we\"ird\\na\nme";
  result.outcome = Outcome::failed;
  odd.last_run = result;
  run.tables.push_back(odd); // never succeeded: no age, no last success
  return run;
}

TEST(MetricsTextfile, FollowsTheExpositionFormat) {
  const auto samples = parse_exposition(render_textfile(figures()));
  EXPECT_GT(samples.size(), 10U);
}

TEST(MetricsTextfile, HasEachTablesFigures) {
  const auto samples = parse_exposition(render_textfile(figures()));
  const auto value = [&](const std::string& name, const std::string& table = "users") {
    const auto* s = find(samples, name, table);
    EXPECT_NE(s, nullptr) << name;
    return s == nullptr ? -1.0 : s->value;
  };
  EXPECT_EQ(value("migrate_table_rows_read"), 1200);
  EXPECT_EQ(value("migrate_table_rows_inserted"), 1000);
  EXPECT_EQ(value("migrate_table_rows_updated"), 150);
  EXPECT_EQ(value("migrate_table_rows_deleted"), 3);
  EXPECT_EQ(value("migrate_table_rows_quarantined"), 2);
  EXPECT_EQ(value("migrate_table_last_run_duration_seconds"), 3);
  EXPECT_EQ(value("migrate_table_last_success_timestamp_seconds"), 1793491200 - 10);
  EXPECT_EQ(value("migrate_table_data_age_seconds"), 40);
  EXPECT_EQ(value("migrate_table_stale"), 0);
  EXPECT_EQ(value("migrate_run_exit_code", ""), 1);
  EXPECT_EQ(find(samples, "migrate_table_data_age_seconds", "we\"ird\\na\nme"), nullptr)
      << "no age for a table never synced";
}

TEST(MetricsTextfile, EscapesLabelValuesSoTheyRoundTrip) {
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  const auto samples = parse_exposition(render_textfile(figures()));
  int outcomes = 0;
  for (const auto& s : samples) {
    if (s.name == "migrate_table_last_run_outcome" && s.labels.at("table") == "we\"ird\\na\nme") {
      ++outcomes;
      EXPECT_EQ(s.value, s.labels.at("outcome") == "failed" ? 1 : 0);
    }
  }
  EXPECT_EQ(outcomes, 2);
}

TEST(MetricsTextfile, ReplacesTheFileAtomicallyAndLeavesItReadable) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("migrate-metrics-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "migrate.prom";
  write_textfile(path, "first\n");
  write_textfile(path, "second\n");
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "second\n");
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777U, 0644U);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) {
    ++files;
  }
  EXPECT_EQ(files, 1U) << "no temporary file left behind";
  std::filesystem::remove_all(dir);
}

TEST(MetricsTextfile, ThrowsNamingThePathWhenTheDirectoryIsMissing) {
  try {
    write_textfile("/nonexistent-dir-for-migrate/m.prom", "x\n");
    FAIL() << "no error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir-for-migrate/m.prom"), std::string::npos);
  }
}

} // namespace
