// The contagion cascade on toys computed by hand: a venue exploit, an oracle deviation liquidating an
// account into a linear order book whose impact pulls a third account in at round 2, a lending account
// marked to the falling price; a stablecoin de-peg changing a health factor; a venue failure with a
// stated close price, lost and frozen collateral; a stale oracle; a bankruptcy covered by the
// insurance fund once; an AMM pool whose reserves carry from round to round.
#include <gtest/gtest.h>

#include <cmath>

#include "contagion/contagion_test_util.hpp"
#include "greekbook/contagion/cascade.hpp"

using namespace greekbook;
using namespace greekbook::contagion;
using namespace greekbook::contagiontest;

namespace {

Event venue_failure(const std::string& id, const std::string& venue, double lost, double frozen, double move_pct) {
  Event e;
  e.id = id;
  e.kind = EventKind::VenueFailure;
  e.origin = "test: " + id;
  e.venue = venue;
  e.collateral_lost = lost;
  e.collateral_frozen = frozen;
  e.close_move_all = move_pct;
  return e;
}

Event oracle(const std::string& id, const std::string& venue, double pct, double duration, OracleMode mode = OracleMode::Deviation) {
  Event e;
  e.id = id;
  e.kind = EventKind::Oracle;
  e.origin = "test: " + id;
  e.venue = venue;
  e.underlying = "BTC";
  e.mode = mode;
  e.deviation_pct = pct;
  e.duration_min = duration;
  return e;
}

// The two-venue toy of docs/contagion.md. BTC 100,000; MM 5% of notional (IM 10%).
//   a  venue-a  50,000 USDC, long 1 BTC      exploited: collateral lost
//   b  venue-b  60,000 USDC, long 10 BTC     oracle −3% for 10 min: liquidated in round 1
//   c  venue-c  27,375 USDC, long 5 BTC      liquidation price 99,500: pulled in at round 2
//   d  venue-c 100,000 USDC                  the donor
//   l  aave     10 BTC against 700,000 USDC  health factor falls with the price, stays above 1
struct Toy {
  FlatRateModel perp{0.05};
  margin::LendingModel lending{margin::lending_defaults()};
  CascadeInput in;
  Toy() {
    in.accounts = {perp_account("a", "venue-a", 50000, 1, 100000, 100000),
                   perp_account("b", "venue-b", 60000, 10, 100000, 100000),
                   perp_account("c", "venue-c", 27375, 5, 100000, 100000),
                   perp_account("d", "venue-c", 100000, 0, 0, 100000),
                   lending_account("l", {{"BTC", 10.0}, {"USDC", -700000.0}}, {{"BTC", 100000.0}, {"USDC", 1.0}})};
    in.models = {&perp, &perp, &perp, &perp, &lending};
    in.liquidity = linear_depth();
    in.events.source = "toy";
    in.events.events = {venue_failure("exploit-a", "venue-a", 1.0, 0.0, 0.0), oracle("oracle-b", "venue-b", -3.0, 10.0)};
    in.events.liquidation.step_fraction = 1.0;  // close a position in one fill
    in.events.liquidation.penalty_rate = 0.01;
  }
};

}  // namespace

