// Deribit portfolio margin (deribit-pm): the grid (order, tenor-shaped vol shocks, extended weights),
// risk vectors equal hand repricing, IM = worst weighted loss + delta shock + roll shock, MM = 0.8 IM,
// netting, monotonicity, PM vs SM on hedged books, the pme/simulate-shaped details, bad parameters
// and the shipped parameter file. What-if and S:PM vs X:PM: deribit_pm_what_if_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "margin/deribit_pm_test_util.hpp"

using namespace deribit_pm_test;

TEST(DeribitPm, GridOrderWeightsAndVolShocks) {
  const margin::DeribitPmPairParams pp;
  const auto g = margin::deribit_pm_grid(pp, 4, 3);
  ASSERT_EQ(g.standard, 27u);
  ASSERT_EQ(g.extended, 8u);
  EXPECT_EQ(g.scenarios[0].name, "-16% vol up");
  EXPECT_EQ(g.scenarios[1].name, "-16% vol unchanged");
  EXPECT_EQ(g.scenarios[2].name, "-16% vol down");
  EXPECT_EQ(g.scenarios[12].name, "+0% vol up");
  EXPECT_EQ(g.scenarios[26].name, "+16% vol down");
  EXPECT_DOUBLE_EQ(g.scenarios[3].spot_factor, 0.88);
  EXPECT_DOUBLE_EQ(g.scenarios[24].spot_factor, 1.16);
  // Extended weights 0.16/|move| = Paradex's published 24%, 48%, 32%, 16%, 8%, 5.33%, 4%, 3.2%
  // (rounded: 0.16/0.33 = 48.5%).
  const double published[] = {0.24, 0.48, 0.32, 0.16, 0.08, 0.0533, 0.04, 0.032};
  for (int j = 0; j < 8; ++j) {
    EXPECT_NEAR(g.scenarios[27 + j].weight, published[j], 0.005) << j;
    EXPECT_EQ(g.scenarios[27 + j].vol.kind, scenario::VolShockKind::Multiplicative);
    EXPECT_GT(g.scenarios[27 + j].vol.size, 0.0);
  }
  EXPECT_DOUBLE_EQ(g.scenarios[27].spot_factor, 0.34);
  EXPECT_DOUBLE_EQ(g.scenarios[34].spot_factor, 6.0);
  // Vol up at 7 DTE: x (1 + 0.5 (30/7)^0.3); at 90 DTE (30/90)^0.13, floored at 0.5.
  const auto& up = g.scenarios[0].vol;
  EXPECT_NEAR(scenario::shock_vol(up, 0.6, 7, 0, 7 / 365.0), 0.6 * (1 + 0.5 * std::pow(30 / 7.0, 0.3)), 1e-15);
  EXPECT_NEAR(scenario::shock_vol(up, 0.2, 90, 0, 90 / 365.0), 0.5, 1e-15);
  EXPECT_NEAR(scenario::shock_vol(g.scenarios[2].vol, 0.6, 90, 0, 90 / 365.0),
              0.6 * (1 - 0.25 * std::pow(30 / 90.0, 0.13)), 1e-15);
  EXPECT_EQ(scenario::shock_vol(g.scenarios[1].vol, 0.6, 7, 0, 7 / 365.0), 0.6);
  // One vol scenario: 9 entries; 2 buckets: 5 price points.
  EXPECT_EQ(margin::deribit_pm_grid(pp, 4, 1).standard, 9u);
  EXPECT_EQ(margin::deribit_pm_grid(pp, 2, 3).standard, 15u);
}

