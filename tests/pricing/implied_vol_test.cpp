// Implied volatility: a dense round-trip grid priced by an independent long-double Black-76, the
// documented error statuses, in-the-money options with tiny time value, and the batch form.
#include <gtest/gtest.h>

#include <chrono>
#include <cfloat>
#include <cmath>
#include <iostream>
#include <cstdio>
#include <limits>
#include <random>
#include <vector>

#include "greekbook/pricing/implied_vol.hpp"
#include "pricing/ld_black76.hpp"

namespace {
using namespace greekbook::pricing;
using greekbook::test::ld_black76;
constexpr OptionType Call = OptionType::Call;
constexpr OptionType Put = OptionType::Put;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

double ulp(double x) { return std::nextafter(x, kInf) - x; }

// ---------------------------------------------------------------------------------------------
// (a) Round trips. 80 expiries from one minute (1/525600 y) to 10 y and 80 vols from 1 % to 500 %,
// both log-spaced; 80 strikes per (T, sigma): 72 at x = ln(F/K) = k sigma sqrt(T), k in [-8, 8],
// plus x = +-0.5, +-1, +-2, +-4.6 (strikes 100x away); calls and puts; rates 0, 5 %, -2 % by
// expiry. The price is the long-double Black-76 of tests/pricing/ld_black76.hpp rounded to double
// (greekbook's own pricer is not involved). A point counts when the double price pins the vol:
// vega * tol >= 4 ulp(price), tol = 1e-12 max(1, sigma), and price >= 1e-290 (no underflow). At
// every counted point |sigma_solved - sigma| <= tol must hold.
TEST(ImpliedVolGrid, RoundTripsToTwelveDigitsOverAMillionPoints) {
  constexpr int kNT = 80, kNV = 80, kNK = 72;
  const double far_x[] = {-4.6, -2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 4.6};
  const double rates[] = {0.0, 0.05, -0.02};
  const double F = 100.0;
  long points = 0;
  // The counted points (where the double price pins the vol), solved by both entry points below.
  std::vector<double> g_type, g_F, g_K, g_T, g_price, g_r, g_sigma, g_x;
  for (int it = 0; it < kNT; ++it) {
    const double T = (1.0 / 525600) * std::pow(10.0 * 525600, it / (kNT - 1.0));
    const double r = rates[it % 3];
    for (int iv = 0; iv < kNV; ++iv) {
      const double sigma = 0.01 * std::pow(500.0, iv / (kNV - 1.0));
      const double s = sigma * std::sqrt(T);
      const double tol = 1e-12 * std::fmax(1.0, sigma);
      for (int ik = 0; ik < kNK + 8; ++ik) {
        const double x = ik < kNK ? (-8.0 + 16.0 * ik / (kNK - 1.0)) * s : far_x[ik - kNK];
        const double K = F * std::exp(-x);
        for (const OptionType type : {Call, Put}) {
          ++points;
          const auto ref = ld_black76(type == Call ? 1 : -1, F, K, T, sigma, r);
          const double price = static_cast<double>(ref.price);
          if (!(price >= 1e-290)) continue;
          if (static_cast<double>(ref.vega) * tol < 4 * ulp(price)) continue;
          g_type.push_back(type == Call ? 1.0 : -1.0);
          g_F.push_back(F);
          g_K.push_back(K);
          g_T.push_back(T);
          g_price.push_back(price);
          g_r.push_back(r);
          g_sigma.push_back(sigma);
          g_x.push_back(x);
        }
      }
    }
  }
  const std::size_t counted = g_sigma.size();
  std::vector<double> batch_vol(counted);
  std::vector<IvStatus> batch_status(counted);
  const auto t0 = std::chrono::steady_clock::now();
  implied_vol_batch(g_type, g_F, g_K, g_T, g_price, g_r, batch_vol, batch_status);
  const double batch_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  long failed = 0;
  for (int solver = 0; solver < 2; ++solver) {  // 0: scalar implied_vol, 1: implied_vol_batch
    double max_err = 0;  // of |sigma_solved - sigma| / max(1, sigma)
    std::size_t worst = 0;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < counted; ++i) {
      const OptionType type = g_type[i] > 0 ? Call : Put;
      double got = kInf;
      if (solver == 0) {
        const auto r = implied_vol({type, g_F[i], g_K[i], g_T[i], g_price[i], g_r[i]});
        if (r) got = *r;
      } else if (batch_status[i] == IvStatus::Ok) {
        got = batch_vol[i];
      }
      const double err = std::fabs(got - g_sigma[i]) / std::fmax(1.0, g_sigma[i]);
      if (err > max_err) {
        max_err = err;
        worst = i;
      }
      if (!(err <= 1e-12) && ++failed <= 20) {
        ADD_FAILURE() << (solver ? "batch" : "scalar") << ": T=" << g_T[i] << " sigma=" << g_sigma[i]
                      << " x=" << g_x[i] << (type == Call ? " call" : " put") << " r=" << g_r[i]
                      << " price=" << g_price[i] << " -> " << got << " err=" << err;
      }
    }
    const double seconds = solver == 0 ? std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
                                       : batch_seconds;
    char buf[300];
    std::snprintf(buf, sizeof buf,
                  "%s: points %ld, counted %zu, max |dsigma|/max(1,sigma) %.3g (T=%.3g sigma=%.3g x=%.3g %s r=%g), %.2f s",
                  solver ? "batch" : "scalar", points, counted, max_err, g_T[worst], g_sigma[worst], g_x[worst],
                  g_type[worst] > 0 ? "call" : "put", g_r[worst], seconds);
    std::cout << "[          ] implied vol grid, " << buf << "\n";
    RecordProperty(solver ? "batch_max_error" : "max_error", max_err);
  }
  EXPECT_EQ(failed, 0);
  EXPECT_GE(points, 1000000);
  EXPECT_GT(counted, static_cast<std::size_t>(points / 2));  // the filter only drops the unpinnable wings
  RecordProperty("points", std::to_string(points));
  RecordProperty("counted", std::to_string(counted));
}

