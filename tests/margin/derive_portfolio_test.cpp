// Derive PMRM_2: published vol multipliers and tail dampening, a naked short call equal to a hand
// computation over the 33-row grid (written out here independently of the model), the basis
// contingency as worst scenario, collateral, contingencies, PM <= SRM on hedged books, what-if ==
// compute with the order, monotone in size, parameters (shipped file == defaults, located errors).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "derive_test_util.hpp"
#include "greekbook/margin/derive_portfolio.hpp"
#include "greekbook/margin/derive_standard.hpp"
#include "greekbook/pricing/black76.hpp"

using namespace greekbook;
using margin::DerivePmrmParams;
using margin::DerivePmrmVol;
using scenario::AccountState;
using scenario::PositionState;

namespace {
using derive_test::kSpot;

PositionState option(const std::string& name, double qty, double T, double vol = 0.6) {
  PositionState p;
  p.instrument = *instruments::parse_instrument(name, "derive");
  p.quantity = qty;
  p.spot = kSpot;
  p.forward = kSpot;
  p.vol = vol;
  p.expiry_years = T;
  scenario::reprice(p);
  return p;
}

PositionState perp(double qty, double entry = scenario::kNaN) { return derive_test::perp(qty, kSpot, entry); }

AccountState account(std::vector<PositionState> positions, double cash = 10000.0) {
  return derive_test::account(std::move(positions), cash, "pm1", "portfolio");
}

margin::MarginResult pmrm(const AccountState& a, const DerivePmrmParams& p = margin::derive_pmrm_defaults()) {
  auto r = margin::derive_pmrm_margin(a, p);
  EXPECT_TRUE(r.has_value()) << r.error().message;
  return *r;
}

Result<DerivePmrmParams> parse_params(const std::string& text) {
  auto j = io::parse_json(text, "test");
  if (!j) return tl::unexpected(j.error());
  return margin::read_derive_pmrm_params(&*j, io::JsonPath{"test", "derive-pmrm"});
}

double call(double F, double K, double T, double vol) {
  return pricing::black76_price({pricing::OptionType::Call, F, K, T, vol, 0.0});
}

// Appendix A.1 as published (spot shock, vol, dampening), copied independently of the model.
struct Row {
  double spot;
  char vol;  // U, N, D, L (linear skew), A (abs skew)
  double damp;
};
const Row kGrid[33] = {
    {1.18, 'U', 1},      {1.135, 'U', 1},    {1.135, 'N', 1},      {1.135, 'D', 1},     {1.09, 'U', 1},
    {1.09, 'N', 1},      {1.09, 'D', 1},     {1.045, 'U', 1},      {1.045, 'N', 1},     {1.045, 'D', 1},
    {1.0, 'U', 1},       {1.0, 'N', 1},      {1.0, 'D', 1},        {0.955, 'U', 1},     {0.955, 'N', 1},
    {0.955, 'D', 1},     {0.91, 'U', 1},     {0.91, 'N', 1},       {0.91, 'D', 1},      {0.865, 'U', 1},
    {0.865, 'N', 1},     {0.865, 'D', 1},    {0.82, 'U', 1},       {0.34, 'U', 0.21},   {0.67, 'U', 0.42},
    {1.5, 'U', 0.2772},  {2.0, 'U', 0.1386}, {3.0, 'U', 0.0693},   {4.0, 'U', 0.0462},  {5.0, 'U', 0.03465},
    {6.0, 'U', 0.02772}, {1.0, 'L', 1},      {1.0, 'A', 1}};

// Shocked vol by the venues-and-peers 2.2 formulas (defaults), written out by hand.
double hand_vol(double vol, char dir, double T, double k) {
  const double dte = T * 365.0;
  const double m = std::pow(30.0 / std::max(1.0, dte), dte <= 30 ? 0.3 : 0.13);
  if (dir == 'U') return std::max(0.4, vol * (1 + 0.5 * m));
  if (dir == 'D') return vol * std::max(0.0, 1 - 0.3 * m);
  if (dir == 'N') return vol;
  const double cap = -0.1 * std::sqrt(T) + 0.25;
  const double kstar = std::max(0.01, std::sqrt(T) * 4 * 0.6);
  const double x = dir == 'A' ? std::abs(k) : k;
  return vol * (1 + std::clamp(x * cap / kstar, -cap, cap));
}
}  // namespace