TEST(DeribitPm, OptionRiskVectorEqualsHandRepricing) {
  const double T = 45 / 365.0, vol = 0.55, K = 110000;
  const PositionState c = option("BTC-27MAR26-110000-C", -3, T, vol);
  const auto r = pm(account("segregated", {c}, {{"BTC", 1}}));
  ASSERT_EQ(r.scenario_pnl.size(), 37u);
  const auto& v = r.details["initial_risk_vectors"]["BTC-27MAR26-110000-C"];
  ASSERT_EQ(v["standard"].size(), 27u);
  ASSERT_EQ(v["extended"].size(), 8u);
  ASSERT_EQ(v["roll"].size(), 2u);
  const double F = c.forward, m = std::pow(30 / 45.0, 0.13);
  const auto call = pricing::OptionType::Call;
  const double up = std::max(0.5, vol * (1 + 0.5 * m)), down = vol * (1 - 0.25 * m);
  const auto hand = [&](double f, double sigma, double roll = 0.0) {
    const double Fs = F * f * (1 + roll * T);
    return -3 * (black_coin(call, Fs, K, T, sigma) - c.mark);
  };
  EXPECT_NEAR(v["standard"][0].get<double>(), hand(0.84, up), 1e-13);
  EXPECT_NEAR(v["standard"][14].get<double>(), hand(1.0, down), 1e-13);
  EXPECT_NEAR(v["standard"][25].get<double>(), hand(1.16, vol), 1e-13);
  EXPECT_NEAR(v["standard"][13].get<double>(), 0.0, 1e-15);
  EXPECT_NEAR(v["extended"][4].get<double>(), hand(3.0, up), 1e-13);  // +200%
  EXPECT_NEAR(v["roll"][0].get<double>(), hand(1.0, vol, 0.075), 1e-13);
  EXPECT_NEAR(v["roll"][1].get<double>(), hand(1.0, vol, -0.075), 1e-13);
  // One position: the aggregated vector is the instrument's, and scenario_pnl is both.
  EXPECT_EQ(r.details["aggregated_risk_vectors"]["btc_usd"]["standard"], v["standard"]);
  EXPECT_EQ(r.scenario_pnl[27 + 4], v["extended"][4].get<double>());
  EXPECT_EQ((*r.scenario_names)[0], "btc_usd -16% vol up");
  EXPECT_EQ((*r.scenario_names)[36], "btc_usd roll -7.5%/y");

  // IM = worst weighted loss + delta shock + roll shock (hand), MM = 0.8 IM.
  double worst = 0.0;
  const auto grid = margin::deribit_pm_grid({}, 4, 3);
  for (std::size_t s = 0; s < 35; ++s) worst = std::min(worst, grid.scenarios[s].weight * r.scenario_pnl[s]);
  const double delta = 3 * (c.delta - c.mark);
  const double delta_shock = delta * std::min(0.1, 0.00005 * delta);
  const double roll = std::max(0.0, -std::min(r.scenario_pnl[35], r.scenario_pnl[36]));
  EXPECT_GT(roll, 0.0);
  EXPECT_NEAR(r.initial_margin, -worst + delta_shock + roll, 1e-15);
  EXPECT_DOUBLE_EQ(r.maintenance_margin, 0.8 * r.initial_margin);
  EXPECT_NEAR(r.details["margin"]["btc_usd"]["delta_shock"].get<double>(), delta_shock, 1e-18);
  EXPECT_NEAR(r.equity, 1 - 3 * c.mark, 1e-15);
  ASSERT_TRUE(r.worst);
  EXPECT_EQ(r.worst->pnl, r.scenario_pnl[r.worst->index]);
}

TEST(DeribitPm, PerpetualHasNoVegaAndExactInversePnl) {
  const PositionState perp = future("BTC-PERPETUAL", 100000, kSpot);  // 1 BTC long
  const auto r = pm(account("segregated", {perp}, {{"BTC", 1}}));
  const auto& st = r.details["aggregated_risk_vectors"]["btc_usd"]["standard"];
  for (int k = 0; k < 9; ++k) {
    EXPECT_EQ(st[3 * k].get<double>(), st[3 * k + 1].get<double>());
    EXPECT_EQ(st[3 * k + 1].get<double>(), st[3 * k + 2].get<double>());
    const double f = 1 + 0.16 * (k - 4) / 4;
    EXPECT_NEAR(st[3 * k].get<double>(), 100000 * (1 / kSpot - 1 / (kSpot * f)), 1e-15);
  }
  // Long 1-BTC inverse perp in coin: the -66% extended leg (weight 0.16/0.66) loses 0.4706 BTC, less
  // than the extended dampener (100,000 USD = 1 BTC here), so it counts 0 and -16% is the worst.
  const double std16 = 100000 * (1 / kSpot - 1 / (kSpot * 0.84));
  EXPECT_NEAR(r.details["margin"]["btc_usd"]["scenario_loss"].get<double>(), -std16, 1e-14);
  EXPECT_EQ(r.details["margin"]["btc_usd"]["roll_shock"].get<double>(), 0.0);  // perpetual: T = 0
  EXPECT_NEAR(r.initial_margin, -std16 + 1 * 0.00005, 1e-14);                  // delta shock 1 x 0.005%
  EXPECT_EQ(r.worst->name, "btc_usd -16% vol up");
  // 10 BTC: the extended loss 4.706 BTC exceeds the dampener by 3.706 BTC and sets the requirement.
  PositionState big = perp;
  big.quantity = 1e6;
  const auto r10 = pm(account("segregated", {big}, {{"BTC", 10}}));
  const double ext = 1e6 * (1 / kSpot - 1 / (kSpot * 0.34)) * 0.16 / 0.66 + 100000 / kSpot;
  EXPECT_NEAR(r10.details["margin"]["btc_usd"]["scenario_loss"].get<double>(), -ext, 1e-13);
  EXPECT_NEAR(r10.initial_margin, -ext + 10 * std::min(0.1, 0.00005 * 10), 1e-13);
  EXPECT_EQ(r10.worst->name, "btc_usd extended -66% vol up");
}

