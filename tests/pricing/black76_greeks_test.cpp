// Black-76 internal consistency and edge cases: put-call parity, every Greek against finite
// differences of the price, accuracy against an independent long-double evaluation, the
// documented expiry / zero-vol behaviour, and finiteness over a wide random grid of valid inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>

#include "greekbook/pricing/black76.hpp"
#include "pricing/ld_black76.hpp"

namespace {
using greekbook::pricing::black76;
using greekbook::pricing::black76_price;
using greekbook::pricing::Black76Input;
using greekbook::pricing::Greeks;
using greekbook::pricing::OptionType;
using greekbook::pricing::validate;
constexpr OptionType Call = OptionType::Call;
constexpr OptionType Put = OptionType::Put;
constexpr double kEps = 2.220446049250313e-16;

TEST(Black76Parity, CallMinusPutIsDiscountedForward) {
  // C - P = DF (F - K). Each price carries a few ulp of DF*F and DF*K (ITM prices are built from
  // N(d) close to 1), so the bound is absolute in those units: 8 eps DF (F + K).
  int checked = 0;
  const double F = 100.0;
  for (const double T : {1.0 / 525600, 1.0 / 8760, 1.0 / 365, 0.1, 1.0, 10.0})
    for (const double vol : {0.01, 0.2, 1.0, 3.0})
      for (const double r : {0.0, 0.03, -0.01})
        for (const double x : {-6.0, -4.6, -2.0, -0.5, -0.05, -1e-4, 0.0, 1e-4, 0.05, 0.5, 2.0, 4.6, 6.0}) {
          const double K = F * std::exp(-x);
          const Greeks c = black76({Call, F, K, T, vol, r});
          const Greeks p = black76({Put, F, K, T, vol, r});
          const double df = std::exp(-r * T);
          EXPECT_NEAR(c.price - p.price, df * (F - K), 8 * kEps * df * (F + K))
              << "T=" << T << " vol=" << vol << " r=" << r << " K=" << K;
          // The same identity differentiated: delta_C - delta_P = DF, gamma/vega equal.
          EXPECT_NEAR(c.delta - p.delta, df, 4 * kEps);
          EXPECT_EQ(c.gamma, p.gamma);
          EXPECT_EQ(c.vega, p.vega);
          ++checked;
        }
  EXPECT_EQ(checked, 6 * 4 * 3 * 13);
}

// ---------------------------------------------------------------------------------------------
// Finite differences: 5-point central stencils (error O(h^4)) on black76(). Steps are scaled to
// the natural width of the price function (F s in F, sigma in sigma, T in T), so truncation is
// ~1e-12 relative and rounding ~1e-13/s; the tolerance is 1e-7 relative plus 1e-10 of each
// Greek's natural scale, orders of magnitude below any formula error.
double fd1(const std::function<double(double)>& f, double x, double h) {
  return (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h);
}
double fd2(const std::function<double(double)>& f, double x, double h) {
  return (-f(x - 2 * h) + 16 * f(x - h) - 30 * f(x) + 16 * f(x + h) - f(x + 2 * h)) / (12 * h * h);
}

TEST(Black76FiniteDifferences, EveryGreek) {
  int checked = 0;
  const double F = 100.0;
  for (const OptionType type : {Call, Put})
    for (const double T : {1.0 / 365, 0.25, 2.0})
      for (const double vol : {0.15, 0.8})
        for (const double r : {0.0, 0.05})
          for (const double k : {-2.5, -1.0, -0.3, 0.0, 0.7, 2.0}) {
            const double s = vol * std::sqrt(T);
            const double K = F * std::exp(k * s);
            const Black76Input in{type, F, K, T, vol, r};
            const Greeks g = black76(in);
            const double df = std::exp(-r * T);
            auto with = [&](auto field, double value) {
              Black76Input m = in;
              m.*field = value;
              return black76(m);
            };
            using I = Black76Input;
            const double hF = 1e-3 * F * s, hv = 1e-3 * vol, hT = 1e-3 * T, hr = 1e-3;
            const auto price_F = [&](double v) { return with(&I::forward, v).price; };
            const auto delta_F = [&](double v) { return with(&I::forward, v).delta; };
            const auto vega_F = [&](double v) { return with(&I::forward, v).vega; };
            const auto price_v = [&](double v) { return with(&I::vol, v).price; };
            const auto delta_v = [&](double v) { return with(&I::vol, v).delta; };
            const auto vega_v = [&](double v) { return with(&I::vol, v).vega; };
            const auto price_T = [&](double v) { return with(&I::expiry_years, v).price; };
            const auto price_r = [&](double v) { return with(&I::rate, v).price; };

            const auto tol = [](double analytic, double scale) { return 1e-7 * std::fabs(analytic) + 1e-10 * scale; };
            const double gamma_scale = df / (F * s), vega_scale = df * F * std::sqrt(T);
            const std::string where = std::string(type == Call ? "call" : "put") +
                                      " T=" + std::to_string(T) + " vol=" + std::to_string(vol) +
                                      " r=" + std::to_string(r) + " K=" + std::to_string(K);
            EXPECT_NEAR(fd1(price_F, F, hF), g.delta, tol(g.delta, df)) << where;
            EXPECT_NEAR(fd1(delta_F, F, hF), g.gamma, tol(g.gamma, gamma_scale)) << where;
            EXPECT_NEAR(fd2(price_F, F, 10 * hF), g.gamma, 1e-6 * g.gamma + 1e-9 * gamma_scale) << where;
            EXPECT_NEAR(fd1(price_v, vol, hv), g.vega, tol(g.vega, vega_scale)) << where;
            // theta: calendar time passing at fixed F, sigma, r is -dP/dT.
            EXPECT_NEAR(-fd1(price_T, T, hT), g.theta, tol(g.theta, df * F * vol / std::sqrt(T) + r * F)) << where;
            EXPECT_NEAR(fd1(price_r, r, hr), g.rho, tol(g.rho, T * F)) << where;
            EXPECT_NEAR(g.rho, -T * g.price, 1e-15 * T * g.price);  // documented closed form
            // vanna = d(delta)/d(sigma) = d(vega)/dF
            EXPECT_NEAR(fd1(delta_v, vol, hv), g.vanna, tol(g.vanna, df / vol)) << where;
            EXPECT_NEAR(fd1(vega_F, F, hF), g.vanna, tol(g.vanna, df / vol)) << where;
            // volga = d(vega)/d(sigma)
            EXPECT_NEAR(fd1(vega_v, vol, hv), g.volga, tol(g.volga, vega_scale / vol)) << where;
            ++checked;
          }
  EXPECT_EQ(checked, 2 * 3 * 2 * 2 * 6);
}

// ---------------------------------------------------------------------------------------------
// Accuracy against the long-double reference (tests/pricing/ld_black76.hpp) from at-the-money out
// to 30 standard deviations and strikes 100x either side of the forward. Computing d1 in double
// costs ~eps/s (rounding of ln(F/K)) plus ~eps |d1| (rounding of s), which the tail multiplies by
// |d1|; the bound allows 8x that: rel <= 8 eps (1 + |d1|) (1/s + |d1|).
TEST(Black76Accuracy, MatchesLongDoubleWithinConditioning) {
  int checked = 0;
  const double F = 100.0, T = 1.0;
  for (const double s : {1e-5, 1e-3, 0.05, 0.3, 1.0, 3.0, 8.0})
    for (double k = -30.0; k <= 30.0; k += 0.5)
      for (const double x : {k * s, std::log(100.0), -std::log(100.0)}) {
        const double K = F * std::exp(-x);
        for (const OptionType type : {Call, Put}) {
          const int q = type == Call ? 1 : -1;
          const Greeks g = black76({type, F, K, T, s, 0.02});
          const auto ref = greekbook::test::ld_black76(q, F, K, T, s, 0.02L);
          if (ref.price < 1e-290L) continue;
          const double d = std::fabs(x / s) + s / 2;
          const double tol = 8 * kEps * (1 + d) * (1 / s + d);
          const auto rel = [](double got, long double want) {
            return static_cast<double>(std::fabs(got - want) / std::fabs(want));
          };
          EXPECT_LE(rel(g.price, ref.price), tol) << "s=" << s << " x=" << x << " q=" << q;
          if (ref.delta != 0) {
            EXPECT_LE(rel(g.delta, ref.delta), tol) << "s=" << s << " x=" << x << " q=" << q;
          }
          if (ref.vega > 1e-290L) {
            EXPECT_LE(rel(g.vega, ref.vega), tol) << "s=" << s << " x=" << x;
          }
          ++checked;
        }
      }
  EXPECT_GT(checked, 2000);
}

// ---------------------------------------------------------------------------------------------
// Documented edge cases (black76.hpp).
TEST(Black76Edges, AtAndPastExpiryGiveUndiscountedIntrinsic) {
  for (const double T : {0.0, -1e-12, -1.0, -100.0})
    for (const double r : {0.0, 0.05, -0.5}) {
      for (const double K : {80.0, 100.0, 125.0}) {
        const double F = 100.0;
        const Greeks c = black76({Call, F, K, T, 0.5, r});
        const Greeks p = black76({Put, F, K, T, 0.5, r});
        EXPECT_EQ(c.price, std::fmax(F - K, 0.0)) << "T=" << T << " K=" << K;
        EXPECT_EQ(p.price, std::fmax(K - F, 0.0)) << "T=" << T << " K=" << K;
        EXPECT_EQ(c.delta, K < F ? 1.0 : K == F ? 0.5 : 0.0) << "T=" << T << " K=" << K;
        EXPECT_EQ(p.delta, K > F ? -1.0 : K == F ? -0.5 : 0.0) << "T=" << T << " K=" << K;
        for (const Greeks& g : {c, p}) {
          EXPECT_EQ(g.gamma, 0.0);
          EXPECT_EQ(g.vega, 0.0);
          EXPECT_EQ(g.theta, 0.0);
          EXPECT_EQ(g.rho, 0.0);
          EXPECT_EQ(g.vanna, 0.0);
          EXPECT_EQ(g.volga, 0.0);
        }
        EXPECT_EQ(black76_price({Call, F, K, T, 0.5, r}), c.price);
      }
    }
}

TEST(Black76Edges, ZeroVolIsTheDiscountedIntrinsicLimit) {
  const double F = 100.0, T = 0.5, r = 0.04, df = std::exp(-r * T);
  for (const double K : {90.0, 110.0}) {
    const Greeks c = black76({Call, F, K, T, 0.0, r});
    const Greeks p = black76({Put, F, K, T, 0.0, r});
    EXPECT_DOUBLE_EQ(c.price, df * std::fmax(F - K, 0.0));
    EXPECT_DOUBLE_EQ(p.price, df * std::fmax(K - F, 0.0));
    EXPECT_DOUBLE_EQ(c.delta, K < F ? df : 0.0);
    EXPECT_DOUBLE_EQ(p.delta, K > F ? -df : 0.0);
    for (const Greeks& g : {c, p}) {
      EXPECT_EQ(g.gamma, 0.0);
      EXPECT_EQ(g.vega, 0.0);
      EXPECT_DOUBLE_EQ(g.theta, r * g.price);  // only discounting moves the price
      EXPECT_DOUBLE_EQ(g.rho, -T * g.price);
      EXPECT_EQ(g.vanna, 0.0);
      EXPECT_EQ(g.volga, 0.0);
    }
  }
  // At the money the limits are delta = +-DF/2 and vega = DF F sqrt(T) phi(0); gamma blows up like
  // 1/sigma but must stay finite.
  const Greeks c = black76({Call, F, F, T, 0.0, r});
  const Greeks p = black76({Put, F, F, T, 0.0, r});
  EXPECT_EQ(c.price, 0.0);
  EXPECT_EQ(p.price, 0.0);
  EXPECT_NEAR(c.delta, 0.5 * df, 1e-15);
  EXPECT_NEAR(p.delta, -0.5 * df, 1e-15);
  EXPECT_DOUBLE_EQ(c.vega, df * F * std::sqrt(T) * 0.398942280401432678);
  for (const Greeks& g : {c, p})
    for (const double v : {g.gamma, g.theta, g.rho, g.vanna, g.volga}) EXPECT_TRUE(std::isfinite(v));
}

TEST(Black76Edges, TinyVolTimesSqrtTMatchesZeroVolAwayFromTheMoney) {
  const double F = 100.0, r = 0.03;
  for (const double T : {1e-12, 1.0 / 525600, 1.0})
    for (const double vol : {1e-12, 1e-8})
      for (const double K : {99.0, 101.0})
        for (const OptionType type : {Call, Put}) {
          const Greeks tiny = black76({type, F, K, T, vol, r});
          const Greeks zero = black76({type, F, K, T, 0.0, r});
          EXPECT_EQ(tiny.price, zero.price);
          EXPECT_EQ(tiny.delta, zero.delta);
          EXPECT_EQ(tiny.gamma, 0.0);
          EXPECT_EQ(tiny.vega, 0.0);
          EXPECT_DOUBLE_EQ(tiny.theta, zero.theta);
        }
}

TEST(Black76Edges, HugeVolTimesSqrtTReachesTheUpperBounds) {
  // s = 100 * sqrt(100) = 1000: N(d1) = 1, N(d2) = 0 in double.
  const double F = 100.0, K = 120.0, T = 100.0, r = 0.01, df = std::exp(-r * T);
  const Greeks c = black76({Call, F, K, T, 100.0, r});
  const Greeks p = black76({Put, F, K, T, 100.0, r});
  EXPECT_DOUBLE_EQ(c.price, df * F);
  EXPECT_DOUBLE_EQ(p.price, df * K);
  EXPECT_DOUBLE_EQ(c.delta, df);
  EXPECT_EQ(p.delta, 0.0);
  for (const Greeks& g : {c, p}) {
    EXPECT_EQ(g.gamma, 0.0);
    EXPECT_EQ(g.vega, 0.0);
    EXPECT_EQ(g.vanna, 0.0);
    EXPECT_EQ(g.volga, 0.0);
    EXPECT_DOUBLE_EQ(g.theta, r * g.price);
  }
}

TEST(Black76Edges, NoNaNOrInfinityOverAWideRandomGrid) {
  std::mt19937_64 rng(20240521);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const auto log_uniform = [&](double lo, double hi) { return lo * std::pow(hi / lo, u(rng)); };
  int checked = 0;
  for (int i = 0; i < 200000; ++i) {
    Black76Input in;
    in.type = u(rng) < 0.5 ? Call : Put;
    in.forward = log_uniform(1e-90, 1e90);
    // Strikes mostly within a few orders of the forward, sometimes anywhere in the valid range.
    in.strike = u(rng) < 0.8 ? in.forward * log_uniform(1e-3, 1e3) : log_uniform(1e-90, 1e90);
    const double pick = u(rng);
    in.expiry_years = pick < 0.05 ? 0.0 : pick < 0.1 ? -log_uniform(1e-9, 10) : log_uniform(1e-12, 100.0);
    in.vol = u(rng) < 0.05 ? 0.0 : log_uniform(1e-10, 100.0);
    in.rate = u(rng) < 0.3 ? 0.0 : 2 * u(rng) - 1;
    ASSERT_STREQ(validate(in), "");
    const Greeks g = black76(in);
    const double all[8] = {g.price, g.delta, g.gamma, g.vega, g.theta, g.rho, g.vanna, g.volga};
    for (const double v : all) ASSERT_TRUE(std::isfinite(v)) << "F=" << in.forward << " K=" << in.strike
                                                             << " T=" << in.expiry_years << " vol=" << in.vol
                                                             << " r=" << in.rate;
    // Cheap no-arbitrage invariants.
    const double df = std::exp(-in.rate * std::fmax(in.expiry_years, 0.0));
    ASSERT_GE(g.price, 0.0);
    ASSERT_LE(g.price, (in.type == Call ? in.forward : in.strike) * df * (1 + 1e-12));
    ASSERT_GE(g.gamma, 0.0);
    ASSERT_GE(g.vega, 0.0);
    ASSERT_LE(std::fabs(g.delta), df * (1 + 1e-12));
    ASSERT_GE(g.delta * (in.type == Call ? 1 : -1), 0.0);
    ++checked;
  }
  EXPECT_EQ(checked, 200000);
}

TEST(Black76Validate, NamesTheOffendingField) {
  EXPECT_STREQ(validate({Call, 100, 100, 1, 0.5, 0.0}), "");
  const auto starts = [](const char* s, const char* prefix) { return std::string(s).rfind(prefix, 0) == 0; };
  EXPECT_TRUE(starts(validate({Call, 0.0, 100, 1, 0.5, 0}), "forward"));
  EXPECT_TRUE(starts(validate({Call, NAN, 100, 1, 0.5, 0}), "forward"));
  EXPECT_TRUE(starts(validate({Call, 100, -1, 1, 0.5, 0}), "strike"));
  EXPECT_TRUE(starts(validate({Call, 100, 100, INFINITY, 0.5, 0}), "expiry_years"));
  EXPECT_TRUE(starts(validate({Call, 100, 100, 101, 0.5, 0}), "expiry_years"));
  EXPECT_TRUE(starts(validate({Call, 100, 100, 1, -0.1, 0}), "vol"));
  EXPECT_TRUE(starts(validate({Call, 100, 100, 1, 0.5, 1.5}), "rate"));
  EXPECT_STREQ(validate({Call, 100, 100, -5, 0.0, -1.0}), "");  // expired, zero vol, rate -1: valid
}

}  // namespace