TEST(Cascade, TwoVenueToyByHand) {
  Toy toy;
  auto r = run_cascade(toy.in);
  ASSERT_TRUE(r) << r.error().message;

  // Round 1: b is margined at venue-b's oracle price 97,000: equity 60,000 − 30,000 = 30,000 < MM
  // 5% x 970,000 = 48,500. Its 10 BTC sell for 970,000 USD: average 48.5 bps (d(q) = q/10^4 bps), so
  // 96,529.55; cash 60,000 + 10 x (96,529.55 − 100,000) = 25,295.50; penalty 1% x 970,000 = 9,700.
  // The order leaves the book 97 bps lower: BTC 100,000 x 0.9903 = 99,030 on every venue.
  const double p1 = 100000 * (1 - 0.0097);
  const double b_price = 97000 * (1 - 0.00485);
  EXPECT_NEAR(b_price, 96529.55, 1e-9);
  // Round 2: c at 99,030: equity 27,375 − 5 x 970 = 22,525 < MM 0.05 x 5 x 99,030 = 24,757.50. Its
  // 5 BTC (495,150 USD) fill 24.7575 bps under 99,030, penalty 4,951.50; the book moves 49.515 bps.
  const double c_price = p1 * (1 - 495150.0 / 2e4 * 1e-4);
  const double p2 = p1 * (1 - 495150.0 / 1e4 * 1e-4);
  EXPECT_NEAR(p2, 98539.652955, 1e-6);

  ASSERT_EQ(r->failures.size(), 3u);
  const auto& f0 = r->failures[0];
  EXPECT_EQ(f0.account_id, "a");
  EXPECT_EQ(f0.round, 1);
  EXPECT_EQ(f0.cause, FailureCause::VenueFailure);
  EXPECT_EQ(f0.status_after, AccountStatus::Halted);
  EXPECT_EQ(f0.trigger, "exploit-a + oracle-b");
  const auto& f1 = r->failures[1];
  EXPECT_EQ(f1.account_id, "b");
  EXPECT_EQ(f1.round, 1);
  EXPECT_EQ(f1.cause, FailureCause::BelowMaintenance);
  EXPECT_NEAR(f1.excess_usd, -18500, 1e-6);
  EXPECT_EQ(f1.status_after, AccountStatus::Liquidated);
  const auto& f2 = r->failures[2];
  EXPECT_EQ(f2.account_id, "c");
  EXPECT_EQ(f2.round, 2);
  EXPECT_NEAR(f2.excess_usd, -2232.5, 1e-6);
  EXPECT_EQ(f2.status_after, AccountStatus::Liquidated);
  EXPECT_TRUE(f0.first && f1.first && f2.first);

  // Market path: start, round 1 (b sold), round 2 (c sold), round 3 quiet; the oracle's end at 10 min: round 4 quiet.
  ASSERT_EQ(r->path.size(), 5u);
  EXPECT_EQ(r->rounds, 4);
  EXPECT_NEAR(r->path[0].prices.at("BTC"), 100000, 1e-9);
  EXPECT_NEAR(r->path[1].sold_usd.at("BTC"), 970000, 1e-6);
  EXPECT_NEAR(r->path[1].impact_bps.at("BTC"), -97, 1e-9);
  EXPECT_NEAR(r->path[1].prices.at("BTC"), p1, 1e-8);
  EXPECT_NEAR(r->path[1].venue_prices.at("venue-b").at("BTC"), p1 * 0.97, 1e-8);
  EXPECT_EQ(r->path[1].liquidated, std::vector<std::string>{"b"});
  EXPECT_NEAR(r->path[2].sold_usd.at("BTC"), 495150, 1e-6);
  EXPECT_NEAR(r->path[2].prices.at("BTC"), p2, 1e-8);
  EXPECT_EQ(r->path[2].liquidated, std::vector<std::string>{"c"});
  EXPECT_TRUE(r->path[2].changed);
  EXPECT_FALSE(r->path[3].changed);
  EXPECT_EQ(r->path[4].trigger, "oracle-b (end)");
  EXPECT_EQ(r->path[4].time_min, 10.0);
  EXPECT_TRUE(r->path[4].venue_prices.empty());
  EXPECT_FALSE(r->max_rounds_reached);

  const auto& a = r->accounts[0];
  EXPECT_EQ(a.status, AccountStatus::Halted);
  EXPECT_NEAR(a.event_loss_usd, 50000, 1e-9);
  EXPECT_NEAR(a.loss_usd, 50000, 1e-9);
  EXPECT_NEAR(a.value_end_usd, 0, 1e-9);

  const auto& b = r->accounts[1];
  EXPECT_EQ(b.status, AccountStatus::Liquidated);
  ASSERT_EQ(b.liquidations.size(), 1u);
  EXPECT_EQ(b.liquidations[0].steps, 1u);
  EXPECT_NEAR(b.liquidations[0].slippage_usd, 10 * (97000 - b_price), 1e-6);
  EXPECT_NEAR(b.liquidations[0].penalties_usd, 9700, 1e-9);
  EXPECT_NEAR(b.liquidation_cost_usd, 4704.5 + 9700, 1e-6);
  EXPECT_NEAR(b.value_end_usd, 15595.5, 1e-6);
  EXPECT_NEAR(b.loss_usd, 60000 - 15595.5, 1e-6);
  EXPECT_NEAR(b.excess_start_usd, 10000, 1e-9);

  const auto& c = r->accounts[2];
  const double c_cash = 27375 + 5 * (c_price - 100000) - 4951.5;
  EXPECT_NEAR(c.value_end_usd, c_cash, 1e-6);
  EXPECT_NEAR(c.loss_usd, 27375 - c_cash, 1e-6);
  EXPECT_NEAR(c.liquidations[0].penalties_usd, 4951.5, 1e-6);
  EXPECT_EQ(*c.first_failure_round, 2);

  EXPECT_EQ(r->accounts[3].status, AccountStatus::Sound);
  EXPECT_NEAR(r->accounts[3].loss_usd, 0, 1e-9);
  EXPECT_NEAR(r->accounts[3].free_start_usd(), 100000, 1e-9);

  // l: HF 10 x 98,539.65 x 0.78 / 700,000 = 1.098 > 1; its loss is the price move on 10 BTC.
  const auto& l = r->accounts[4];
  EXPECT_EQ(l.status, AccountStatus::Sound);
  EXPECT_NEAR(l.loss_usd, 10 * (100000 - p2), 1e-6);
  EXPECT_NEAR(l.min_excess_usd, 10 * p2 * 0.78 - 700000, 1e-6);
  EXPECT_NEAR(r->insurance_funds_end.at("venue-b"), 9700, 1e-9);
  EXPECT_NEAR(r->insurance_funds_end.at("venue-c"), 4951.5, 1e-6);
}