TEST(DeribitPm, PerpetualVectorMatchesDeribitsPublishedExample) {
  // private/pme/simulate example response (docs.deribit.com, private-simulate): BTC-PERPETUAL's
  // standard vector in BTC starts -0.05991206933333334 (-16%), -0.04289159509090909 (-12%),
  // -0.027351162086956524 (-8%), -0.013105765166666668 (-4%), 0, 0.012097629384615385 (+4%),
  // each repeated for the 3 vol scenarios. Those fix the position's notional/index ratio
  // (0.0599120693 x 0.84 / 0.16 BTC); the other five values must follow from the inverse PnL.
  const double notional_over_index = 0.05991206933333334 * 0.84 / 0.16;
  const PositionState perp = future("BTC-PERPETUAL", notional_over_index * kSpot, kSpot);
  const auto r = pm(account("segregated", {perp}, {{"BTC", 1}}));
  const auto& st = r.details["initial_risk_vectors"]["BTC-PERPETUAL"]["standard"];
  const double published[6] = {-0.05991206933333334, -0.04289159509090909, -0.027351162086956524,
                               -0.013105765166666668, 0.0, 0.012097629384615385};
  for (int k = 0; k < 6; ++k)
    for (int v = 0; v < 3; ++v) EXPECT_NEAR(st[3 * k + v].get<double>(), published[k], 1e-15) << k;
  // The published aggregated extended vector of that account is all zeros: the dampener takes the
  // small extended losses away (here the -66% weighted loss is 0.0889 BTC, the dampener 1 BTC).
  EXPECT_EQ(r.worst->name, "btc_usd -16% vol up");
}

TEST(DeribitPm, DeltaShockAndRollShockByHand) {
  // 1,000 BTC long dated future: delta shock 1000 x min(0.1, 0.05) = 50 BTC; roll shock on a
  // -7.5%/y tilt over half a year.
  const double T = 0.5, mark = 101000, q = 1000 * mark;
  const auto r = pm(account("segregated", {future("BTC-27MAR26", q, mark, T)}, {{"BTC", 100}}));
  const auto& m = r.details["margin"]["btc_usd"];
  EXPECT_NEAR(m["delta_total"].get<double>(), 1000, 1e-9);
  EXPECT_NEAR(m["delta_shock"].get<double>(), 50, 1e-9);
  const double roll_down = q * (1 / mark - 1 / (mark * (1 - 0.075 * T)));
  EXPECT_NEAR(m["roll_shock"].get<double>(), -roll_down, 1e-9);
  EXPECT_NEAR(r.initial_margin, m["scenario_loss"].get<double>() + 50 - roll_down, 1e-9);
  // max_delta_shock caps: 3,000 BTC -> 3000 x 0.1.
  EXPECT_NEAR(margin::deribit_pm_delta_shock({}, -3000), 300, 1e-12);
}

TEST(DeribitPm, NettingByInstrumentName) {
  auto split = btc_book();
  split.push_back(option("BTC-27MAR26-110000-C", -2, 45 / 365.0, 0.55));
  auto merged = btc_book();
  merged[0].quantity = -5;
  const auto a = pm(account("segregated", split, {{"BTC", 2}}));
  const auto b = pm(account("segregated", merged, {{"BTC", 2}}));
  EXPECT_NEAR(a.initial_margin, b.initial_margin, 1e-14);
  EXPECT_EQ(a.details["initial_risk_vectors"].size(), 4u);
  EXPECT_NEAR(a.details["initial_risk_vectors"]["BTC-27MAR26-110000-C"]["standard"][0].get<double>(),
              b.details["initial_risk_vectors"]["BTC-27MAR26-110000-C"]["standard"][0].get<double>(), 1e-15);
}