TEST(DerivePmrm, VolMultipliersPublished) {
  // venues-and-peers 8.6: 7 DTE up x1.774 / down x0.536; 90 DTE x1.433 / x0.740 (model's own shocks).
  const auto p = margin::derive_pmrm_defaults();
  const auto up = margin::derive_pmrm_vol_shock(p, DerivePmrmVol::Up);
  const auto down = margin::derive_pmrm_vol_shock(p, DerivePmrmVol::Down);
  EXPECT_NEAR(scenario::shock_vol(up, 1.0, 7, 0, 7 / 365.0), 1.774, 5e-4);
  EXPECT_NEAR(scenario::shock_vol(down, 1.0, 7, 0, 7 / 365.0), 0.536, 5e-4);
  EXPECT_NEAR(scenario::shock_vol(up, 1.0, 90, 0, 90 / 365.0), 1.433, 5e-4);
  EXPECT_NEAR(scenario::shock_vol(down, 1.0, 90, 0, 90 / 365.0), 0.740, 5e-4);
  EXPECT_DOUBLE_EQ(scenario::shock_vol(up, 0.1, 90, 0, 90 / 365.0), 0.4);  // minVolUpShock
  // The model's scenario set carries them: row 10 is spot 1.0 vol Up, row 12 spot 1.0 vol Down.
  const auto sc = margin::derive_pmrm_scenarios(p);
  ASSERT_EQ(sc.size(), 35u);  // 33 grid rows + basis up/down
  EXPECT_NEAR(scenario::shock_vol(sc[10].vol, 1.0, 7, 0, 7 / 365.0), 1.774, 5e-4);
  EXPECT_NEAR(scenario::shock_vol(sc[12].vol, 1.0, 90, 0, 90 / 365.0), 0.740, 5e-4);
  EXPECT_DOUBLE_EQ(sc[33].spot_factor, 1.045);
  EXPECT_DOUBLE_EQ(sc[34].spot_factor, 0.955);
  EXPECT_EQ(sc[33].vol.kind, scenario::VolShockKind::None);
}

TEST(DerivePmrm, GridAndTailDampeningMatchAppendixA1) {
  const auto g = margin::derive_pmrm_default_grid();
  ASSERT_EQ(g.size(), 33u);
  const char* dirs = "UNDLA";
  for (std::size_t i = 0; i < 33; ++i) {
    EXPECT_DOUBLE_EQ(g[i].spot_shock, kGrid[i].spot) << i;
    EXPECT_EQ(dirs[static_cast<int>(g[i].vol)], kGrid[i].vol) << i;
    EXPECT_DOUBLE_EQ(g[i].dampening, kGrid[i].damp) << i;
  }
  // Tail rows 23-30: dampening = 0.1386 / |spotShock - 1| (venues-and-peers 8.12).
  for (std::size_t i = 23; i <= 30; ++i)
    EXPECT_NEAR(g[i].dampening, 0.1386 / std::abs(g[i].spot_shock - 1), 1e-12) << i;
  EXPECT_EQ(margin::derive_pmrm_scenario_name(g[0]), "spot +18% vol up");
  EXPECT_EQ(margin::derive_pmrm_scenario_name(g[23]), "spot -66% vol up");
  EXPECT_EQ(margin::derive_pmrm_scenario_name(g[31]), "skew linear");
}

