// migrate report --html as a user sees it: rendered by headless Chromium, the page is not blank
// and names every table; it holds no reference to anything outside itself.
#include "support.hpp"

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

namespace migrate::testing {
namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class ReportPage : public TestDatabase {
protected:
  // Two tables with history, one that fails on its second run, validations of each.
  void make_history() {
    mysql().exec("CREATE TABLE orders (id INT PRIMARY KEY, total INT, "
                 "updated_at DATETIME(6) NOT NULL)");
    mysql().exec("INSERT INTO orders SELECT seq, seq * 3, NOW(6) - INTERVAL 1 DAY FROM "
                 + numbers(1, 40));
    mysql().exec("CREATE TABLE tags (id INT PRIMARY KEY, label VARCHAR(20))");
    mysql().exec("INSERT INTO tags VALUES (1, 'a'), (2, 'b')");
    mysql().exec("CREATE TABLE gone (id INT PRIMARY KEY)");
    mysql().exec("INSERT INTO gone VALUES (1)");
    write_mapping("tables:\n  - source_table: orders\n    timestamp_column: updated_at\n"
                  "  - source_table: tags\n  - source_table: gone\n");
    ASSERT_EQ(migrate().exit_code, 0);
    mysql().exec("INSERT INTO orders SELECT seq, seq, NOW(6) FROM " + numbers(41, 90));
    wait_for_next_second(mysql());
    mysql().exec("DROP TABLE gone");
    const auto second = migrate();
    ASSERT_EQ(second.exit_code, 1) << second.output;
    migrate("--table orders --table tags");
    migrate("validate --table orders --table tags");
    pg().exec("UPDATE tags SET label = 'edited' WHERE id = 2");
    migrate("validate --checksum --table tags");
  }

  // Chromium, or nullopt (a failure under CI, where install-deps.sh installs it).
  std::optional<std::string> chromium() {
    for (const char* name : {"chromium", "chromium-browser"}) {
      const auto found = run_command(std::string("command -v ") + name);
      if (found.exit_code == 0) {
        return name;
      }
    }
    return std::nullopt;
  }

  // Chromium into `browser`; without it the test fails under CI (install-deps.sh installs it) or
  // is skipped, and the caller returns.
  void find_chromium(std::optional<std::string>& browser) {
    browser = chromium();
    if (browser) {
      return;
    }
    if (std::getenv("CI") != nullptr && std::string(std::getenv("CI")) == "true") {
      FAIL() << "chromium is not installed (scripts/install-deps.sh installs it)";
    }
    GTEST_SKIP() << "chromium is not installed";
  }

  // Runs Chromium headless on a file with a bounded wait.
  ProcessResult
  render(const std::string& browser, const std::string& what, const std::filesystem::path& page) {
    return run_command("timeout 120 " + browser
                       + " --headless --no-sandbox --disable-gpu --no-first-run "
                         "--user-data-dir="
                       + (dir() / "chromium-profile").string() + " --window-size=1200,1600 " + what
                       + " file://" + page.string());
  }

  // "WIDTH HEIGHT COLOURS INKED" of a PNG.
  std::vector<double> png_facts(const std::filesystem::path& png) {
    const auto result = run_command("timeout 120 python3 " + std::string(MIGRATE_SOURCE_DIR)
                                    + "/tests/integration/png_colours.py " + png.string());
    EXPECT_EQ(result.exit_code, 0) << result.output;
    std::istringstream in(result.output);
    std::vector<double> facts(4, 0.0);
    for (auto& fact : facts) {
      in >> fact;
    }
    return facts;
  }
};

TEST_F(ReportPage, IsSelfContainedAndNamesEveryTableRunFailureAndValidation) {
  make_history();
  const auto page = dir() / "report.html";
  const auto written = migrate("report --html " + page.string() + " --last 10");
  ASSERT_EQ(written.exit_code, 0) << written.output;
  EXPECT_TRUE(contains(written.output, "report written to " + page.string())) << written.output;
  const auto html = read_text(page);
  for (const auto* table : {"orders", "tags", "gone"}) {
    EXPECT_TRUE(contains(html, std::string("<h2>") + table + "</h2>")) << table;
  }
  EXPECT_TRUE(contains(html, "1 failed")) << html;
  // The failed run of `gone`, with the first line of its error.
  EXPECT_TRUE(std::regex_search(html,
                                std::regex("<td>gone</td><td>[^<]+</td><td class=\"bad\">"
                                           "failed</td><td>[^<]*gone")))
      << html;
  EXPECT_TRUE(contains(html, "DIFFERS: 1 content differs")) << html; // tags' validation
  // orders' last validation, in its summary row: all 90 rows arrived.
  EXPECT_TRUE(std::regex_search(html, std::regex("<tr><td>orders</td>[^\n]*: in sync</td></tr>")))
      << html;
  EXPECT_FALSE(std::regex_search(html, std::regex("https?:|<script|<link|<img|url\\(")));
}

// migrate's own files are its owner's alone; a page for a web server asks for its mode.
TEST_F(ReportPage, IsTheOwnersAloneUnlessAModeIsGiven) {
  make_history();
  const auto page = dir() / "report.html";
  ASSERT_EQ(migrate("report --html " + page.string()).exit_code, 0);
  EXPECT_EQ(std::filesystem::status(page).permissions(), std::filesystem::perms(0600));
  const auto shared = migrate("report --html " + page.string() + " --mode 0644");
  ASSERT_EQ(shared.exit_code, 0) << shared.output;
  EXPECT_EQ(std::filesystem::status(page).permissions(), std::filesystem::perms(0644));
  const auto refused = migrate("report --html " + page.string() + " --mode 0666");
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_TRUE(contains(refused.output, "not writable by others")) << refused.output;
  EXPECT_EQ(std::filesystem::status(page).permissions(), std::filesystem::perms(0644)); // kept
}

TEST_F(ReportPage, RendersInChromiumAsANonBlankPageWithEveryTable) {
  std::optional<std::string> browser;
  find_chromium(browser);
  if (!browser) {
    return;
  }
  make_history();
  const auto page = dir() / "report.html";
  ASSERT_EQ(migrate("report --html " + page.string()).exit_code, 0);

  const auto png = dir() / "report.png";
  const auto shot = render(*browser, "--screenshot=" + png.string(), page);
  ASSERT_EQ(shot.exit_code, 0) << shot.output;
  ASSERT_TRUE(std::filesystem::exists(png)) << shot.output;
  const auto blank_page = dir() / "blank.html";
  std::ofstream(blank_page) << "<!DOCTYPE html><html><body></body></html>\n";
  const auto blank_png = dir() / "blank.png";
  ASSERT_EQ(render(*browser, "--screenshot=" + blank_png.string(), blank_page).exit_code, 0);

  const auto facts = png_facts(png);
  EXPECT_EQ(facts[0], 1200);
  EXPECT_EQ(facts[1], 1600);
  EXPECT_GE(facts[2], 20) << "too few colours: a blank or one-colour page";
  EXPECT_GT(facts[3], 0.01) << "almost nothing drawn";
  EXPECT_LE(png_facts(blank_png)[2], 1); // the same check sees a blank page as blank
  EXPECT_GT(std::filesystem::file_size(png), 4 * std::filesystem::file_size(blank_png));

  const auto dom = render(*browser, "--dump-dom", page);
  ASSERT_EQ(dom.exit_code, 0) << dom.output;
  for (const auto* table : {"orders", "tags", "gone"}) {
    EXPECT_TRUE(contains(dom.output, std::string("<h2>") + table + "</h2>")) << table;
  }
  EXPECT_TRUE(contains(dom.output, "<rect")) << "no chart bars in the DOM";
}

// The first screen answers "are we in sync, and since when?" at a phone's width and a desktop's:
// the verdict is the first thing after the title and inside the first screen, and the page never
// scrolls sideways (wide tables scroll in their own box, charts shrink).
TEST_F(ReportPage, TheFirstScreenSaysWhetherWeAreInSyncAtAPhonesWidthAndADesktops) {
  std::optional<std::string> browser;
  find_chromium(browser);
  if (!browser) {
    return;
  }
  make_history();
  const auto page = dir() / "report.html";
  ASSERT_EQ(migrate("report --html " + page.string()).exit_code, 0);
  auto html = read_text(page);
  EXPECT_TRUE(contains(html, "PostgreSQL differs from MySQL as of ")) << html;
  EXPECT_LT(html.find("id=\"verdict\""), html.find("<h2>Last run</h2>"));
  for (const auto* title : {"Data consistency",
                            "Run inside its window",
                            "Failed runs",
                            "Recovery from a failure",
                            "Data age"}) {
    EXPECT_TRUE(contains(html, std::string("<h3>") + title + ": ")) << title;
  }
  // A copy of the page with a probe that writes the layout's facts into the DOM.
  const auto probe = dir() / "probe.html";
  html.insert(html.rfind("</body>"),
              "<script>const v = document.getElementById('verdict').getBoundingClientRect();"
              "document.body.setAttribute('data-layout', 'overflow=' + "
              "(document.documentElement.scrollWidth > window.innerWidth) + ' verdict_bottom=' + "
              "Math.round(v.bottom));</script>");
  std::ofstream(probe) << html;
  if (const char* keep = std::getenv("MIGRATE_TEST_KEEP_REPORT")) { // to look at it by eye
    std::filesystem::copy_file(page, keep, std::filesystem::copy_options::overwrite_existing);
  }
  for (const auto* size : {"390,844", "1280,800"}) {
    const auto dom =
        run_command("timeout 120 " + *browser
                    + " --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="
                    + (dir() / "chromium-profile").string() + " --window-size=" + size
                    + " --virtual-time-budget=2000 --dump-dom file://" + probe.string());
    ASSERT_EQ(dom.exit_code, 0) << dom.output;
    std::smatch facts;
    ASSERT_TRUE(std::regex_search(
        dom.output, facts, std::regex("data-layout=\"overflow=(\\w+) verdict_bottom=(\\d+)\"")))
        << size << "\n"
        << dom.output.substr(0, 2000);
    EXPECT_EQ(facts[1].str(), "false") << size << ": the page scrolls sideways";
    const auto height = std::stoi(std::string(size).substr(std::string(size).find(',') + 1));
    EXPECT_LT(std::stoi(facts[2].str()), height)
        << size << ": the verdict is below the first screen";
  }
}

} // namespace
} // namespace migrate::testing
