// Stress engine: venue events, isolated margin, de-pegs, the bookkeeping invariants on the example
// book, agreement with the risk cube, storage reuse and the renderings.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "greekbook/risk/stress.hpp"
#include "greekbook/risk/stress_apply.hpp"
#include "greekbook/risk/stress_report.hpp"
#include "greekbook/scenario/risk_cube.hpp"
#include "risk/stress_test_util.hpp"

namespace {
using namespace greekbook;
using namespace greekbook::stress_test;

TEST(Stress, VenueEventClosesPositionsAndLosesCollateral) {
  const auto acc = states(account_json("bn", "binance", R"({"USDT": 100000, "BTC": 1})",
                                       R"([{"instrument": "BTCUSDT", "quantity": -2.0, "average_price": 95000}])"));
  const auto& p = acc[0].positions[0];
  StressScenario sc = spot("halt", -0.05);
  risk::VenueEvent e;
  e.venue = "binance";
  e.close_positions = true;
  e.has_close_move = true;
  e.close_factor = 0.9;  // closed 10% down while the market is 5% down
  e.collateral_haircut = 0.5;
  sc.venue_events = {e};
  auto models = models_for(acc);
  AccountState shocked;
  const auto a = risk::stress_account(acc[0], models, sc, shocked);
  const double S = p.spot;
  const double realised = -2.0 * (p.mark * 0.9 - 95000.0);          // USDT credited by the close
  const double btc_after = 1.0 * 0.5, usdt_after = (100000.0 + realised) * 0.5;
  EXPECT_TRUE(a.positions_closed);
  EXPECT_TRUE(shocked.positions.empty());
  EXPECT_NEAR(a.positions[0].pnl_usd, -2.0 * p.mark * -0.1, 1e-9);  // at the close move, not the market's
  EXPECT_NEAR(a.collateral_pnl_usd, S * -0.05, 1e-9);               // the BTC balance at the market's move
  EXPECT_NEAR(a.venue_loss_usd, -(0.5 * S * 0.95 + (100000.0 + realised) * 0.5), 1e-8);
  EXPECT_NEAR(shocked.collateral.at("BTC"), btc_after, 1e-15);
  EXPECT_NEAR(shocked.collateral.at("USDT"), usdt_after, 1e-9);
  EXPECT_NEAR(a.value_usd_after, btc_after * S * 0.95 + usdt_after, 1e-8);
  EXPECT_NEAR(a.pnl_usd, a.value_usd_after - a.value_usd_before, 1e-8);
  ASSERT_TRUE(a.margin);
  EXPECT_EQ(a.margin->maintenance_margin, 0.0);
  // Only the BTC balance is left to carry delta.
  ASSERT_EQ(a.greeks.size(), 1u);
  EXPECT_DOUBLE_EQ(a.greeks[0].second.delta, btc_after);
}

TEST(Stress, IsolatedMarginIsPartOfTheValueAndReleasedOnAClose) {
  const auto acc = states(account_json("hl", "hyperliquid", R"({"USDC": 10000})",
                                       R"([{"instrument": "BTC", "quantity": 1.0, "average_price": 95000,
                                            "isolated_margin": 5000}])"));
  const double M = acc[0].positions[0].mark;
  const double before = 10000.0 + (M - 95000.0) + 5000.0;
  const auto kept = run(acc, {spot("down", -0.1)}).scenarios[0].accounts[0];
  EXPECT_NEAR(kept.value_usd_before, before, 1e-9);
  EXPECT_NEAR(kept.pnl_usd, -0.1 * M, 1e-9);
  EXPECT_NEAR(kept.value_usd_after, before - 0.1 * M, 1e-9);
  // The venue fails: the position is closed (its PnL and isolated margin go to the balance), all of it lost.
  StressScenario sc = spot("hl fails", -0.1);
  risk::VenueEvent e;
  e.venue = "hyperliquid";
  e.close_positions = true;
  e.collateral_haircut = 1.0;
  sc.venue_events = {e};
  AccountState shocked;
  const auto lost = risk::stress_account(acc[0], models_for(acc), sc, shocked);
  EXPECT_NEAR(lost.venue_loss_usd, -(10000.0 + (0.9 * M - 95000.0) + 5000.0), 1e-9);
  EXPECT_NEAR(lost.value_usd_after, 0.0, 1e-9);
  EXPECT_NEAR(lost.pnl_usd, -before, 1e-9);
  EXPECT_NEAR(shocked.collateral.at("USDC"), 0.0, 1e-9);
}

TEST(Stress, StablecoinDepegRevaluesOnlyThatCurrency) {
  const auto acc = states(account_json("dp", "dydx", R"({"USDC": 50000})",
                                       R"([{"instrument": "BTC-USD", "quantity": 0.1, "average_price": 96000}])"));
  StressScenario sc = spot("depeg", 0.0);
  sc.shock.spot_factor_by_underlying = {{"USDC", 0.9}};
  const auto a = run(acc, {sc}).scenarios[0].accounts[0];
  EXPECT_NEAR(a.collateral_pnl_usd, -5000.0, 1e-9);
  // The position's USDC PnL is worth 10% less too: q (M - entry) x (0.9 - 1).
  const auto& p = acc[0].positions[0];
  EXPECT_NEAR(a.positions_pnl_usd, 0.1 * (p.mark - 96000.0) * -0.1, 1e-9);
  // A uniform spot move does not move stablecoins.
  const auto b = run(acc, {spot("all down", -0.3)}).scenarios[0].accounts[0];
  EXPECT_EQ(b.collateral_pnl_usd, 0.0);
}