TEST(DerivePmrm, NakedShortCallEqualsHandComputation) {
  const double K = 2200, T = 14 / 365.0, vol = 0.6;
  const auto a = account({option("ETH-20260327-2200-C", -1, T, vol)});
  const double mtm = -call(kSpot, K, T, vol);
  const double k = std::log(K / kSpot);
  const double neg = std::min(1.0, 0.95 * std::exp(0.16 * T)), pos = 1.05 * std::exp(-0.16 * T);
  double min_span = std::min(0.0, std::min(-call(kSpot * 1.045, K, T, vol), -call(kSpot * 0.955, K, T, vol)) - mtm) *
                    (0.5 + 2 * T);
  std::size_t worst = 33;
  const double basis = min_span;
  for (std::size_t s = 0; s < 33; ++s) {
    double shocked = -call(kSpot * kGrid[s].spot, K, T, hand_vol(vol, kGrid[s].vol, T, k));
    shocked *= shocked >= 0 ? pos : neg;
    double pnl = (shocked - mtm) * kGrid[s].damp;
    if (kGrid[s].vol == 'L' || kGrid[s].vol == 'A') pnl = -std::abs(pnl);
    if (pnl < min_span) {
      min_span = pnl;
      worst = s;
    }
  }
  // Contingencies: one naked short at one strike x spot x 0.3% (MM) / 0.2% (IM).
  const double mm = -0.8 * min_span + kSpot * 0.003;
  const double im = -1.0 * min_span + kSpot * 0.003 + kSpot * 0.002;
  const auto r = pmrm(a);
  EXPECT_NEAR(r.maintenance_margin, mm, 1e-9 * mm);
  EXPECT_NEAR(r.initial_margin, im, 1e-9 * im);
  ASSERT_TRUE(r.worst);
  EXPECT_EQ(r.worst->index, worst);
  // The x6 tail row (dampening 0.02772) beats +18% vol up: 14-day OTM call, intrinsic 9,800 at x6.
  EXPECT_EQ(worst, 30u);
  EXPECT_LT(basis, 0.0);
  EXPECT_NEAR(r.worst->pnl, min_span, 1e-9 * std::abs(min_span));
  ASSERT_EQ(r.scenario_pnl.size(), 33u);
  EXPECT_NEAR(r.scenario_pnl[30], min_span, 1e-9 * std::abs(min_span));
  EXPECT_EQ(r.worst->name, "spot +500% vol up");
  EXPECT_DOUBLE_EQ(r.worst->weight, 0.02772);
  // Signed margins: equity - requirement; equity = cash + mtm.
  EXPECT_NEAR(r.equity, 10000 + mtm, 1e-9);
  EXPECT_NEAR(r.details["signed_im"].get<double>(), r.equity - im, 1e-6);
  EXPECT_NEAR(r.available, r.details["signed_im"].get<double>(), 1e-9);
  EXPECT_NEAR(r.excess(), r.details["signed_mm"].get<double>(), 1e-9);
  const auto& m = r.details["markets"]["ETH"];
  EXPECT_NEAR(m["mm_contingency"]["options"].get<double>(), 6.0, 1e-12);
  EXPECT_NEAR(m["im_contingency"]["options"].get<double>(), 4.0, 1e-12);
}

TEST(DerivePmrm, BasisContingencyIsWorstForHedgedSyntheticForward) {
  // Long call + short put at 2,000 (a synthetic long forward) hedged by a short perp: every grid
  // scenario nets to little, but the basis contingency prices the expiry alone:
  // min(0, MtM(x1.045) - MtM, MtM(x0.955) - MtM) x (0.5 + 2 tau).
  const double T = 60 / 365.0;
  const auto a = account({option("ETH-20260327-2000-C", 1, T), option("ETH-20260327-2000-P", -1, T), perp(-1)});
  const auto r = pmrm(a);
  ASSERT_TRUE(r.worst);
  EXPECT_EQ(r.worst->index, 33u);
  EXPECT_EQ(r.worst->name, "basis contingency");
  const auto fwd = [&](double F) { return call(F, 2000, T, 0.6) - pricing::black76_price({pricing::OptionType::Put, F, 2000, T, 0.6, 0}); };
  const double basis = std::min(0.0, std::min(fwd(kSpot * 1.045), fwd(kSpot * 0.955)) - fwd(kSpot)) * (0.5 + 2 * T);
  EXPECT_NEAR(basis, -90.0 * (0.5 + 2 * T), 1e-6);  // a forward moves one for one: 4.5% of 2,000
  EXPECT_NEAR(r.worst->pnl, basis, 1e-9);
  // MM: -0.8 x basis + perp 2,000 x 3%; the short put nets against the long call at the same strike,
  // so there is no naked-short contingency.
  EXPECT_NEAR(r.maintenance_margin, -0.8 * basis + 60, 1e-9);
  EXPECT_EQ(r.details["markets"]["ETH"]["expiries"][0]["naked_shorts"].get<double>(), 0.0);
}

