// The shipped parameter files of the liquidation module equal the compiled-in defaults.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "greekbook/liquidation/dutch_auction.hpp"
#include "greekbook/liquidation/liquidation_sim.hpp"

using namespace greekbook;

namespace {
io::Json load(const std::string& name) {
  const std::string path = std::string(GREEKBOOK_SOURCE_DIR) + "/params/liquidation/" + name;
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = io::parse_json(ss.str(), path);
  EXPECT_TRUE(j) << path;
  return j ? *j : io::Json::object();
}
}  // namespace

TEST(ShippedParams, LiquidationSimulationFileEqualsDefaults) {
  const auto doc = load("liquidation.json");
  auto p = liquidation::make_liquidation_params(&doc, {"liquidation.json", ""});
  ASSERT_TRUE(p) << p.error().message;
  const auto d = *liquidation::make_liquidation_params(nullptr, {"defaults", ""});
  EXPECT_EQ(p->step_mode, d.step_mode);
  EXPECT_EQ(p->step_fraction, d.step_fraction);
  EXPECT_EQ(p->step_quantity, d.step_quantity);
  EXPECT_EQ(p->penalty_rate, d.penalty_rate);
  EXPECT_EQ(p->impact_feeds_mark, d.impact_feeds_mark);
  EXPECT_EQ(p->stop_at, d.stop_at);
  EXPECT_EQ(p->stop_buffer, d.stop_buffer);
  EXPECT_EQ(p->max_steps, d.max_steps);
  EXPECT_EQ(p->trigger_overshoot_bps, d.trigger_overshoot_bps);
}

TEST(ShippedParams, DeriveAuctionFileEqualsDefaults) {
  const auto doc = load("derive-auction.json");
  auto p = liquidation::make_dutch_auction_params(&doc, {"derive-auction.json", ""});
  ASSERT_TRUE(p) << p.error().message;
  const liquidation::DutchAuctionParams d;
  EXPECT_EQ(p->starting_mtm_percentage, d.starting_mtm_percentage);
  EXPECT_EQ(p->fast_auction_cutoff_percentage, d.fast_auction_cutoff_percentage);
  EXPECT_EQ(p->fast_auction_length_s, d.fast_auction_length_s);
  EXPECT_EQ(p->slow_auction_length_s, d.slow_auction_length_s);
  EXPECT_EQ(p->insolvent_auction_length_s, d.insolvent_auction_length_s);
  EXPECT_EQ(p->liquidator_fee_rate, d.liquidator_fee_rate);
  EXPECT_EQ(p->buffer_margin_percentage, d.buffer_margin_percentage);
  EXPECT_FALSE(p->mtm_cutoff.has_value());
}
