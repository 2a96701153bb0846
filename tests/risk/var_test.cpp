// VaR/ES by historical and filtered historical simulation: hand-computed quantiles on constructed
// histories, overlapping 10-day windows, EWMA by hand, ES >= VaR, component ES sums to ES.
#include "greekbook/risk/var.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>

#include <gtest/gtest.h>

#include "greekbook/risk/var_historical.hpp"

namespace greekbook::risk {
namespace {
using pricing::OptionType;

// A history of one or two underlyings from simple daily returns x (prices start at p0).
History make_history(const std::vector<std::vector<double>>& x, const std::vector<std::string>& names,
                     const std::vector<double>& p0, const std::vector<std::vector<double>>& vol_x = {}) {
  History h;
  h.source = "constructed";
  for (std::size_t u = 0; u < x.size(); ++u) {
    Series s;
    s.underlying = names[u];
    double p = p0[u], v = 0.5;
    for (std::size_t t = 0; t <= x[u].size(); ++t) {
      if (t > 0) p *= 1.0 + x[u][t - 1];
      s.days.push_back(20000 + static_cast<std::int64_t>(t));
      s.price.push_back(p);
      if (!vol_x.empty()) {
        if (t > 0) v *= 1.0 + vol_x[u][t - 1];
        s.atm_vol.push_back(v);
      }
      s.lines.push_back(t + 2);
    }
    h.series.push_back(std::move(s));
  }
  return h;
}

// x_t = 0.001 ((37 t) mod 250 - 125): a permutation of -0.125, -0.124, ..., 0.124.
std::vector<double> permuted_moves() {
  std::vector<double> x(250);
  for (int t = 0; t < 250; ++t) x[t] = 0.001 * static_cast<double>((37 * t) % 250 - 125);
  return x;
}

TEST(VarHistorical, HandComputedQuantiles) {
  const History h = make_history({permuted_moves()}, {"BTC"}, {100.0});
  VarBook book;
  book.add_linear("a", "BTC spot", "BTC", 1.0, 100000.0, 100000.0);
  book.finalise();
  auto r = daily_returns(h, book.underlyings());
  ASSERT_TRUE(r) << r.error().message;
  VarOptions o;
  o.window = 250;
  auto res = run_var(book, *r, VarMethod::Historical, o);
  ASSERT_TRUE(res) << res.error().message;
  ASSERT_EQ(res->scenarios, 250u);
  ASSERT_EQ(res->levels.size(), 3u);
  // 95%: k = ceil(250 x 0.05) = 13, the 13th worst move is -0.113; ES = mean of -0.125 .. -0.113 = -0.119.
  EXPECT_EQ(res->levels[0].tail_count, 13u);
  EXPECT_NEAR(res->levels[0].var_usd, 11300.0, 1e-6);
  EXPECT_NEAR(res->levels[0].es_usd, 11900.0, 1e-6);
  // 99%: k = ceil(2.5) = 3 -> -0.123, ES mean(-0.125, -0.124, -0.123).
  EXPECT_EQ(res->levels[1].tail_count, 3u);
  EXPECT_NEAR(res->levels[1].var_usd, 12300.0, 1e-6);
  EXPECT_NEAR(res->levels[1].es_usd, 12400.0, 1e-6);
  // 99.5%: k = ceil(1.25) = 2.
  EXPECT_NEAR(res->levels[2].var_usd, 12400.0, 1e-6);
  EXPECT_NEAR(res->levels[2].es_usd, 12450.0, 1e-6);
  // A linear book: the approximation is exact; standard errors only for Monte Carlo.
  EXPECT_NEAR(res->levels[1].var_approx_usd, 12300.0, 1e-6);
  EXPECT_LT(res->approx_max_abs_error_usd, 1e-6);
  EXPECT_TRUE(std::isnan(res->levels[1].var_se_usd));
  EXPECT_NEAR(res->levels[1].component_es_usd[0], 12400.0, 1e-6);
  // The window takes the most recent returns: the last 100 only.
  o.window = 100;
  auto last = run_var(book, *r, VarMethod::Historical, o);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->scenarios, 100u);
  const std::vector<double> x = permuted_moves();
  std::vector<double> tail(x.end() - 100, x.end());
  std::sort(tail.begin(), tail.end());
  EXPECT_NEAR(last->levels[1].var_usd, -100000.0 * tail[0], 1e-6);  // k = ceil(1.0) = 1
}

TEST(VarHistorical, TenDayOverlappingWindows) {
  const std::vector<double> x = permuted_moves();
  const History h = make_history({x}, {"BTC"}, {100.0});
  VarBook book;
  book.add_linear("a", "short BTC", "BTC", -1.0, -50000.0, -50000.0);
  book.finalise();
  auto r = daily_returns(h, book.underlyings());
  ASSERT_TRUE(r);
  VarOptions o;
  o.window = 250;
  o.horizon_days = 10;
  o.levels = {0.99};
  auto res = run_var(book, *r, VarMethod::Historical, o);
  ASSERT_TRUE(res) << res.error().message;
  ASSERT_EQ(res->scenarios, 241u);
  // Brute force: products of 10 consecutive gross returns, the short position loses when they rise.
  std::vector<double> pnl;
  for (std::size_t s = 0; s + 10 <= x.size(); ++s) {
    double g = 1.0;
    for (std::size_t t = s; t < s + 10; ++t) g *= 1.0 + x[t];
    pnl.push_back(-50000.0 * (g - 1.0));
  }
  std::sort(pnl.begin(), pnl.end());
  const std::size_t k = 3;  // ceil(241 x 0.01)
  EXPECT_NEAR(res->levels[0].var_usd, -pnl[k - 1], 1e-6);
  EXPECT_NEAR(res->levels[0].es_usd, -(pnl[0] + pnl[1] + pnl[2]) / 3.0, 1e-6);
}

TEST(VarFiltered, EwmaByHand) {
  const std::vector<double> r = {0.01, -0.02, 0.03};
  const auto s = ewma_sigma(r, 0.9, 2);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_NEAR(s[0], std::sqrt(0.00025), 1e-15);
  EXPECT_NEAR(s[1], std::sqrt(0.9 * 0.00025 + 0.1 * 0.0001), 1e-15);
  EXPECT_NEAR(s[2], std::sqrt(0.9 * 0.000235 + 0.1 * 0.0004), 1e-15);
  EXPECT_NEAR(s[3], std::sqrt(0.9 * 0.0002515 + 0.1 * 0.0009), 1e-15);
}

TEST(VarFiltered, RescalesToTodaysVolatility) {
  // 230 quiet days (log returns +-1%) then 20 stormy ones (+-3%): filtered VaR follows the storm, historical does not.
  std::vector<double> x;
  for (int t = 0; t < 250; ++t) x.push_back(std::expm1((t % 2 ? -1.0 : 1.0) * (t < 230 ? 0.01 : 0.03)));
  const History h = make_history({x}, {"BTC"}, {100.0});
  VarBook book;
  book.add_linear("a", "BTC", "BTC", 1.0, 100000.0, 100000.0);
  book.finalise();
  auto r = daily_returns(h, book.underlyings());
  ASSERT_TRUE(r);
  VarOptions o;
  o.window = 250;
  o.levels = {0.95};
  auto hs = run_var(book, *r, VarMethod::Historical, o);
  auto fhs = run_var(book, *r, VarMethod::Filtered, o);
  ASSERT_TRUE(hs && fhs);
  EXPECT_NEAR(hs->levels[0].var_usd, 100000.0 * -std::expm1(-0.01), 1e-6);  // k = 13 of the 115 quiet -1% days
  const double sigma = fhs->factor_sigma_daily[0];
  // Every quiet return is rescaled to -sigma (|r| / sigma_t = 1 once the EWMA has settled on 1%).
  EXPECT_GT(sigma, 0.024);
  EXPECT_NEAR(fhs->levels[0].var_usd, 100000.0 * (1.0 - std::exp(-sigma)), 1e-6 * 100000.0);
  EXPECT_GT(fhs->levels[0].var_usd, 2.0 * hs->levels[0].var_usd);
}

// An option book on two underlyings with vol histories, all methods.
struct OptionCase {
  VarBook book;
  Returns returns;
};

OptionCase option_case() {
  std::vector<std::vector<double>> x(2, std::vector<double>(400)), v(2, std::vector<double>(400));
  for (int t = 0; t < 400; ++t) {
    const double a = std::sin(0.7 * t) + 0.5 * std::sin(2.3 * t + 1.0), b = std::cos(1.3 * t) * std::sin(0.37 * t);
    x[0][t] = 0.03 * a;
    x[1][t] = 0.02 * a + 0.03 * b;
    v[0][t] = -0.04 * a + 0.02 * b;
    v[1][t] = -0.03 * b;
  }
  OptionCase c;
  c.book.add_option("a", "BTC call", "BTC", -20.0, OptionType::Call, 100000, 110000, 0.2, 0.55, -20.0);
  c.book.add_option("a", "BTC put", "BTC", 15.0, OptionType::Put, 100000, 85000, 0.4, 0.65, 15.0);
  c.book.add_linear("a", "BTC perp", "BTC", 5.0, 500000.0, 0.0);
  c.book.add_option("b", "ETH straddle call", "ETH", -100.0, OptionType::Call, 3000, 3000, 0.05, 0.7, -100.0);
  c.book.add_option("b", "ETH straddle put", "ETH", -100.0, OptionType::Put, 3000, 3000, 0.05, 0.7, -100.0);
  c.book.add_linear("b", "collateral ETH", "ETH", 50.0, 150000.0, 150000.0);
  c.book.finalise();
  const History h = make_history(x, {"BTC", "ETH"}, {100000.0, 3000.0}, v);
  c.returns = *daily_returns(h, c.book.underlyings());
  return c;
}

TEST(Var, EsAtLeastVarAndComponentsSumToEs) {
  const OptionCase c = option_case();
  for (VarMethod m : {VarMethod::Historical, VarMethod::Filtered, VarMethod::MonteCarlo})
    for (int h : {1, 10}) {
      VarOptions o;
      o.window = 300;
      o.horizon_days = h;
      o.paths = 4000;
      auto res = run_var(c.book, c.returns, m, o);
      ASSERT_TRUE(res) << to_string(m) << ": " << res.error().message;
      double prev_var = -1e300;
      for (const auto& l : res->levels) {
        EXPECT_GE(l.es_usd, l.var_usd) << to_string(m) << " " << h << "d " << l.level;
        EXPECT_GE(l.var_usd, prev_var);  // levels ascend
        prev_var = l.var_usd;
        const double sum = std::accumulate(l.component_es_usd.begin(), l.component_es_usd.end(), 0.0);
        EXPECT_NEAR(sum, l.es_usd, 1e-9 * std::max(1.0, std::abs(l.es_usd))) << to_string(m);
      }
      // Short options: the approximation misses convexity, its error is reported and not zero.
      EXPECT_GT(res->approx_rmse_usd, 0.0);
      EXPECT_GE(res->approx_max_abs_error_usd, res->approx_rmse_usd);
    }
}

TEST(Var, BadOptionsAndTooShortHistory) {
  const OptionCase c = option_case();
  VarOptions o;
  o.levels = {0.99, 1.0};
  auto e = run_var(c.book, c.returns, VarMethod::Historical, o);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("--levels: 1 is not a confidence level"), std::string::npos);
  o.levels = {0.99};
  o.window = 20;
  e = run_var(c.book, c.returns, VarMethod::Historical, o);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("--window 20"), std::string::npos);
  o.window = 365;
  const Returns short_history = c.returns.tail(25);
  e = run_var(c.book, short_history, VarMethod::Historical, o);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("gives 25 common daily returns"), std::string::npos) << e.error().message;
  EXPECT_FALSE(parse_var_method("mc"));
  EXPECT_EQ(*parse_var_method("filtered"), VarMethod::Filtered);
}

