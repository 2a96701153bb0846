// Derive Dutch auction (venues-and-peers 2.5 / 8.7): MM −100, MtM 1,000 -> BM −265,
// f(d = 0.95) = 21.8%, fee 20.95; the bid schedule 95% -> 70% (15 min) -> 0 (12 h); insolvent auction.
#include <gtest/gtest.h>

#include <cmath>

#include "greekbook/liquidation/dutch_auction.hpp"

using namespace greekbook;
using liquidation::DutchAuctionParams;

TEST(DutchAuction, PublishedWorkedExample) {
  const DutchAuctionParams p;
  const double bm = liquidation::buffer_margin(p, -100, 1000);
  EXPECT_NEAR(bm, -265, 1e-12);  // −100 + (−1,100 x 0.15)
  const double f = liquidation::max_fraction_raw(bm, 1000, 0.95, 0.0);
  EXPECT_NEAR(f, 265.0 / 1215.0, 1e-15);
  EXPECT_NEAR(f, 0.2181, 5e-5);  // "21.8%"
  const double fee = liquidation::liquidator_fee(p, bm, 1000, 0.0);
  EXPECT_NEAR(fee, 265.0 / 1265.0 * 1000 * 0.1, 1e-12);
  EXPECT_NEAR(fee, 20.95, 0.005);  // "20.95"

  auto q = liquidation::auction_quote(p, -100, 1000, 0.0, 0.0);
  ASSERT_TRUE(q);
  EXPECT_FALSE(q->insolvent);
  EXPECT_FALSE(q->over);
  EXPECT_DOUBLE_EQ(q->d, 0.95);
  EXPECT_NEAR(q->max_fraction, 265.0 / 1215.0, 1e-15);
  EXPECT_NEAR(q->bid_usd, 265.0 / 1215.0 * 950, 1e-12);  // f·MtM·d
  EXPECT_NEAR(q->liquidator_fee_usd, 20.9486, 1e-4);
}

TEST(DutchAuction, ReservedCashRaisesTheFraction) {
  // f = BM / (BM − MtM d − R (1 − d)): R = 200 at d = 0.95 adds −10 to the denominator.
  const double f = liquidation::max_fraction_raw(-265, 1000, 0.95, 200);
  EXPECT_NEAR(f, 265.0 / 1225.0, 1e-15);
  // At d = 1 reserved cash has no weight.
  EXPECT_NEAR(liquidation::max_fraction_raw(-265, 1000, 1.0, 200), 265.0 / 1265.0, 1e-15);
}

TEST(DutchAuction, BidSchedule) {
  const DutchAuctionParams p;
  EXPECT_DOUBLE_EQ(liquidation::bid_fraction(p, 0), 0.95);
  EXPECT_NEAR(liquidation::bid_fraction(p, 450), 0.825, 1e-15);  // halfway through the fast phase
  EXPECT_NEAR(liquidation::bid_fraction(p, 900), 0.70, 1e-15);
  EXPECT_NEAR(liquidation::bid_fraction(p, 900 + 6 * 3600), 0.35, 1e-15);  // halfway through the slow phase
  EXPECT_EQ(liquidation::bid_fraction(p, 900 + 12 * 3600), 0.0);
  EXPECT_EQ(liquidation::bid_fraction(p, 1e9), 0.0);
  // Lower bids take a larger fraction for the same buffer.
  EXPECT_GT(liquidation::max_fraction_raw(-265, 1000, 0.70, 0), liquidation::max_fraction_raw(-265, 1000, 0.95, 0));
}

TEST(DutchAuction, InsolventAndFinishedAuctions) {
  const DutchAuctionParams p;
  // MtM < 0: the security module pays up to |MM| over 60 minutes.
  auto q = liquidation::auction_quote(p, -500, -50, 0.0, 1800);
  ASSERT_TRUE(q);
  EXPECT_TRUE(q->insolvent);
  EXPECT_NEAR(q->insolvent_payment_usd, 250, 1e-12);
  EXPECT_NEAR(liquidation::insolvent_payment(p, -500, 7200), 500, 1e-12);
  // BM >= 0: nothing to sell. MM 100 over MtM 1,000: BM = 100 − 900 x 0.15 = −35 still < 0; MM 200 -> +65.
  q = liquidation::auction_quote(p, 200, 1000, 0.0, 0.0);
  ASSERT_TRUE(q);
  EXPECT_TRUE(q->over);
  EXPECT_EQ(q->max_fraction, 0.0);
  EXPECT_EQ(q->liquidator_fee_usd, 0.0);
  // Below the MtM cutoff the whole account goes.
  DutchAuctionParams c;
  c.mtm_cutoff = 5000;
  q = liquidation::auction_quote(c, -100, 1000, 0.0, 0.0);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->max_fraction, 1.0);
  EXPECT_FALSE(liquidation::auction_quote(p, std::nan(""), 1000, 0, 0));
  EXPECT_FALSE(liquidation::auction_quote(p, -100, 1000, 0, -1));
}

TEST(DutchAuction, InputsFromAMarginResult) {
  margin::MarginResult r;
  r.equity = 1000;
  r.maintenance_margin = 1100;
  const auto in = liquidation::auction_inputs(r, 1.0);
  EXPECT_EQ(in.mm_usd, -100);
  EXPECT_EQ(in.mtm_usd, 1000);
}

TEST(DutchAuction, ParamsDefaultsAndErrors) {
  const io::JsonPath at{"params.json", "dutch_auction"};
  auto d = liquidation::make_dutch_auction_params(nullptr, at);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->starting_mtm_percentage, 0.95);
  EXPECT_EQ(d->fast_auction_cutoff_percentage, 0.70);
  EXPECT_EQ(d->fast_auction_length_s, 900);
  EXPECT_EQ(d->slow_auction_length_s, 43200);
  EXPECT_EQ(d->insolvent_auction_length_s, 3600);
  EXPECT_EQ(d->liquidator_fee_rate, 0.10);
  EXPECT_EQ(d->buffer_margin_percentage, 0.15);
  EXPECT_FALSE(d->mtm_cutoff);

  auto j = io::Json::parse(R"({"starting_mtm_percentage": 0.98, "fast_auction_cutoff_percentage": 0.8,
                               "fast_auction_length_s": 1200, "mtm_cutoff": 100})");
  auto o = liquidation::make_dutch_auction_params(&j, at);
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->starting_mtm_percentage, 0.98);
  EXPECT_EQ(*o->mtm_cutoff, 100);

  const auto expect_error = [&](const char* text, const char* needle) {
    const auto v = io::Json::parse(text);
    auto r = liquidation::make_dutch_auction_params(&v, at);
    ASSERT_FALSE(r) << text;
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
  };
  expect_error(R"({"liquidator_fee_rate": -0.1})", "dutch_auction.liquidator_fee_rate");
  expect_error(R"({"fast_auction_cutoff_percentage": 0.99})", "exceeds starting_mtm_percentage");
  expect_error(R"({"slow_auction_length_s": 0})", "dutch_auction.slow_auction_length_s");
  expect_error(R"({"fast_length": 10})", "dutch_auction.fast_length");
}