TEST(DeribitPm, MonotoneInShortOptionSize) {
  // Doubling a short option position never lowers IM (naked shorts, both modes), nor does scaling
  // a whole book up (the loss is homogeneous, the delta shock grows faster than the size).
  for (const char* mode : {"segregated", "cross"}) {
    for (const char* name : {"BTC-27MAR26-110000-C", "BTC-27MAR26-90000-P", "BTC-27MAR26-150000-C", "BTC-27MAR26-40000-P"}) {
      double last = 0.0;
      for (double q : {-1.0, -2.0, -4.0, -8.0, -16.0}) {
        const auto r = pm(account(mode, {option(name, q, 45 / 365.0, 0.6)}, {{"BTC", 10}}));
        EXPECT_GT(r.initial_margin, last) << mode << " " << name << " " << q;
        EXPECT_DOUBLE_EQ(r.maintenance_margin, 0.8 * r.initial_margin);
        last = r.initial_margin;
      }
    }
    double last = 0.0;
    for (double k : {1.0, 2.0, 4.0, 400.0}) {
      auto book = btc_book();
      for (auto& p : book) p.quantity *= k;
      const auto r = pm(account(mode, book, {{"BTC", 10}}));
      EXPECT_GE(r.initial_margin, 2 * last) << mode << " x" << k;
      last = r.initial_margin;
    }
  }
}

TEST(DeribitPm, BelowStandardMarginOnHedgedBooks) {
  // Covered call in coin: short 1 call against 1 BTC collateral (inverse call pays at most 1 BTC).
  const auto covered = account("segregated", {option("BTC-27MAR26-110000-C", -1, 45 / 365.0, 0.55)}, {{"BTC", 1}});
  EXPECT_LT(pm(covered).initial_margin, sm(covered).initial_margin);
  // Short call delta-hedged with a long perpetual (coin delta total ~ 0).
  PositionState c = option("BTC-27MAR26-100000-C", -10, 45 / 365.0, 0.55);
  const double hedge_coin = -c.delta_total();
  const auto hedged = account("segregated", {c, future("BTC-PERPETUAL", hedge_coin * kSpot, kSpot)}, {{"BTC", 5}});
  const auto p = pm(hedged), s = sm(hedged);
  EXPECT_NEAR(p.details["margin"]["btc_usd"]["delta_total"].get<double>(), 0.0, 1e-9);
  EXPECT_LT(p.initial_margin, s.initial_margin);
  // Long call + short perpetual delta hedge: SM charges only the perpetual (a long option's premium
  // is paid), PM also charges the vol-down loss of the calls, so here PM > SM (documented in
  // docs/margin/deribit.md). The PM loss is bounded by the premium plus the hedge's own requirement.
  PositionState l = option("BTC-27MAR26-100000-C", 10, 45 / 365.0, 0.55);
  const PositionState short_perp = future("BTC-PERPETUAL", -l.delta_total() * kSpot, kSpot);
  const auto long_hedged = account("segregated", {l, short_perp}, {{"BTC", 5}});
  const auto lp = pm(long_hedged);
  EXPECT_EQ(lp.worst->name, "btc_usd +0% vol down");
  EXPECT_GT(lp.initial_margin, sm(long_hedged).initial_margin);
  EXPECT_LT(lp.initial_margin, 10 * l.mark + pm(account("segregated", {short_perp}, {{"BTC", 5}})).initial_margin);
}

TEST(DeribitPm, ComputeSkipsOnlyThePerInstrumentVectors) {
  const auto a = account("segregated", btc_book(), {{"BTC", 2}});
  const auto fast = model().compute(a);
  ASSERT_TRUE(fast);
  const auto full = pm(a);
  EXPECT_FALSE(fast->details.contains("initial_risk_vectors"));
  EXPECT_TRUE(fast->details.contains("aggregated_risk_vectors"));
  EXPECT_EQ(fast->initial_margin, full.initial_margin);
  EXPECT_EQ(fast->maintenance_margin, full.maintenance_margin);
  EXPECT_EQ(fast->scenario_pnl, full.scenario_pnl);
  const auto pools = model().compute_pools(a);  // no JSON at all, same figures
  ASSERT_TRUE(pools);
  EXPECT_FALSE(pools->details.contains("aggregated_risk_vectors"));
  EXPECT_EQ(pools->initial_margin, full.initial_margin);
  EXPECT_EQ(pools->maintenance_margin, full.maintenance_margin);
  EXPECT_EQ(pools->equity, full.equity);
  EXPECT_EQ(pools->scenario_pnl, full.scenario_pnl);
}