TEST(DerivePmrm, CollateralRiskCancellingAndHaircuts) {
  // 1 ETH (2,000) in an ETH account: worst is spot -18% (-360; the tail rows lose 277.2 after
  // dampening). MM = 0.8 x 360 + 1% haircut; IM = 360 + 1% + 1.5%.
  AccountState a = account({}, 0.0);
  a.collateral["ETH"] = 1.0;
  const auto r = pmrm(a);
  EXPECT_NEAR(r.equity, 2000.0, 1e-9);
  EXPECT_NEAR(r.maintenance_margin, 288.0 + 20.0, 1e-9);
  EXPECT_NEAR(r.initial_margin, 360.0 + 20.0 + 30.0, 1e-9);
  ASSERT_TRUE(r.worst);
  EXPECT_EQ(r.worst->index, 22u);
  EXPECT_NEAR(r.scenario_pnl[23], -2000 * 0.66 * 0.21, 1e-9);
  // Unknown collateral is an error naming the account and the currency.
  a.collateral["FOO"] = 5.0;
  a.usd_rates["FOO"] = 1.0;
  auto bad = margin::derive_pmrm_margin(a, margin::derive_pmrm_defaults());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("pm1"), std::string::npos);
  EXPECT_NE(bad.error().message.find("FOO"), std::string::npos);
}

TEST(DerivePmrm, PerpContingenciesAndOracleConfidence) {
  // A long perp alone: worst -18% x 20,000 = -3,600 (10 ETH). MM = 0.8 x 3,600 + 3% x 20,000;
  // IM = 3,600 + 1% + 3% of 20,000; confidence 0.5 adds (1 - 0.5) x 1.0 x 20,000 to IM only.
  const auto a = account({perp(10, 1900)});
  auto r = pmrm(a);
  EXPECT_NEAR(r.maintenance_margin, 2880.0 + 600.0, 1e-9);
  EXPECT_NEAR(r.initial_margin, 3600.0 + 200.0 + 600.0, 1e-9);
  EXPECT_NEAR(r.equity, 10000.0 + 1000.0, 1e-9);  // unrealised PnL counts
  auto low = parse_params(R"({"oracle_confidence": {"ETH": 0.5}})");
  ASSERT_TRUE(low) << low.error().message;
  r = pmrm(a, *low);
  EXPECT_NEAR(r.initial_margin, 3600.0 + 200.0 + 600.0 + 10000.0, 1e-9);
  EXPECT_NEAR(r.maintenance_margin, 2880.0 + 600.0, 1e-9);
  EXPECT_NEAR(r.details["markets"]["ETH"]["im_contingency"]["confidence"].get<double>(), 10000.0, 1e-9);
  // Peg loss: USDC at 0.98 raises the IM factor by (0.99 - 0.98) x 4.
  auto peg = parse_params(R"({"stable_price": 0.98})");
  ASSERT_TRUE(peg);
  r = pmrm(a, *peg);
  EXPECT_NEAR(r.details["im_factor_applied"].get<double>(), 1.04, 1e-12);
  EXPECT_NEAR(r.initial_margin, 3600.0 * 1.04 + 800.0, 1e-9);
}

TEST(DerivePmrm, HedgedBooksBelowStandardMargin) {
  const double T = 30 / 365.0;
  const auto srm = margin::derive_srm_defaults();
  const std::vector<AccountState> books = {
      account({option("ETH-20260327-2200-C", -1, T), option("ETH-20260327-2400-C", 1, T)}),  // call spread
      account({option("ETH-20260327-2000-P", 1, T), perp(1)}),                                // protective put
      account({option("ETH-20260327-2000-C", -1, T), perp(1)}),                               // covered call
  };
  for (std::size_t i = 0; i < books.size(); ++i) {
    const auto pm = pmrm(books[i]);
    auto sm = margin::derive_srm_margin(books[i], srm);
    ASSERT_TRUE(sm) << sm.error().message;
    EXPECT_LT(pm.initial_margin, sm->initial_margin) << "book " << i;
    EXPECT_LT(pm.maintenance_margin, sm->maintenance_margin) << "book " << i;
    EXPECT_GT(pm.maintenance_margin, 0.0) << "book " << i;
  }
}