// ---------------------------------------------------------------------------------------------
// (b) Error statuses (implied_vol.hpp).
IvStatus status_of(const IvInput& in) {
  const auto r = implied_vol(in);
  return r ? IvStatus::Ok : r.error();
}

TEST(ImpliedVolErrors, BoundsAndDocumentedStatuses) {
  const double T = 0.5, r = 0.05, df = std::exp(-r * T);
  // Below the discounted intrinsic value.
  EXPECT_EQ(status_of({Call, 100, 90, T, df * 10 * (1 - 1e-9), r}), IvStatus::BelowIntrinsic);
  EXPECT_EQ(status_of({Put, 100, 110, T, df * 10 * (1 - 1e-9), r}), IvStatus::BelowIntrinsic);
  EXPECT_EQ(status_of({Call, 100, 90, 1.0, 9.999999, 0.0}), IvStatus::BelowIntrinsic);
  EXPECT_EQ(status_of({Call, 100, 100, T, -1e-12, r}), IvStatus::BelowIntrinsic);  // negative price
  // Within 4 ulp of the intrinsic value (undiscounting rounds) is "at intrinsic": sigma 0.
  EXPECT_EQ(*implied_vol({Call, 100, 90, 1.0, 10.0 * (1 - 2 * DBL_EPSILON), 0.0}), 0.0);
  EXPECT_EQ(status_of({Call, 100, 90, 1.0, 10.0 * (1 - 16 * DBL_EPSILON), 0.0}), IvStatus::BelowIntrinsic);
  // At or above the upper bound DF F (call) / DF K (put).
  EXPECT_EQ(status_of({Call, 100, 90, 1.0, 100.0, 0.0}), IvStatus::AboveMaximum);
  EXPECT_EQ(status_of({Call, 100, 90, T, 1.5 * df * 100, r}), IvStatus::AboveMaximum);
  EXPECT_EQ(status_of({Put, 100, 110, 1.0, 110.0, 0.0}), IvStatus::AboveMaximum);
  EXPECT_EQ(status_of({Put, 100, 110, T, 2 * df * 110, r}), IvStatus::AboveMaximum);
  // Just below the bound is a (huge) vol, not an error.
  EXPECT_TRUE(implied_vol({Call, 100, 90, 1.0, 99.99, 0.0}).has_value());
  // Non-finite fields.
  for (const double bad : {kNaN, kInf, -kInf}) {
    EXPECT_EQ(status_of({Call, bad, 100, T, 5, r}), IvStatus::NonFiniteInput);
    EXPECT_EQ(status_of({Call, 100, bad, T, 5, r}), IvStatus::NonFiniteInput);
    EXPECT_EQ(status_of({Call, 100, 100, bad, 5, r}), IvStatus::NonFiniteInput);
    EXPECT_EQ(status_of({Call, 100, 100, T, bad, r}), IvStatus::NonFiniteInput);
    EXPECT_EQ(status_of({Put, 100, 100, T, 5, bad}), IvStatus::NonFiniteInput);
  }
  // Bad forward, strike, expiry, rate.
  EXPECT_EQ(status_of({Call, 0.0, 100, T, 5, r}), IvStatus::BadForward);
  EXPECT_EQ(status_of({Call, -100, 100, T, 5, r}), IvStatus::BadForward);
  EXPECT_EQ(status_of({Call, 100, 0.0, T, 5, r}), IvStatus::BadStrike);
  EXPECT_EQ(status_of({Put, 100, -1, T, 5, r}), IvStatus::BadStrike);
  EXPECT_EQ(status_of({Call, 100, 100, 0.0, 5, r}), IvStatus::BadExpiry);
  EXPECT_EQ(status_of({Call, 100, 100, -1.0, 5, r}), IvStatus::BadExpiry);
  EXPECT_EQ(status_of({Call, 100, 100, T, 5, 1.5}), IvStatus::BadRate);
  EXPECT_EQ(status_of({Call, 100, 100, T, 5, -1.01}), IvStatus::BadRate);
  // Every status has a reason text; Ok has none.
  EXPECT_STREQ(to_string(IvStatus::Ok), "");
  for (int s = 1; s <= static_cast<int>(IvStatus::NoConvergence); ++s)
    EXPECT_GT(std::string(to_string(static_cast<IvStatus>(s))).size(), 5u) << s;
}