TEST(DeribitPm, DetailsShapedLikePmeSimulate) {
  const auto r = pm(account("segregated", btc_book(), {{"BTC", 2}}));
  const auto& d = r.details;
  ASSERT_TRUE(d.contains("aggregated_risk_vectors"));
  EXPECT_EQ(d["aggregated_risk_vectors"]["btc_usd"]["standard"].size(), 27u);
  EXPECT_EQ(d["aggregated_risk_vectors"]["btc_usd"]["extended"].size(), 8u);
  EXPECT_EQ(d["initial_risk_vectors"].size(), 4u);
  EXPECT_TRUE(d["initial_risk_vectors"].contains("BTC-PERPETUAL"));
  EXPECT_EQ(d["parameters"]["currency_pair"]["btc_usd"]["price_range"].get<double>(), 0.16);
  EXPECT_EQ(d["parameters"]["currency"]["btc"]["annualised_move_risk"].get<double>(), 0.075);
  EXPECT_EQ(d["parameters"]["general"]["mm_factor"].get<double>(), 0.8);
  EXPECT_NEAR(d["margin"]["btc_usd"]["initial_margin"].get<double>(), r.initial_margin, 1e-15);
  // The sum of instrument vectors is the aggregated vector.
  for (std::size_t s = 0; s < 27; ++s) {
    double sum = 0.0;
    for (const auto& [name, v] : d["initial_risk_vectors"].items()) sum += v["standard"][s].get<double>();
    EXPECT_NEAR(sum, d["aggregated_risk_vectors"]["btc_usd"]["standard"][s].get<double>(), 1e-14);
  }
}

TEST(DeribitPm, BadParametersNamePathAndValue) {
  const auto error_of = [](const io::Json& params) {
    auto m = margin::make_deribit_pm(&params, {"p.json", "deribit-pm"});
    return m ? std::string() : m.error().message;
  };
  std::string e = error_of({{"currency_pair", {{"default", {{"price_range", -0.1}}}}}});
  EXPECT_NE(e.find("deribit-pm.currency_pair.default.price_range"), std::string::npos) << e;
  EXPECT_NE(e.find("-0.1"), std::string::npos) << e;
  e = error_of({{"currency_pair", {{"eth_usd", {{"price_range", 0}}}}}});
  EXPECT_NE(e.find("currency_pair.eth_usd.price_range"), std::string::npos) << e;
  e = error_of({{"general", {{"buckets_count", 0}}}});
  EXPECT_NE(e.find("deribit-pm.general.buckets_count"), std::string::npos) << e;
  EXPECT_NE(e.find(" 0 "), std::string::npos) << e;
  e = error_of({{"general", {{"vol_scenarios_count", 2}}}});
  EXPECT_NE(e.find("general.vol_scenarios_count"), std::string::npos) << e;
  e = error_of({{"currency", {{"btc", {{"haircut", -0.5}}}}}});
  EXPECT_NE(e.find("currency.btc.haircut"), std::string::npos) << e;
  e = error_of({{"general", {{"mm_factr", 0.8}}}});
  EXPECT_NE(e.find("general.mm_factr"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown"), std::string::npos) << e;
  e = error_of({{"price_range", 0.16}});
  EXPECT_NE(e.find("deribit-pm.price_range"), std::string::npos) << e;
  e = error_of({{"currency_pair", {{"btc_usd", {{"m_inc", "high"}}}}}});
  EXPECT_NE(e.find("currency_pair.btc_usd.m_inc"), std::string::npos) << e;
  EXPECT_EQ(error_of(io::Json::object()), "");
}

TEST(DeribitPm, PairOverridesStartFromDefaultAndChangeTheGrid) {
  const io::Json params = {{"currency_pair", {{"eth_usd", {{"price_range", 0.2}}}}}};
  auto m = margin::make_deribit_pm(&params, {"test", ""});
  ASSERT_TRUE(m);
  const auto& model = dynamic_cast<const margin::DeribitPortfolioMargin&>(**m);
  EXPECT_EQ(model.params().pair("eth_usd").volatility_range_up, 0.5);
  EXPECT_DOUBLE_EQ(model.grid("eth_usd").scenarios[0].spot_factor, 0.8);
  EXPECT_DOUBLE_EQ(model.grid("sol_usd").scenarios[0].spot_factor, 0.84);
  EXPECT_EQ(model.params().currency_for("USDC").annualised_move_risk, 0.1);
  EXPECT_EQ(model.params().currency_for("ETH").annualised_move_risk, 0.075);
}

TEST(DeribitPm, ShippedParametersEqualDefaults) {
  std::ifstream in(GREEKBOOK_SOURCE_DIR "/params/margin/deribit-pm.json");
  ASSERT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = io::parse_json(ss.str(), "deribit-pm.json");
  ASSERT_TRUE(doc) << doc.error().message;
  auto p = margin::read_deribit_pm_params(&*doc, {"deribit-pm.json", ""});
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(*p == margin::DeribitPmParams{});
  EXPECT_EQ(p->currency.at("usd").extended_dampener, 25000);
}
