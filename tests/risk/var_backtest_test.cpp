// VaR backtesting: Kupiec and Christoffersen statistics on constructed exception sequences against
// hand values, the rolling backtest against a direct computation, and a run on the real BTC data.
#include "greekbook/risk/var_backtest.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <gtest/gtest.h>

namespace greekbook::risk {
namespace {

TEST(VarBacktest, KupiecByHand) {
  // n = 250, x = 5 at 99%: LR = -2 ln[0.99^245 0.01^5] + 2 ln[0.98^245 0.02^5] = 1.9568 (Jorion's example).
  std::vector<std::uint8_t> e(250, 0);
  for (int i : {10, 50, 90, 130, 170}) e[i] = 1;
  const CoverageTests c = coverage_tests(e, 0.99);
  EXPECT_EQ(c.days, 250u);
  EXPECT_EQ(c.exceptions, 5u);
  EXPECT_DOUBLE_EQ(c.observed_rate, 0.02);
  EXPECT_NEAR(c.lr_pof, 1.956809788230622, 1e-12);
  EXPECT_NEAR(c.p_pof, 0.16185491719604272, 1e-12);  // erfc(sqrt(LR/2))
  // No exception in 100 days at 95%: LR = -2 x 100 ln 0.95.
  const std::vector<std::uint8_t> none(100, 0);
  const CoverageTests z = coverage_tests(none, 0.95);
  EXPECT_NEAR(z.lr_pof, 10.258658877510115, 1e-12);
  EXPECT_NEAR(z.p_pof, 0.0013604454302787966, 1e-12);
  EXPECT_EQ(z.lr_ind, 0.0);
  EXPECT_EQ(z.p_ind, 1.0);
  // Exactly the expected rate: LR = 0, p = 1.
  std::vector<std::uint8_t> exact(100, 0);
  for (int i = 0; i < 5; ++i) exact[i * 20] = 1;
  EXPECT_NEAR(coverage_tests(exact, 0.95).lr_pof, 0.0, 1e-12);
}

TEST(VarBacktest, ChristoffersenByHand) {
  // 20 days, exceptions on 3,4,10,11,12,17: n00 = 10, n01 = 3, n10 = 3, n11 = 3.
  std::vector<std::uint8_t> e(20, 0);
  for (int i : {3, 4, 10, 11, 12, 17}) e[i] = 1;
  const CoverageTests c = coverage_tests(e, 0.95);
  EXPECT_EQ(c.n00, 10u);
  EXPECT_EQ(c.n01, 3u);
  EXPECT_EQ(c.n10, 3u);
  EXPECT_EQ(c.n11, 3u);
  EXPECT_NEAR(c.pi0, 3.0 / 13.0, 1e-15);
  EXPECT_NEAR(c.pi1, 0.5, 1e-15);
  EXPECT_NEAR(c.lr_ind, 1.3358104147583951, 1e-12);
  EXPECT_NEAR(c.p_ind, 0.2477741635278944, 1e-12);
  EXPECT_NEAR(c.lr_pof, 12.950427443303568, 1e-12);
  EXPECT_NEAR(c.lr_cc, 14.286237858061963, 1e-12);
  EXPECT_NEAR(c.p_cc, 0.0007902834107673987, 1e-12);  // chi2(2): exp(-LR/2)
}

// Returns of one underlying from log returns r (days 0..n-1).
Returns returns_of(const std::vector<double>& r) {
  Returns x;
  x.underlyings = {"BTC"};
  for (std::size_t t = 0; t < r.size(); ++t) x.days.push_back(static_cast<std::int64_t>(19000 + t));
  x.price = {r};
  x.vol = {{}};
  x.last_price = {100.0};
  x.last_vol = {std::nan("")};
  return x;
}

TEST(VarBacktest, RollingHistoricalAgainstDirectComputation) {
  std::vector<double> r(160);
  for (std::size_t t = 0; t < r.size(); ++t)
    r[t] = 0.02 * std::sin(1.7 * static_cast<double>(t)) * (t > 120 ? 2.5 : 1.0);  // a storm at the end
  const Returns x = returns_of(r);
  VarBook book;
  book.add_linear("a", "BTC", "BTC", 1.0, 1000.0, 1000.0);
  book.finalise();
  VarOptions o;
  o.window = 100;
  o.levels = {0.95};
  auto bt = backtest_var(book, x, VarMethod::Historical, o, 0);
  ASSERT_TRUE(bt) << bt.error().message;
  ASSERT_EQ(bt->days.size(), 60u);
  std::size_t exceptions = 0;
  std::vector<std::uint8_t> seq;
  for (std::size_t t = 100; t < 160; ++t) {
    std::vector<double> w;
    for (std::size_t j = t - 100; j < t; ++j) w.push_back(1000.0 * std::expm1(r[j]));
    std::sort(w.begin(), w.end());
    const double var = -w[4];  // k = ceil(100 x 0.05) = 5
    EXPECT_NEAR(bt->var_usd[0][t - 100], var, 1e-9);
    const double pnl = 1000.0 * std::expm1(r[t]);
    EXPECT_NEAR(bt->pnl_usd[t - 100], pnl, 1e-9);
    seq.push_back(pnl < -var ? 1 : 0);
    exceptions += seq.back();
  }
  EXPECT_GT(exceptions, 3u);  // the storm breaks a calm window's VaR
  EXPECT_EQ(bt->tests[0].exceptions, exceptions);
  EXPECT_DOUBLE_EQ(bt->tests[0].lr_cc, coverage_tests(seq, 0.95).lr_cc);
  // Filtered and Monte Carlo run on the same data; too short a history is an error.
  EXPECT_TRUE(backtest_var(book, x, VarMethod::Filtered, o, 0));
  EXPECT_TRUE(backtest_var(book, x, VarMethod::MonteCarlo, o, 500));
  o.window = 150;
  auto e = backtest_var(book, x, VarMethod::Historical, o, 0);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("160 daily returns"), std::string::npos) << e.error().message;
}

// The shared BTC prices and DVOL: a long BTC position plus a short ATM call, 99% 1-day VaR.
TEST(VarBacktest, SharedBtcHistory) {
  const std::string dir = std::string(GREEKBOOK_SOURCE_DIR) + "/../shared/data/binance-btc-daily-dvol/";
  const std::string prices = dir + "btcusdt_spot_binance_daily_20220219_20251104.csv";
  const std::string dvol = dir + "deribit_dvol_btc_daily_close_20221106_20251112.csv";
  if (!std::filesystem::exists(prices) || !std::filesystem::exists(dvol)) GTEST_SKIP() << "no " << prices;
  auto h = load_binance_daily(prices, dvol, "BTC");
  ASSERT_TRUE(h) << h.error().message;
  VarBook book;
  book.add_linear("a", "BTC", "BTC", 1.0, 100000.0, 100000.0);
  book.add_option("a", "call", "BTC", -1.0, pricing::OptionType::Call, 100000, 100000, 30.0 / 365, 0.5, -1.0);
  book.finalise();
  auto r = daily_returns(*h, book.underlyings());
  ASSERT_TRUE(r);
  VarOptions o;
  o.window = 365;
  o.levels = {0.95, 0.99};
  for (VarMethod m : {VarMethod::Historical, VarMethod::Filtered}) {
    auto bt = backtest_var(book, *r, m, o, 0);
    ASSERT_TRUE(bt) << bt.error().message;
    EXPECT_GT(bt->days.size(), 700u);
    // A reasonable model on three years of BTC: 95% exceptions between 2% and 9% of days.
    EXPECT_GT(bt->tests[0].observed_rate, 0.02) << to_string(m);
    EXPECT_LT(bt->tests[0].observed_rate, 0.09) << to_string(m);
    EXPECT_LE(bt->tests[1].exceptions, bt->tests[0].exceptions);
  }
}

}  // namespace
}  // namespace greekbook::risk
