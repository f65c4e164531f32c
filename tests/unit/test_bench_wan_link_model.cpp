// The decisions of bench/wan_link: its options, the pacing of a bandwidth cap, round trips.
#include "link_model.hpp"

#include <gtest/gtest.h>

using namespace wan_link;
using namespace std::chrono_literals;

namespace {

TEST(WanLinkModel, PacesChunksOneAfterAnotherAtTheCap) {
  Pacer pacer(8); // 8 Mbit/s = 1 MB/s
  const auto now = Clock::now();
  pacer.reserve(5000, now); // the burst an idle link had banked, used up
  EXPECT_EQ(pacer.reserve(1000, now) - now, 1ms);
  EXPECT_EQ(pacer.reserve(1000, now) - now, 2ms); // queued behind the one before
}

TEST(WanLinkModel, BanksAtMostTheBurstWhileIdle) {
  Pacer pacer(8);
  const auto now = Clock::now();
  // 5 ms of capacity (5000 bytes) banked: the first 5000 bytes cross at once, the rest at the cap.
  EXPECT_EQ(pacer.reserve(5000, now), now);
  EXPECT_EQ(pacer.reserve(1000, now) - now, 1ms);
}

TEST(WanLinkModel, KeepsTheAverageRateWhenTheReaderWakesLate) {
  Pacer pacer(8);
  auto now = Clock::now();
  pacer.reserve(5000, now); // start with the burst used
  for (int i = 0; i < 100; ++i) {
    now = pacer.reserve(1000, now) + 100us; // each wake-up 0.1 ms late
  }
  // 100 chunks of 1 ms each: the lateness is made up from the burst, up to 5 ms of it.
  EXPECT_LE(pacer.reserve(1000, now) - now, 1ms);
}

TEST(WanLinkModel, LetsEverythingThroughWithoutACap) {
  Pacer pacer(0);
  const auto now = Clock::now();
  EXPECT_EQ(pacer.reserve(1'000'000'000, now), now);
}

TEST(WanLinkModel, CountsAnExchangeEachTimeTheClientSpeaksAfterTheServer) {
  RoundTrips trips;
  EXPECT_FALSE(trips.on_data(Direction::to_client)); // the server's greeting
  EXPECT_TRUE(trips.on_data(Direction::to_server));
  EXPECT_FALSE(trips.on_data(Direction::to_server)); // the same request, in two reads
  EXPECT_FALSE(trips.on_data(Direction::to_client));
  EXPECT_FALSE(trips.on_data(Direction::to_client));
  EXPECT_TRUE(trips.on_data(Direction::to_server));
}

TEST(WanLinkModel, ReadsItsOptions) {
  std::string error;
  const auto options = parse_options({"--listen",
                                      "0",
                                      "--upstream",
                                      "db:5432",
                                      "--rtt-ms",
                                      "20",
                                      "--mbit",
                                      "100",
                                      "--conn-mbit",
                                      "50"},
                                     error);
  ASSERT_TRUE(options) << error;
  EXPECT_EQ(options->upstream_host, "db");
  EXPECT_EQ(options->upstream_port, 5432);
  EXPECT_EQ(options->one_way_delay, 10ms);
  EXPECT_EQ(options->total_mbit, 100);
  EXPECT_EQ(options->connection_mbit, 50);
}

TEST(WanLinkModel, RejectsAMissingUpstreamAndBadValues) {
  std::string error;
  EXPECT_FALSE(parse_options({"--listen", "0"}, error));
  EXPECT_EQ(error, "--upstream is required");
  EXPECT_FALSE(parse_options({"--upstream", "5432", "--mbit", "fast"}, error));
  EXPECT_NE(error.find("--mbit"), std::string::npos) << error;
  EXPECT_FALSE(parse_options({"--upstream", "5432", "--delay"}, error));
  EXPECT_NE(error.find("missing value"), std::string::npos) << error;
}

TEST(WanLinkModel, WritesItsCountersAsJson) {
  Counters counters{100, 2000, 3, 1, 1.5};
  EXPECT_EQ(to_json(counters),
            "{\"bytes_to_server\":100,\"bytes_to_client\":2000,\"round_trips\":3,"
            "\"connections\":1,\"seconds\":1.500}");
}

} // namespace
