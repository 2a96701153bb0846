// VaR book: USD exposures of every product, full revaluation against scalar Black-76, the
// delta-gamma-vega approximation's order of error, determinism across thread counts.
#include "greekbook/risk/var_book.hpp"

#include <cmath>
#include <numeric>

#include <gtest/gtest.h>
#include <oneapi/tbb/task_arena.h>

#include "greekbook/instruments/instrument.hpp"
#include "greekbook/pricing/black76.hpp"

namespace greekbook::risk {
namespace {
using pricing::OptionType;

double black(OptionType t, double F, double K, double T, double vol) {
  return pricing::black76({t, F, K, T, vol, 0.0}).price;
}

VarBook option_book() {
  VarBook b;
  b.add_option("a", "call", "BTC", 2.0, OptionType::Call, 100000, 110000, 0.25, 0.6, 2.0);
  b.add_option("a", "put", "BTC", -3.0, OptionType::Put, 100000, 90000, 0.1, 0.7, -3.0);
  b.add_option("a", "eth call", "ETH", 10.0, OptionType::Call, 3000, 3000, 0.5, 0.8, 10.0);
  b.add_linear("a", "perp", "BTC", 1.0, 100000.0, 0.0);
  b.finalise();
  return b;
}

TEST(VarBook, NoMoveNoTimeIsExactlyZero) {
  const VarBook b = option_book();
  ScenarioSet sc(2, 3);
  std::vector<double> pnl(3), approx(3);
  b.revalue(sc, 0.0, pnl);
  b.approximate(sc, 0.0, approx);
  for (int s = 0; s < 3; ++s) {
    EXPECT_EQ(pnl[s], 0.0);
    EXPECT_EQ(approx[s], 0.0);
  }
}

TEST(VarBook, FullRevaluationMatchesScalarBlack76) {
  const VarBook b = option_book();
  ASSERT_EQ(b.underlyings(), (std::vector<std::string>{"BTC", "ETH"}));
  ScenarioSet sc(2, 2);
  sc.spot_at(0, 0) = 0.9;
  sc.vol_at(0, 0) = 1.25;
  sc.spot_at(1, 0) = 1.05;
  sc.vol_at(1, 0) = 0.9;
  sc.spot_at(0, 1) = 1.2;
  std::vector<double> pnl(2);
  const double h = 10.0, dt = h / 365.0;
  b.revalue(sc, h, pnl);
  const auto want = [&](double fb, double gb, double fe, double ge) {
    return 2.0 * (black(OptionType::Call, 100000 * fb, 110000, 0.25 - dt, 0.6 * gb) - black(OptionType::Call, 100000, 110000, 0.25, 0.6)) -
           3.0 * (black(OptionType::Put, 100000 * fb, 90000, 0.1 - dt, 0.7 * gb) - black(OptionType::Put, 100000, 90000, 0.1, 0.7)) +
           10.0 * (black(OptionType::Call, 3000 * fe, 3000, 0.5 - dt, 0.8 * ge) - black(OptionType::Call, 3000, 3000, 0.5, 0.8)) +
           100000.0 * (fb - 1.0);
  };
  EXPECT_NEAR(pnl[0], want(0.9, 1.25, 1.05, 0.9), 1e-9 * 100000);
  EXPECT_NEAR(pnl[1], want(1.2, 1.0, 1.0, 1.0), 1e-9 * 100000);
  // Per-position sums add up to the total.
  std::vector<double> sums(b.positions().size());
  b.position_sums(sc, h, sums);
  EXPECT_NEAR(std::accumulate(sums.begin(), sums.end(), 0.0), pnl[0] + pnl[1], 1e-9 * 100000);
}

TEST(VarBook, OptionPastExpiryOverTheHorizonIsIntrinsic) {
  VarBook b;
  b.add_option("a", "c", "BTC", 1.0, OptionType::Call, 100, 90, 2.0 / 365.0, 0.5, 1.0);
  b.finalise();
  ScenarioSet sc(1, 1);
  sc.spot_at(0, 0) = 1.1;
  std::vector<double> pnl(1);
  b.revalue(sc, 10.0, pnl);
  EXPECT_NEAR(pnl[0], (110.0 - 90.0) - black(OptionType::Call, 100, 90, 2.0 / 365.0, 0.5), 1e-12);
}

// A book built from account states: inverse (coin) options, inverse and linear perpetuals, spot,
// coin collateral; stablecoins carry no risk.
TEST(VarBook, AccountStatesInUsd) {
  scenario::AccountState a;
  a.id = "acc";
  a.venue = "deribit";
  a.collateral = {{"BTC", 2.0}, {"USDC", 1000.0}};
  a.usd_rates = {{"BTC", 100000.0}};
  const auto pos = [](const char* name, const char* venue, double qty) {
    scenario::PositionState p;
    p.instrument = *instruments::parse_instrument(name, venue);
    p.quantity = qty;
    p.spot = 100000.0;
    return p;
  };
  auto opt = pos("BTC-27MAR26-100000-C", "deribit", 5.0);
  opt.forward = 101000.0;
  opt.vol = 0.55;
  opt.expiry_years = 0.2;
  opt.mark = black(OptionType::Call, 101000.0, 100000.0, 0.2, 0.55) / 101000.0;
  auto perp = pos("BTC-PERPETUAL", "deribit", 50000.0);
  perp.forward = perp.mark = 100100.0;
  perp.entry = 95000.0;
  auto lin = pos("BTCUSDT", "binance", -2.0);
  lin.forward = lin.mark = 100050.0;
  lin.entry = 99000.0;
  auto spot = pos("BTC/USDT", "binance", 0.5);
  spot.forward = spot.mark = 100000.0;
  a.positions = {opt, perp, lin, spot};
  const std::vector<scenario::AccountState> accounts = {a};
  auto b = VarBook::build(accounts);
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_EQ(b->positions().size(), 5u);  // 4 positions + BTC collateral (USDC skipped)
  EXPECT_EQ(b->positions()[4].instrument, "collateral BTC");
  EXPECT_NEAR(b->positions()[0].value_usd, 5.0 * opt.mark * 100000.0, 1e-6);
  EXPECT_NEAR(b->positions()[1].value_usd, 50000.0 * (1 / 95000.0 - 1 / 100100.0) * 100000.0, 1e-9);
  EXPECT_NEAR(b->positions()[2].value_usd, -2.0 * (100050.0 - 99000.0), 1e-9);
  EXPECT_DOUBLE_EQ(b->positions()[3].value_usd, 50000.0);
  EXPECT_DOUBLE_EQ(b->positions()[4].value_usd, 200000.0);
  ScenarioSet sc(1, 1);
  const double f = 0.8;
  sc.spot_at(0, 0) = f;
  std::vector<double> pnl(1), sums(5);
  b->revalue(sc, 0.0, pnl);
  b->position_sums(sc, 0.0, sums);
  // Inverse option: USD value = coin price x index, both moving.
  const double opt_usd = 5.0 * (black(OptionType::Call, 101000.0 * f, 100000.0, 0.2, 0.55) / (101000.0 * f) * 100000.0 * f -
                                opt.mark * 100000.0);
  EXPECT_NEAR(sums[0], opt_usd, 1e-6);
  // Inverse perpetual: (1/entry - 1/mark') coin x S' minus the same now = qty S (f - 1) / entry.
  EXPECT_NEAR(sums[1], 50000.0 * ((1 / 95000.0 - 1 / (100100.0 * f)) * 100000.0 * f - (1 / 95000.0 - 1 / 100100.0) * 100000.0), 1e-8);
  EXPECT_NEAR(sums[2], -2.0 * 100050.0 * (f - 1.0), 1e-9);
  EXPECT_NEAR(sums[3], 0.5 * 100000.0 * (f - 1.0), 1e-9);
  EXPECT_NEAR(sums[4], 2.0 * 100000.0 * (f - 1.0), 1e-9);
  EXPECT_NEAR(pnl[0], std::accumulate(sums.begin(), sums.end(), 0.0), 1e-8);
  // An account with a position the market could not value is an error naming it.
  a.errors.push_back("BTC-27MAR26-150000-C: no quote");
  const std::vector<scenario::AccountState> bad = {a};
  auto e = VarBook::build(bad);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("account acc: BTC-27MAR26-150000-C: no quote"), std::string::npos);
}

TEST(VarBook, ApproximationIsExactForLinearAndThirdOrderInSpot) {
  VarBook lin;
  lin.add_linear("a", "x", "BTC", 1.0, 5000.0, 0.0);
  lin.add_linear("a", "y", "ETH", 1.0, -300.0, 0.0);
  lin.finalise();
  ScenarioSet sc(2, 1);
  sc.spot_at(0, 0) = 0.93;
  sc.spot_at(1, 0) = 1.04;
  std::vector<double> full(1), approx(1);
  lin.revalue(sc, 1.0, full);
  lin.approximate(sc, 1.0, approx);
  EXPECT_NEAR(full[0], approx[0], 1e-10);

  VarBook b;
  b.add_option("a", "c", "BTC", 1.0, OptionType::Call, 100, 105, 0.5, 0.6, 1.0);
  b.finalise();
  const auto err = [&](double df, double dg) {
    ScenarioSet s(1, 1);
    s.spot_at(0, 0) = 1.0 + df;
    s.vol_at(0, 0) = 1.0 + dg;
    std::vector<double> p(1), q(1);
    b.revalue(s, 0.0, p);
    b.approximate(s, 0.0, q);
    return std::abs(p[0] - q[0]);
  };
  // Spot: the error is the third-order term, so halving the move divides it by about 8.
  EXPECT_NEAR(err(0.02, 0.0) / err(0.01, 0.0), 8.0, 0.5);
  // Vol: no volga or vanna term, the error is second order (ratio about 4).
  EXPECT_NEAR(err(0.0, 0.04) / err(0.0, 0.02), 4.0, 0.3);
  // Theta: one day of decay is close to the first-order term.
  ScenarioSet s(1, 1);
  std::vector<double> p(1), q(1);
  b.revalue(s, 1.0, p);
  b.approximate(s, 1.0, q);
  EXPECT_LT(p[0], 0.0);
  EXPECT_NEAR(q[0], p[0], 3e-3 * std::abs(p[0]));
}

TEST(VarBook, SameResultOnOneThreadAndOnAll) {
  VarBook b;
  for (int i = 0; i < 1300; ++i)
    b.add_option("a", "o", i % 3 ? "BTC" : "ETH", 1.0 + i % 7, i % 2 ? OptionType::Call : OptionType::Put,
                 i % 3 ? 100000.0 : 3000.0, (i % 3 ? 100000.0 : 3000.0) * (0.7 + 0.001 * i), 0.02 + 0.001 * i, 0.5, 1.0 + i % 7);
  b.finalise();
  ScenarioSet sc(2, 700);
  for (std::size_t s = 0; s < 700; ++s) {
    sc.spot_at(0, s) = 0.8 + 0.0005 * static_cast<double>(s);
    sc.spot_at(1, s) = 1.2 - 0.0005 * static_cast<double>(s);
    sc.vol_at(0, s) = 0.9 + 0.0003 * static_cast<double>(s);
  }
  std::vector<double> all(700), one(700);
  b.revalue(sc, 1.0, all);
  tbb::task_arena arena(1);
  arena.execute([&] { b.revalue(sc, 1.0, one); });
  for (std::size_t s = 0; s < 700; ++s) ASSERT_EQ(all[s], one[s]) << s;
}

}  // namespace
}  // namespace greekbook::risk