TEST(Cascade, MaxRoundsCapsAPhase) {
  Toy toy;
  toy.in.max_rounds = 1;
  auto r = run_cascade(toy.in);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->max_rounds_reached);
  ASSERT_FALSE(r->notes.empty());
  EXPECT_NE(r->notes[0].find("max rounds = 1"), std::string::npos) << r->notes[0];
  // The phase at 10 min still runs: c, below maintenance at 99,030, is liquidated there (round 2).
  ASSERT_EQ(r->failures.size(), 3u);
  EXPECT_EQ(r->failures[2].account_id, "c");
  EXPECT_EQ(r->failures[2].round, 2);
  EXPECT_EQ(r->failures[2].trigger, "oracle-b (end)");
}

TEST(Cascade, StablecoinDepegChangesHealthFactorByHand) {
  // 100,000 USDC supplied (LT 0.78, bonus 4.5%), 25 ETH borrowed at 3,000: HF = 78,000 / 75,000 = 1.04.
  // USDC at 0.95: HF = 95,000 x 0.78 / 75,000 = 0.988 > 0.95: half the debt (37,500 USD = 12.5 ETH) is
  // repaid, 37,500 x 1.045 / 0.95 = 41,250 USDC seized; HF after = 58,750 x 0.95 x 0.78 / 37,500.
  margin::LendingModel lending{margin::lending_defaults()};
  CascadeInput in;
  in.accounts = {lending_account("l2", {{"USDC", 100000.0}, {"ETH", -25.0}}, {{"USDC", 1.0}, {"ETH", 3000.0}})};
  in.models = {&lending};
  in.liquidity = flat_depth();
  Event e;
  e.id = "usdc-depeg";
  e.kind = EventKind::Depeg;
  e.origin = "test";
  e.currency = "USDC";
  e.usd_rate = 0.95;
  e.duration_min = 60;
  in.events.events = {e};
  auto r = run_cascade(in);
  ASSERT_TRUE(r) << r.error().message;
  const auto& o = r->accounts[0];
  EXPECT_NEAR(o.excess_start_usd, 78000 - 75000, 1e-9);
  ASSERT_EQ(o.liquidations.size(), 1u);
  const auto& liq = o.liquidations[0];
  EXPECT_EQ(liq.kind, "lending");
  EXPECT_NEAR(liq.health_factor_before, 0.988, 1e-12);
  EXPECT_NEAR(liq.health_factor_after, 58750 * 0.95 * 0.78 / 37500, 1e-12);
  EXPECT_NEAR(liq.realised_loss_usd, 37500 * 0.045, 1e-6);
  EXPECT_NEAR(liq.excess_before_usd, 95000 * 0.78 - 75000, 1e-9);
  EXPECT_NEAR(liq.sold_usd.at("ETH"), -37500, 1e-6);  // the liquidator buys the ETH it repays
  EXPECT_NEAR(o.final_state.collateral.at("USDC"), 58750, 1e-6);
  EXPECT_NEAR(o.final_state.collateral.at("ETH"), -12.5, 1e-9);
  EXPECT_EQ(r->path[1].stable_rates.at("USDC"), 0.95);
  // After the de-peg ends (60 min) USDC is back at 1: value 58,750 − 37,500 = 21,250 (start 25,000).
  EXPECT_TRUE(r->path.back().stable_rates.empty());
  EXPECT_NEAR(o.value_end_usd, 21250, 1e-6);
  EXPECT_NEAR(o.loss_usd, 3750, 1e-6);
  EXPECT_EQ(o.status, AccountStatus::Liquidated);
}