TEST(Stress, ExampleBookBookkeepingAndAgreementWithTheRiskCube) {
  auto b = book::load_book(std::string(GREEKBOOK_SOURCE_DIR) + "/examples/book.json", example_market().valuation_ms);
  ASSERT_TRUE(b) << b.error().message;
  const auto acc = scenario::build_account_states(*b, example_market());
  const auto lib = library();
  const auto rep = run(acc, lib);
  ASSERT_EQ(rep.scenarios.size(), lib.size());
  for (std::size_t s = 0; s < lib.size(); ++s) {
    const auto& sc = rep.scenarios[s];
    double total = 0.0, by_venue = 0.0, by_und = 0.0;
    for (const auto& a : sc.accounts) {
      // PnL = the sum of its parts = the change of the account's value.
      EXPECT_NEAR(a.pnl_usd, a.positions_pnl_usd + a.funding_usd + a.collateral_pnl_usd + a.venue_loss_usd, 1e-6);
      EXPECT_NEAR(a.pnl_usd, a.value_usd_after - a.value_usd_before, 1e-6 * std::max(1.0, a.value_usd_before))
          << sc.name << " " << a.account;
      EXPECT_TRUE(a.margin) << a.margin_error;
      total += a.pnl_usd;
    }
    for (const auto& [_, x] : sc.pnl_by_venue) by_venue += x;
    for (const auto& [_, x] : sc.pnl_by_underlying) by_und += x;
    EXPECT_NEAR(sc.pnl_usd, total, 1e-6);
    EXPECT_NEAR(by_venue, total, 1e-6);
    EXPECT_NEAR(by_und, total, 1e-6);
  }
  // Marks after a scenario agree with the risk cube's revaluation (separate code) in settlement currency.
  for (const auto& a : acc) {
    std::vector<scenario::Scenario> shocks;
    for (const auto& s : lib) shocks.push_back(s.shock);
    const auto cube = scenario::RiskCube::build(a.positions, shocks);
    for (std::size_t s = 0; s < lib.size(); ++s) {
      const AccountState shocked = risk::apply_scenario(a, lib[s].shock);
      for (std::size_t i = 0; i < a.positions.size(); ++i) {
        const auto& p0 = a.positions[i];
        const auto& p1 = shocked.positions[i];
        if (p0.instrument.kind == instruments::Kind::Spot) continue;  // the cube's spot PnL is in USD per coin too
        const double mine = p0.is_option() ? p1.mark - p0.mark
                            : p0.instrument.inverse ? 1.0 / p0.mark - 1.0 / p1.mark
                                                    : p1.mark - p0.mark;
        EXPECT_NEAR(mine, cube.unit_vector(i)[s], 1e-9 * std::max(1.0, std::abs(p0.mark)))
            << a.id << " " << p0.instrument.name << " " << lib[s].name();
      }
    }
  }
}

TEST(Stress, ApplyScenarioReusesStorageAndMatchesAFreshState) {
  auto b = book::load_book(std::string(GREEKBOOK_SOURCE_DIR) + "/examples/book.json", example_market().valuation_ms);
  ASSERT_TRUE(b);
  const auto acc = scenario::build_account_states(*b, example_market());
  const auto lib = library();
  AccountState out;
  for (const auto& s : lib) {
    risk::apply_scenario(acc[0], s.shock, out);  // reused after the first scenario
    const AccountState fresh = risk::apply_scenario(acc[0], s.shock);
    ASSERT_EQ(out.positions.size(), fresh.positions.size());
    for (std::size_t i = 0; i < out.positions.size(); ++i) {
      EXPECT_EQ(out.positions[i].mark, fresh.positions[i].mark);
      EXPECT_EQ(out.positions[i].vol, fresh.positions[i].vol);
    }
    EXPECT_EQ(out.usd_rates, fresh.usd_rates);
    EXPECT_EQ(out.valuation_ms, acc[0].valuation_ms + static_cast<std::int64_t>(s.horizon_days() * 86400000.0));
  }
}

TEST(Stress, ReportsCarryNamesNullsAndFlags) {
  const auto acc = states(account_json("dydx", "dydx", R"({"USDC": 20000})",
                                       R"([{"instrument": "BTC-USD", "quantity": 2.0, "average_price": 96538.6}])"));
  auto rep = run(acc, {spot("-20%", -0.20)});
  rep.scenarios_source = "unit test";
  const auto doc = nlohmann::json::parse(risk::render_stress_json(rep));
  EXPECT_EQ(doc["scenarios_source"], "unit test");
  EXPECT_EQ(doc["valuation_time"], "2026-01-15T08:00:00.000Z");
  EXPECT_EQ(doc["margin_before"][0]["account"], "dydx");
  EXPECT_EQ(doc["margin_before"][0]["model"], "dydx");
  const auto& s = doc["scenarios"][0];
  EXPECT_EQ(s["name"], "-20%");
  EXPECT_EQ(s["below_maintenance"], nlohmann::json::array({"dydx"}));
  EXPECT_NEAR(s["spot_moves"]["BTC"].get<double>(), -0.2, 1e-15);
  const auto& pos = s["accounts"][0]["positions"][0];
  EXPECT_EQ(pos["instrument"], "BTC-USD");
  EXPECT_TRUE(pos["vol_after"].is_null());  // not an option: null, never 0
  EXPECT_NEAR(pos["pnl_usd"].get<double>(), 2.0 * 96538.6 * -0.2, 1e-6);
  EXPECT_TRUE(s["accounts"][0]["margin_after"]["below_maintenance"].get<bool>());
  const std::string table = risk::render_stress_table(rep);
  EXPECT_NE(table.find("BELOW MAINTENANCE"), std::string::npos);
  EXPECT_NE(table.find("BTC-USD"), std::string::npos);
  EXPECT_NE(table.find("1 scenario from unit test"), std::string::npos);
}

}  // namespace