TEST(DerivePmrm, WhatIfEqualsComputeWithOrder) {
  const double T1 = 20 / 365.0, T2 = 90 / 365.0;
  const auto a = account({option("ETH-20260327-2200-C", -2, T1), option("ETH-20260626-1800-P", 1, T2), perp(0.5)});
  auto model = margin::make_derive_pmrm(nullptr, io::JsonPath{"defaults", "derive-pmrm"});
  ASSERT_TRUE(model);
  auto before = (*model)->compute(a);
  ASSERT_TRUE(before) << before.error().message;
  // Orders: more of a held option, a new expiry's option, and perp.
  const std::vector<PositionState> orders = {option("ETH-20260327-2200-C", -1, T1), option("ETH-20260130-2000-P", -3, 7 / 365.0),
                                             perp(-0.5)};
  auto wi = (*model)->what_if(a, *before, orders);
  ASSERT_TRUE(wi) << wi.error().message;
  AccountState b = a;
  b.positions.insert(b.positions.end(), orders.begin(), orders.end());
  auto full = (*model)->compute(b);
  ASSERT_TRUE(full);
  EXPECT_NEAR(wi->initial_margin, full->initial_margin, 1e-9 * full->initial_margin);
  EXPECT_NEAR(wi->maintenance_margin, full->maintenance_margin, 1e-9 * full->maintenance_margin);
  EXPECT_NEAR(wi->equity, full->equity, 1e-9);
  ASSERT_EQ(wi->scenario_pnl.size(), full->scenario_pnl.size());
  for (std::size_t s = 0; s < full->scenario_pnl.size(); ++s)
    EXPECT_NEAR(wi->scenario_pnl[s], full->scenario_pnl[s], 1e-9 * (1 + std::abs(full->scenario_pnl[s])));
  EXPECT_EQ(wi->worst->index, full->worst->index);
  EXPECT_GT(full->initial_margin, before->initial_margin);
  // A `before` from another account falls back to full computation.
  margin::MarginResult other = *before;
  other.account = "someone-else";
  auto fb = (*model)->what_if(a, other, orders);
  ASSERT_TRUE(fb);
  EXPECT_NEAR(fb->initial_margin, full->initial_margin, 1e-9 * full->initial_margin);
}

TEST(DerivePmrm, MonotoneInSize) {
  const double T = 30 / 365.0;
  double last_im = 0, last_mm = 0;
  for (const double q : {0.5, 1.0, 2.0, 5.0, 20.0}) {
    const auto r = pmrm(account({option("ETH-20260327-2100-C", -q, T), option("ETH-20260327-1900-P", -q, T)}));
    EXPECT_GT(r.initial_margin, last_im) << q;
    EXPECT_GT(r.maintenance_margin, last_mm) << q;
    EXPECT_GT(r.initial_margin, r.maintenance_margin) << q;
    last_im = r.initial_margin;
    last_mm = r.maintenance_margin;
  }
}

TEST(DerivePmrmParams, ShippedFileEqualsDefaults) {
  const std::string path = GREEKBOOK_SOURCE_DIR "/params/margin/derive-pmrm.json";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = io::parse_json(ss.str(), path);
  ASSERT_TRUE(j) << j.error().message;
  auto p = margin::read_derive_pmrm_params(&*j, io::JsonPath{path, ""});
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(*p == margin::derive_pmrm_defaults());
  auto model = margin::make_derive_pmrm(&*j, io::JsonPath{path, ""});
  ASSERT_TRUE(model);
  EXPECT_EQ((*model)->name(), "derive-pmrm");
}