TEST(Cascade, VenueFailureClosesAtStatedPriceLosesAndFreezesCollateral) {
  // 50,000 USDC and long 1 BTC at 100,000, closed at 90,000 (−10%): 40,000 USDC; 25% lost, 50% frozen:
  // 30,000 USDC left of which 20,000 frozen. Event loss 20,000; the account leaves the cascade.
  FlatRateModel perp{0.05};
  CascadeInput in;
  in.accounts = {perp_account("x", "venue-x", 50000, 1, 100000, 100000)};
  in.models = {&perp};
  in.liquidity = flat_depth();
  in.events.events = {venue_failure("halt-x", "venue-x", 0.25, 0.5, -10.0)};
  in.events.events[0].at_min = 5;
  auto r = run_cascade(in);
  ASSERT_TRUE(r) << r.error().message;
  const auto& o = r->accounts[0];
  EXPECT_EQ(o.status, AccountStatus::Halted);
  EXPECT_NEAR(o.event_loss_usd, 20000, 1e-9);
  EXPECT_NEAR(o.frozen_usd, 20000, 1e-9);
  EXPECT_NEAR(o.value_end_usd, 30000, 1e-9);
  EXPECT_NEAR(o.loss_usd, 20000, 1e-9);
  EXPECT_TRUE(o.final_state.positions.empty());
  ASSERT_EQ(r->failures.size(), 1u);
  EXPECT_EQ(r->failures[0].round, 2);  // round 1 is the quiet start at 0 min
  EXPECT_EQ(r->failures[0].time_min, 5.0);
  EXPECT_EQ(r->failures[0].trigger, "halt-x");
}

TEST(Cascade, StaleOracleKeepsItsVenueAtTheOldPrice) {
  // b's liquidation (oracle −3%) moves BTC to 99,030; venue-c's oracle is stale from the start, so c
  // (liquidation price 99,500) is margined at 100,000 for 10 minutes and fails only when it ends.
  Toy toy;
  toy.in.events.events = {oracle("oracle-b", "venue-b", -3.0, 10.0), oracle("stale-c", "venue-c", 0.0, 10.0, OracleMode::Stale)};
  auto r = run_cascade(toy.in);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->failures.size(), 2u);
  EXPECT_EQ(r->failures[0].account_id, "b");
  EXPECT_EQ(r->failures[1].account_id, "c");
  EXPECT_EQ(r->failures[1].time_min, 10.0);
  EXPECT_EQ(r->failures[1].trigger, "oracle-b (end) + stale-c (end)");
  EXPECT_NEAR(r->path[1].venue_prices.at("venue-c").at("BTC"), 100000, 1e-9);
  EXPECT_NEAR(r->failures[1].excess_usd, -2232.5, 1e-6);
}