TEST(ImpliedVolErrors, PriceExactlyAtIntrinsicIsZeroVol) {
  EXPECT_EQ(implied_vol({Call, 100, 90, 1.0, 10.0, 0.0}).value(), 0.0);
  EXPECT_EQ(implied_vol({Put, 100, 110, 1.0, 10.0, 0.0}).value(), 0.0);
  EXPECT_EQ(implied_vol({Call, 100, 110, 1.0, 0.0, 0.0}).value(), 0.0);  // OTM, zero price
  EXPECT_EQ(implied_vol({Put, 100, 100, 0.25, 0.0, 0.03}).value(), 0.0);
  // With discounting: a price equal to DF * intrinsic up to its rounding is vol ~0, never an error
  // that is not BelowIntrinsic.
  const double T = 0.75, r = 0.04, df = std::exp(-r * T);
  const auto v = implied_vol({Call, 100, 80, T, df * 20, r});
  EXPECT_TRUE(v ? (*v >= 0 && *v < 1e-3) : v.error() == IvStatus::BelowIntrinsic);
}

TEST(ImpliedVolErrors, NeverANaNInsideAnExpected) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int i = 0; i < 200000; ++i) {
    const double F = std::pow(10.0, 6 * u(rng) - 3);
    const double K = F * std::pow(10.0, 4 * u(rng) - 2);
    const double T = std::pow(10.0, 7 * u(rng) - 6);
    const double r = u(rng) < 0.5 ? 0.0 : 0.1 * u(rng) - 0.05;
    const OptionType type = u(rng) < 0.5 ? Call : Put;
    const double upper = std::exp(-r * T) * (type == Call ? F : K);
    // Prices anywhere from below zero to above the bound, with extra weight near both bounds.
    const double w = u(rng);
    const double price = w < 0.1 ? upper * (1 - std::pow(10.0, -16 * u(rng)))
                         : w < 0.2 ? upper * std::pow(10.0, -300 * u(rng))
                                   : upper * (1.2 * u(rng) - 0.1);
    const auto got = implied_vol({type, F, K, T, price, r});
    if (got) {
      ASSERT_TRUE(std::isfinite(*got) && *got >= 0) << "F=" << F << " K=" << K << " T=" << T << " price=" << price;
    } else {
      ASSERT_NE(got.error(), IvStatus::Ok);
      ASSERT_NE(got.error(), IvStatus::NoConvergence)
          << "F=" << F << " K=" << K << " T=" << T << " price=" << price << " r=" << r;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// (c) In-the-money options whose time value is a tiny fraction of the price: the regime where
// solvers that bracket the price (QuantLib's impliedVolatility, for one) are known to throw or to
// lose the digits; before the parity fix in implied_vol() this library lost them too. Prices: mpmath at 50 digits, rounded to double; vega (per
// 1.00 of vol) from the same evaluation. The double price pins sigma to ~ulp(price)/vega, so the
// bound is 1e-12 max(1, sigma) + 2 ulp(price)/vega.
struct ItmCase {
  OptionType type;
  double F, K, T, sigma, r, price, vega;
};
constexpr ItmCase kItm[] = {
    {Call, 100, 70, 0.25, 0.15, 0.01, 29.925094877167993, 0.000204154},  // time value / price = 4.0e-8
    {Call, 100, 85, 0.08333333333333333, 0.1, 0.02, 14.97502082578671, 1.38932e-6},  // time value / price = 2.7e-10
    {Call, 100, 90, 0.019230769230769232, 0.2, 0.0, 10.000045013885645, 0.00385759},  // time value / price = 4.5e-6
    {Call, 100, 50, 1.0, 0.2, 0.03, 48.52319191342758, 0.067138},  // time value / price = 1.9e-5
    {Call, 1.0, 0.6, 0.5, 0.25, 0.0, 0.40007659841069676, 0.00334625},  // time value / price = 0.00019
    {Call, 9350, 6000, 0.019178082191780823, 0.6, 0.0, 3350.000005116726, 0.000267188},  // time value / price = 1.5e-9
    {Call, 9350, 8000, 0.0027397260273972603, 0.8, 0.0, 1350.0084949875807, 0.175924},  // time value / price = 6.3e-6
    {Call, 100, 80, 0.5, 0.12, 0.05, 19.51604276269786, 0.774402},  // time value / price = 0.0005
    {Call, 100, 60, 2.0, 0.15, -0.01, 40.85235728336924, 2.44099},  // time value / price = 0.0011
    {Call, 100, 99, 0.00011415525114155251, 0.3, 0.0, 1.0000749009698993, 0.00310869},  // time value / price = 7.5e-5
    {Put, 100, 130, 0.25, 0.15, 0.01, 29.925595800918355, 0.0499065},  // time value / price = 1.7e-5
    {Put, 9350, 14000, 0.019178082191780823, 0.6, 0.0, 4650.000107542977, 0.00473218},  // time value / price = 2.3e-8
    {Put, 100, 120, 0.019230769230769232, 0.25, 0.0, 20.000000049066905, 5.98234e-6},  // time value / price = 2.5e-9
};

TEST(ImpliedVolItm, TinyTimeValueStillGivesTheVol) {
  for (const auto& c : kItm) {
    const auto got = implied_vol({c.type, c.F, c.K, c.T, c.price, c.r});
    ASSERT_TRUE(got.has_value()) << "K=" << c.K << " " << to_string(got.error());
    const double tol = 1e-12 * std::fmax(1.0, c.sigma) + 2 * ulp(c.price) / c.vega;
    EXPECT_NEAR(*got, c.sigma, tol) << "F=" << c.F << " K=" << c.K << " T=" << c.T;
  }
  // Time value below half an ulp of the price: the price is the intrinsic value, so sigma = 0
  // (mpmath: F 100, K 80, T 1/52, sigma 0.2 gives 20 + 1.3e-16).
  EXPECT_EQ(implied_vol({Call, 100, 80, 1.0 / 52, 20.0, 0.0}).value(), 0.0);
}

// ---------------------------------------------------------------------------------------------
// (d) Batch form equals the scalar form, statuses included; empty rate means r = 0.
TEST(ImpliedVolBatch, AgreesWithScalar) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const std::size_t n = 5000;
  std::vector<double> type(n), F(n), K(n), T(n), price(n), rate(n), vol(n, -1.0);
  std::vector<IvStatus> status(n, IvStatus::NoConvergence);
  for (std::size_t i = 0; i < n; ++i) {
    type[i] = u(rng) < 0.5 ? 1.0 : -1.0;
    F[i] = 100 * std::pow(10.0, u(rng) - 0.5);
    K[i] = F[i] * std::pow(10.0, 0.6 * u(rng) - 0.3);
    T[i] = u(rng) < 0.02 ? -0.1 : std::pow(10.0, 4 * u(rng) - 3);
    rate[i] = u(rng) < 0.3 ? 0.0 : 0.1 * u(rng) - 0.05;
    const auto ref = ld_black76(static_cast<int>(type[i]), F[i], K[i], std::fmax(T[i], 1e-3), 0.05 + u(rng), rate[i]);
    const double w = u(rng);
    price[i] = w < 0.9 ? static_cast<double>(ref.price) : w < 0.95 ? -1.0 : w < 0.97 ? kNaN : 1e9;
    if (w >= 0.97 && w < 0.98) F[i] = -F[i];
  }
  implied_vol_batch(type, F, K, T, price, rate, vol, status);
  int ok = 0;
  double max_diff = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto s = implied_vol({type[i] > 0 ? Call : Put, F[i], K[i], T[i], price[i], rate[i]});
    if (s) {
      ASSERT_EQ(status[i], IvStatus::Ok) << i;
      // The batch solver is the SIMD form of the same algorithm: equal up to rounding where the
      // price pins the vol (the vega-relative measure below), never a different root.
      double pin = 0;
      if (std::fabs(price[i]) < 1e-290) pin = 1e-6;  // a subnormal price pins the vol to few digits only
      else if (*s > 0) {
        const auto ref = ld_black76(static_cast<int>(type[i]), F[i], K[i], T[i], *s, rate[i]);
        pin = static_cast<double>(std::fabs(ref.price) / ref.vega) * 1e-15;
      }
      max_diff = std::max(max_diff, std::fabs(vol[i] - *s) / std::max(1.0, *s));
      ASSERT_LE(std::fabs(vol[i] - *s), 2e-13 * std::max(1.0, *s) + pin)
          << i << " type " << type[i] << " F " << F[i] << " K " << K[i] << " T " << T[i] << " price " << price[i]
          << " rate " << rate[i] << " batch " << vol[i] << " scalar " << *s;
      ++ok;
    } else {
      ASSERT_EQ(status[i], s.error()) << i;
      ASSERT_TRUE(std::isnan(vol[i])) << i;
    }
  }
  EXPECT_GT(ok, 4000);
  std::cout << "batch vs scalar implied vol: " << ok << " solved, max |diff|/max(1,vol) " << max_diff
            << " (incl. subnormal prices)\n";
  EXPECT_LT(ok, 5000);  // the invalid rows really are rejected
  // Empty rate span: every option at r = 0.
  std::vector<double> vol0(n);
  std::vector<IvStatus> status0(n);
  implied_vol_batch(type, F, K, T, price, {}, vol0, status0);
  for (std::size_t i = 0; i < n; i += 7) {
    const auto s = implied_vol({type[i] > 0 ? Call : Put, F[i], K[i], T[i], price[i], 0.0});
    ASSERT_EQ(status0[i], s ? IvStatus::Ok : s.error()) << i;
    if (s && std::fabs(price[i]) >= 1e-290) {
      ASSERT_NEAR(vol0[i], *s, 1e-12 * std::max(1.0, *s)) << i;
    }
  }
}

}  // namespace