TEST(DerivePmrmParams, BadValuesNamePathAndValue) {
  auto r = parse_params(R"({"vol_shock": {"vol_range_up": -0.5}})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("vol_shock.vol_range_up"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("-0.5"), std::string::npos);
  r = parse_params(R"({"margin": {"mm_factor": 1.2}})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("margin.mm_factor"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("1.2"), std::string::npos);
  r = parse_params(R"({"margin": {"imFactor": 1.2}})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("margin.imFactor"), std::string::npos) << r.error().message;
  r = parse_params(R"({"basis_contingency": {"scenario_spot_up": 1.0}})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("basis_contingency.scenario_spot_up"), std::string::npos) << r.error().message;
  r = parse_params(R"({"grid": {"rows": [{"spot_shock": 1.0, "vol": "linear"}, {"spot_shock": 1.0, "vol": "linear"}]}})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("grid.rows[1].vol"), std::string::npos) << r.error().message;
  r = parse_params(R"({"grid": {"rows": [{"spot_shock": 1.1, "vol": "abs"}]}})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("grid.rows[0].spot_shock"), std::string::npos) << r.error().message;
  r = parse_params(R"({"grid": {"rows": []}})");
  ASSERT_FALSE(r);
  r = parse_params(R"({"collaterals": {"ETH": {"mm_haircut": 1.5}}})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("collaterals.ETH.mm_haircut"), std::string::npos) << r.error().message;
  // A custom grid and a partial collateral override are accepted.
  auto ok = parse_params(R"({"grid": {"rows": [{"spot_shock": 0.8, "vol": "up"}, {"spot_shock": 1.2}]},
                             "collaterals": {"weth": {"im_haircut": 0.05}}})");
  ASSERT_TRUE(ok) << ok.error().message;
  ASSERT_EQ(ok->scenarios.size(), 2u);
  EXPECT_EQ(ok->scenarios[1].vol, DerivePmrmVol::None);
  EXPECT_DOUBLE_EQ(ok->collaterals.at("WETH").im_haircut, 0.05);
  EXPECT_DOUBLE_EQ(ok->collaterals.at("WETH").mm_haircut, 0.01);
}

TEST(DerivePmrm, StaticDiscountAppliedLiterally) {
  // Spot 1.0 vol None reprices nothing, so its PnL is the static discount alone:
  // long call: MtM x (1.05 exp(-0.16 tau) - 1) > 0; short call: MtM x (min(1, 0.95 exp(0.16 tau)) - 1) > 0.
  const double T = 45 / 365.0;
  const auto p = margin::derive_pmrm_defaults();
  const auto d = margin::derive_pmrm_static_discount(p, T);
  EXPECT_NEAR(d.pos, 1.05 * std::exp(-0.16 * T), 1e-15);
  EXPECT_NEAR(d.neg, std::min(1.0, 0.95 * std::exp(0.16 * T)), 1e-15);
  EXPECT_NEAR(margin::derive_pmrm_static_discount(p, 2.0).neg, 1.0, 1e-15);  // capped at 1/discount (rate 0)
  const double mtm = call(kSpot, 2100, T, 0.6);
  auto r = pmrm(account({option("ETH-20260327-2100-C", 1, T)}));
  EXPECT_NEAR(r.scenario_pnl[11], mtm * (d.pos - 1), 1e-9);
  r = pmrm(account({option("ETH-20260327-2100-C", -1, T)}));
  EXPECT_NEAR(r.scenario_pnl[11], -mtm * (d.neg - 1), 1e-9);
}

TEST(DerivePmrm, SkewScenariosTakeMinusAbsolutePnL) {
  // A delta-hedged risk reversal (long 2,400 C, short 1,650 P): the Linear rotation lifts the call's
  // vol and lowers the put's, a gain that PMRM_2 books as a loss (-|PnL|); Abs lifts both wings.
  const double T = 30 / 365.0, vol = 0.6;
  const auto c = option("ETH-20260327-2400-C", 1, T, vol), p = option("ETH-20260327-1650-P", -1, T, vol);
  const auto r = pmrm(account({c, p, perp(-(c.delta + p.delta * -1.0))}));
  const auto put = [&](double F, double K, double v) { return pricing::black76_price({pricing::OptionType::Put, F, K, T, v, 0}); };
  const double mtm = call(kSpot, 2400, T, vol) - put(kSpot, 1650, vol);
  const auto d = margin::derive_pmrm_static_discount(margin::derive_pmrm_defaults(), T);
  for (const std::size_t row : {31u, 32u}) {
    const char dir = kGrid[row].vol;
    double shocked = call(kSpot, 2400, T, hand_vol(vol, dir, T, std::log(2400 / kSpot))) -
                     put(kSpot, 1650, hand_vol(vol, dir, T, std::log(1650 / kSpot)));
    shocked *= shocked >= 0 ? d.pos : d.neg;
    EXPECT_NEAR(r.scenario_pnl[row], -std::abs(shocked - mtm), 1e-9) << row;
  }
  EXPECT_LT(r.scenario_pnl[31], r.scenario_pnl[32]);  // Linear hits a risk reversal harder than Abs
}