// The shared BTC prices and DVOL (skipped when ../shared is absent): a long BTC position with a short
// ATM call. The three methods see the same year of BTC and must roughly agree; the long position's
// 1-day 99% VaR sits between 4% and 9% of its value.
TEST(Var, SharedBtcDataMethodsAgree) {
  const std::string dir = std::string(GREEKBOOK_SOURCE_DIR) + "/../shared/data/binance-btc-daily-dvol/";
  const std::string prices = dir + "btcusdt_spot_binance_daily_20220219_20251104.csv";
  const std::string dvol = dir + "deribit_dvol_btc_daily_close_20221106_20251112.csv";
  if (!std::filesystem::exists(prices) || !std::filesystem::exists(dvol)) GTEST_SKIP() << "no " << prices;
  auto h = load_binance_daily(prices, dvol, "BTC");
  ASSERT_TRUE(h) << h.error().message;
  VarBook book;
  book.add_linear("a", "BTC", "BTC", 1.0, 100000.0, 100000.0);
  book.add_option("a", "call", "BTC", -1.0, OptionType::Call, 100000, 100000, 30.0 / 365, 0.45, -1.0);
  book.finalise();
  auto r = daily_returns(*h, book.underlyings());
  ASSERT_TRUE(r);
  VarOptions o;
  o.levels = {0.99};
  o.paths = 20000;
  std::vector<double> var;
  for (VarMethod m : {VarMethod::Historical, VarMethod::Filtered, VarMethod::MonteCarlo}) {
    auto res = run_var(book, *r, m, o);
    ASSERT_TRUE(res) << res.error().message;
    EXPECT_EQ(res->factor_names.size(), 2u);  // BTC and BTC vol
    var.push_back(res->levels[0].var_usd);
  }
  for (double v : var) {
    EXPECT_GT(v, 0.6 * var[0]);
    EXPECT_LT(v, 1.6 * var[0]);
  }
  VarBook spot;
  spot.add_linear("a", "BTC", "BTC", 1.0, 100000.0, 100000.0);
  spot.finalise();
  auto s = run_var(spot, *r, VarMethod::Historical, o);
  ASSERT_TRUE(s);
  EXPECT_GT(s->levels[0].var_usd, 4000.0);
  EXPECT_LT(s->levels[0].var_usd, 9000.0);
}

}  // namespace
}  // namespace greekbook::risk