TEST(Cascade, BankruptcyDeficitCoveredOnceByTheInsuranceFund) {
  // b's oracle −8%: at 92,000 its equity is 60,000 − 80,000 < 0: bankrupt at once. The close-out sells
  // 10 BTC (920,000 USD, 46 bps average) at 91,576.80: cash 60,000 − 84,232 = −24,232, the deficit;
  // venue-b's fund of 10,000 covers 10,000, 14,232 is uncovered; the balance goes back to 0 (the venue
  // took the deficit) and b, with nothing left, leaves the cascade: the oracle's end changes nothing.
  Toy toy;
  toy.in.events.events = {oracle("oracle-b", "venue-b", -8.0, 10.0)};
  toy.in.events.insurance_funds["venue-b"] = 10000;
  auto r = run_cascade(toy.in);
  ASSERT_TRUE(r) << r.error().message;
  const auto& b = r->accounts[1];
  EXPECT_EQ(b.status, AccountStatus::Bankrupt);
  ASSERT_EQ(b.liquidations.size(), 1u);
  const auto& l = b.liquidations[0];
  EXPECT_TRUE(l.bankrupt);
  EXPECT_EQ(l.steps, 1u);
  EXPECT_NEAR(l.excess_before_usd, -20000 - 0.05 * 920000, 1e-6);
  EXPECT_NEAR(l.deficit_usd, 24232, 1e-6);
  EXPECT_NEAR(l.insurance_covered_usd, 10000, 1e-9);
  EXPECT_NEAR(l.uncovered_usd, 14232, 1e-6);
  EXPECT_NEAR(l.excess_after_usd, 0, 1e-9);
  EXPECT_NEAR(b.deficit_usd, 24232, 1e-6);
  EXPECT_NEAR(b.value_end_usd, 0, 1e-9);
  EXPECT_NEAR(b.loss_usd, 60000, 1e-9);
  EXPECT_NEAR(r->insurance_funds_end.at("venue-b"), 0, 1e-9);
  ASSERT_EQ(r->failures.size(), 2u);  // b, then c pulled in by the 92 bps the close-out moved BTC
  EXPECT_EQ(r->failures[0].status_after, AccountStatus::Bankrupt);
  EXPECT_EQ(r->failures[1].account_id, "c");
  EXPECT_NEAR(r->path[1].prices.at("BTC"), 100000 * (1 - 0.0092), 1e-8);
}

TEST(Cascade, AmmPoolKeepsItsReservesAcrossRounds) {
  // A constant-product pool of 1,000 BTC x 100,000,000 USD (no fee): a sale of n BTC moves the mid by
  // (x / (x + n))^2. Round 1: b's 970,000 USD = 9.7 BTC at the pool's mid: BTC 100,000 x (1000/1009.7)^2,
  // b filled at 97,000 x 1000/1009.7. Round 2: c's 5 BTC on the pool as round 1 left it (1,009.7 BTC):
  // BTC 100,000 x (1000/1014.7)^2.
  Toy toy;
  liquidation::AmmPool pool;
  pool.base_reserve = 1000;
  pool.quote_reserve = 1e8;
  pool.name = "toy";
  toy.in.liquidity = {};
  toy.in.liquidity.by_underlying.emplace("BTC", pool);
  auto r = run_cascade(toy.in);
  ASSERT_TRUE(r) << r.error().message;
  const double p1 = 1e5 * std::pow(1000 / 1009.7, 2), p2 = 1e5 * std::pow(1000 / 1014.7, 2);
  EXPECT_NEAR(r->path[1].prices.at("BTC"), p1, 1e-6);
  EXPECT_NEAR(r->path[2].prices.at("BTC"), p2, 1e-6);
  EXPECT_NEAR(r->path[2].sold_usd.at("BTC"), 5 * p1, 1e-6);
  const auto& b = r->accounts[1];
  EXPECT_NEAR(b.liquidations[0].slippage_usd, 10 * 97000 * (1 - 1000 / 1009.7), 1e-6);
  const auto& c = r->accounts[2];
  EXPECT_NEAR(c.liquidations[0].slippage_usd, 5 * p1 * (1 - 1009.7 / 1014.7), 1e-6);
  EXPECT_EQ(r->failures.size(), 3u);
}

TEST(Cascade, Errors) {
  Toy toy;
  auto in = toy.in;
  in.models.pop_back();
  auto r = run_cascade(in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "contagion: 4 models for 5 accounts");
  in = toy.in;
  in.accounts[2].errors.push_back("BTC-27MAR26-100000-C: no vol");
  r = run_cascade(in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "account 'c': cannot run the cascade: BTC-27MAR26-100000-C: no vol");
  in = toy.in;
  in.liquidity = {};
  in.liquidity.by_underlying.emplace("ETH", flat_depth().fallback.value());
  r = run_cascade(in);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("round 1: account 'b': no liquidity source"), std::string::npos) << r.error().message;
}
