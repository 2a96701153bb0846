// Inverse (coin-settled, Deribit-style) options: the coin view of Black-76, its premium-adjusted
// delta checked by finite differences, and Deribit's own published marks and Greeks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "greekbook/pricing/inverse.hpp"

namespace {
using namespace greekbook::pricing;
constexpr OptionType Call = OptionType::Call;
constexpr OptionType Put = OptionType::Put;

TEST(Inverse, ToInverseMapsEveryField) {
  const Greeks usd{123.25, 0.4, 2.5e-4, 31.0, -12.0, -3.5, 0.07, 11.0};
  const double F = 9350.5;
  const InverseGreeks g = to_inverse(usd, F);
  EXPECT_EQ(g.price_usd, usd.price);
  EXPECT_EQ(g.price_coin, usd.price / F);
  EXPECT_EQ(g.delta, usd.delta);
  EXPECT_EQ(g.delta_total, usd.delta - usd.price / F);
  EXPECT_EQ(g.gamma, usd.gamma);
  EXPECT_EQ(g.vega_usd, usd.vega);
  EXPECT_EQ(g.vega_coin, usd.vega / F);
  EXPECT_EQ(g.theta_usd, usd.theta);
  EXPECT_EQ(g.theta_coin, usd.theta / F);
  EXPECT_EQ(g.rho_usd, usd.rho);
  EXPECT_EQ(g.vanna_usd, usd.vanna);
  EXPECT_EQ(g.volga_usd, usd.volga);
}

TEST(Inverse, BlackInverseIsToInverseOfBlack76) {
  for (const OptionType type : {Call, Put})
    for (const double K : {5000.0, 9000.0, 9350.0, 12000.0, 40000.0}) {
      const Black76Input in{type, 9350.0, K, 0.1, 0.8, 0.0};
      const InverseGreeks a = black76_inverse(in);
      const InverseGreeks b = to_inverse(black76(in), in.forward);
      EXPECT_EQ(a.price_coin, b.price_coin);
      EXPECT_EQ(a.delta_total, b.delta_total);
      EXPECT_EQ(a.vega_coin, b.vega_coin);
      EXPECT_EQ(a.theta_coin, b.theta_coin);
    }
}

// delta_total is the coin premium's sensitivity per 1 % move of the forward, as a coin amount:
// F d(P/F)/dF = delta - P/F. Checked with a 5-point central difference of price_coin(F), and the
// coin vega/theta as derivatives of price_coin in sigma and T.
TEST(Inverse, CoinGreeksAreDerivativesOfTheCoinPrice) {
  const auto fd = [](auto f, double x, double h) {
    return (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h);
  };
  int checked = 0;
  for (const OptionType type : {Call, Put})
    for (const double T : {2.0 / 365, 0.1, 0.75})
      for (const double K : {6000.0, 9000.0, 9500.0, 11000.0, 16000.0})
        for (const double r : {0.0, 0.02}) {
          const double F = 9400.0, vol = 0.75;
          const Black76Input in{type, F, K, T, vol, r};
          const InverseGreeks g = black76_inverse(in);
          const auto coin_F = [&](double f) { Black76Input m = in; m.forward = f; return black76_inverse(m).price_coin; };
          const auto coin_v = [&](double v) { Black76Input m = in; m.vol = v; return black76_inverse(m).price_coin; };
          const auto coin_T = [&](double t) { Black76Input m = in; m.expiry_years = t; return black76_inverse(m).price_coin; };
          const double s = vol * std::sqrt(T);
          EXPECT_NEAR(F * fd(coin_F, F, 1e-3 * F * s), g.delta_total, 1e-9) << "K=" << K << " T=" << T;
          // 1e-7 relative plus 1e-10 of the natural scale (coin vega ~ sqrt T, coin theta ~ vol / sqrt T).
          EXPECT_NEAR(fd(coin_v, vol, 1e-3 * vol), g.vega_coin, 1e-7 * std::fabs(g.vega_coin) + 1e-10 * std::sqrt(T));
          EXPECT_NEAR(-fd(coin_T, T, 1e-3 * T), g.theta_coin,
                      1e-7 * std::fabs(g.theta_coin) + 1e-10 * vol / std::sqrt(T));
          // Coin parity: C/F - P/F = DF (1 - K/F).
          Black76Input other = in;
          other.type = type == Call ? Put : Call;
          const double c = type == Call ? g.price_coin : black76_inverse(other).price_coin;
          const double p = type == Call ? black76_inverse(other).price_coin : g.price_coin;
          EXPECT_NEAR(c - p, std::exp(-r * T) * (1 - K / F), 8 * 2.22e-16 * (1 + K / F));
          ++checked;
        }
  EXPECT_EQ(checked, 2 * 3 * 5 * 2);
}

// Deribit reference points, BTC option chain of 2020-05-14 (schepal/deribit_data_collector,
// sample_data; every field of a row is from one ticker message). Inputs: underlying_price (the
// forward of the expiry), strike, mark_iv (percent), T = (expiration_timestamp_ms - timestamp_ms)
// / (365 * 86400 * 1000), r = 0. Deribit publishes mark_price in coin, delta = N(d1) to 5 decimals
// (no premium adjustment), gamma to 5 decimals, vega in USD per vol point, theta in USD per
// calendar day. mark_iv itself is rounded to 0.01 %, which with Deribit's own rounding leaves
// differences of up to 3e-5 (price, relative), 8e-6 (delta), 6e-5 (vega, theta, relative) on these rows.
struct DeribitRow {
  const char* instrument;
  OptionType type;
  std::int64_t timestamp_ms, expiration_ms;
  double underlying, strike, mark_iv_pct;
  double mark_price, delta, gamma, vega, theta;
};

constexpr DeribitRow kDeribit[] = {
    // 43 days, out-of-the-money call
    {"BTC-26JUN20-11000-C", Call, 1589435011931, 1593158400000, 9355.96, 11000.0, 82.02,
     0.0534402, 0.33233, 0.00014, 11.67508, -11.11045},
    // 134 days, out-of-the-money put
    {"BTC-25SEP20-9000-P", Put, 1589434898502, 1601020800000, 9435.57, 9000.0, 83.49,
     0.17289039, -0.36452, 8e-05, 21.48727, -6.68887},
    // 8 days, in-the-money call
    {"BTC-22MAY20-9000-C", Call, 1589434948858, 1590134400000, 9354.85, 9000.0, 85.77,
     0.07119254, 0.64304, 0.00031, 5.19695, -27.52994},
    // 26 hours to expiry, deep in-the-money call, 147 % vol
    {"BTC-15MAY20-8250-C", Call, 1589434920663, 1589529600000, 9344.77, 8250.0, 147.29,
     0.11915706, 0.94343, 0.00015, 0.58235, -39.13708},
};

TEST(InverseDeribit, MarksAndGreeksMatchDeribit) {
  for (const auto& row : kDeribit) {
    const double T = static_cast<double>(row.expiration_ms - row.timestamp_ms) / (365.0 * 86400.0 * 1000.0);
    const InverseGreeks g = black76_inverse({row.type, row.underlying, row.strike, T, row.mark_iv_pct / 100, 0.0});
    EXPECT_NEAR(g.price_coin, row.mark_price, 1e-4 * row.mark_price) << row.instrument;
    EXPECT_NEAR(g.delta, row.delta, 1e-5) << row.instrument;
    EXPECT_NEAR(g.gamma, row.gamma, 0.5e-5) << row.instrument;
    EXPECT_NEAR(g.vega_usd / 100, row.vega, 2e-4 * std::fabs(row.vega)) << row.instrument;
    EXPECT_NEAR(g.theta_usd / 365, row.theta, 2e-4 * std::fabs(row.theta)) << row.instrument;
    // Premium-adjusted delta is what a coin-margined book hedges with: always below Black's delta.
    EXPECT_LT(g.delta_total, g.delta);
  }
}

}  // namespace
