// black76_batch: equal to the scalar black76() (bit-identical by design: the scalar API runs the
// same kernel on one padded vector), for every length around the vector width, with optional
// outputs left out, without writing past n, and on every SIMD target the CPU offers.
#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "greekbook/pricing/black76.hpp"
#include "greekbook/pricing/black76_batch.hpp"
#include "pricing/ld_black76.hpp"

namespace {
using namespace greekbook::pricing;

struct Soa {
  std::vector<double> type, forward, strike, expiry, vol, rate;
  Black76BatchIn in(bool with_rate = true) const {
    return {type, forward, strike, expiry, vol, with_rate ? std::span<const double>(rate) : std::span<const double>()};
  }
  Black76Input at(std::size_t i, bool with_rate = true) const {
    return {type[i] > 0 ? OptionType::Call : OptionType::Put, forward[i], strike[i], expiry[i], vol[i],
            with_rate ? rate[i] : 0.0};
  }
};

// Random options including the tails: expired, zero vol, huge vol, strikes far from the forward,
// rates of both signs and exactly zero (the kernel has a whole-vector r == 0 shortcut).
Soa random_options(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const auto log_uniform = [&](double lo, double hi) { return lo * std::pow(hi / lo, u(rng)); };
  Soa s;
  for (std::size_t i = 0; i < n; ++i) {
    s.type.push_back(u(rng) < 0.5 ? 1.0 : -1.0);
    const double F = log_uniform(1e-3, 1e6);
    s.forward.push_back(F);
    s.strike.push_back(F * (u(rng) < 0.9 ? log_uniform(0.3, 3.0) : log_uniform(1e-2, 1e2)));
    const double pick = u(rng);
    s.expiry.push_back(pick < 0.05 ? 0.0 : pick < 0.08 ? -0.5 : log_uniform(1.0 / 525600, 30.0));
    const double v = u(rng);
    s.vol.push_back(v < 0.05 ? 0.0 : v < 0.1 ? log_uniform(5.0, 100.0) : log_uniform(0.01, 3.0));
    s.rate.push_back(u(rng) < 0.5 ? 0.0 : 0.2 * u(rng) - 0.1);
  }
  return s;
}

struct Out {
  std::vector<double> f[8];
  explicit Out(std::size_t n, double fill = 0.0) {
    for (auto& v : f) v.assign(n, fill);
  }
  Black76BatchOut spans(std::size_t n) {
    return {{f[0].data(), n}, {f[1].data(), n}, {f[2].data(), n}, {f[3].data(), n},
            {f[4].data(), n}, {f[5].data(), n}, {f[6].data(), n}, {f[7].data(), n}};
  }
};

double field(const Greeks& g, int k) {
  const double v[8] = {g.price, g.delta, g.gamma, g.vega, g.theta, g.rho, g.vanna, g.volga};
  return v[k];
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

TEST(Black76Batch, EqualsScalarForEveryLength) {
  const char* names[8] = {"price", "delta", "gamma", "vega", "theta", "rho", "vanna", "volga"};
  for (const std::size_t n : {0u, 1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 15u, 16u, 17u, 1000u}) {
    for (const bool with_rate : {true, false}) {
      const Soa s = random_options(n, 1000 + static_cast<unsigned>(n));
      constexpr std::size_t kGuard = 16;  // sentinels after n: nothing may be written there
      Out out(n + kGuard, -12345.0);
      black76_batch(s.in(with_rate), out.spans(n));
      for (std::size_t i = 0; i < n; ++i) {
        const Greeks g = black76(s.at(i, with_rate));
        for (int k = 0; k < 8; ++k) {
          const double b = out.f[k][i], a = field(g, k);
          EXPECT_TRUE(same_bits(a, b) || (a == 0 && b == 0))
              << names[k] << " n=" << n << " i=" << i << " batch=" << b << " scalar=" << a;
          EXPECT_LE(std::fabs(a - b), 1e-12 * std::fabs(a)) << names[k] << " n=" << n << " i=" << i;
        }
      }
      for (int k = 0; k < 8; ++k)
        for (std::size_t i = n; i < n + kGuard; ++i) ASSERT_EQ(out.f[k][i], -12345.0) << "wrote past n=" << n;
    }
  }
}

TEST(Black76Batch, EmptyOptionalOutputsAreSkippedAndOthersUnchanged) {
  const std::size_t n = 37;
  const Soa s = random_options(n, 7);
  Out full(n);
  black76_batch(s.in(), full.spans(n));
  // Every subset pattern of the seven optional outputs that keeps some and drops others.
  for (unsigned mask = 0; mask < 128; mask += 9) {
    Out part(n, -7.0);
    Black76BatchOut o{{part.f[0].data(), n}, {}, {}, {}, {}, {}, {}, {}};
    std::span<double>* opt[7] = {&o.delta, &o.gamma, &o.vega, &o.theta, &o.rho, &o.vanna, &o.volga};
    for (int k = 0; k < 7; ++k)
      if (mask & (1u << k)) *opt[k] = {part.f[k + 1].data(), n};
    black76_batch(s.in(), o);
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_TRUE(same_bits(part.f[0][i], full.f[0][i]));
      for (int k = 0; k < 7; ++k) {
        if (mask & (1u << k)) {
          ASSERT_TRUE(same_bits(part.f[k + 1][i], full.f[k + 1][i])) << "mask " << mask << " field " << k;
        } else {
          ASSERT_EQ(part.f[k + 1][i], -7.0) << "unrequested output written, mask " << mask;
        }
      }
    }
  }
}

TEST(Black76Batch, ZeroLengthTouchesNothing) {
  Out out(4, 3.0);
  const Soa s = random_options(0, 1);
  black76_batch(s.in(), out.spans(0));
  black76_batch(Black76BatchIn{}, Black76BatchOut{});
  for (const auto& v : out.f)
    for (const double x : v) EXPECT_EQ(x, 3.0);
}

TEST(Black76Batch, ReportsItsTarget) {
  EXPECT_GE(simd_lanes(), 1u);
  EXPECT_LE(simd_lanes(), 8u);
  EXPECT_GT(std::strlen(simd_target_name()), 0u);
  RecordProperty("simd_target", simd_target_name());
  std::cout << "[          ] dispatched target " << simd_target_name() << ", " << simd_lanes() << " lanes\n";
}

// Force each SIMD target the CPU supports (Highway's test hook) and check that all of them agree
// with the long-double reference, with each other to a few ulp, and stay bit-identical to the
// scalar API.
TEST(Black76Batch, EveryAvailableTargetAgrees) {
  const std::size_t n = 301;
  Soa s = random_options(n, 99);
  // Keep the options where the long-double reference is meaningful at 1e-13: T > 0, s >= 0.05.
  for (std::size_t i = 0; i < n; ++i) {
    if (s.expiry[i] <= 0) s.expiry[i] = 0.25;
    s.vol[i] = std::fmax(s.vol[i], 0.05 / std::sqrt(s.expiry[i]));
    s.vol[i] = std::fmin(s.vol[i], 3.0);
  }
  const int64_t real = hwy::SupportedTargets();
  struct RestoreTargets {  // also on an early ASSERT exit
    ~RestoreTargets() { hwy::SetSupportedTargetsForTest(0); }
  } restore;
  std::vector<std::vector<double>> prices;
  std::vector<double> tol(n);  // rel <= 8 eps (1 + |d|)(1/s + |d|): see black76_greeks_test.cpp
  for (std::size_t i = 0; i < n; ++i) {
    const double sd = s.vol[i] * std::sqrt(s.expiry[i]);
    const double d = std::fabs(std::log(s.forward[i] / s.strike[i])) / sd + sd / 2;
    tol[i] = 8 * 2.22e-16 * (1 + d) * (1 / sd + d);
  }
  std::string tried;
  for (const int64_t target : {int64_t{HWY_AVX3}, int64_t{HWY_AVX2}, int64_t{HWY_SSE4}, int64_t{HWY_EMU128}}) {
    if (!(real & target)) continue;
    hwy::SetSupportedTargetsForTest(target);
    if (std::string(simd_target_name()) != hwy::TargetName(target)) continue;  // not compiled in
    tried += std::string(hwy::TargetName(target)) + " ";
    Out out(n);
    black76_batch(s.in(), out.spans(n));
    for (std::size_t i = 0; i < n; ++i) {
      const Greeks g = black76(s.at(i));
      ASSERT_TRUE(same_bits(g.price, out.f[0][i])) << hwy::TargetName(target);
      const auto ref = greekbook::test::ld_black76(static_cast<int>(s.type[i]), s.forward[i], s.strike[i],
                                                   s.expiry[i], s.vol[i], s.rate[i]);
      if (ref.price < 1e-280L) continue;
      EXPECT_LE(static_cast<double>(std::fabs(out.f[0][i] - ref.price) / ref.price), tol[i])
          << hwy::TargetName(target) << " i=" << i;
      if (ref.vega > 1e-280L) {
        EXPECT_LE(static_cast<double>(std::fabs(out.f[3][i] - ref.vega) / ref.vega), tol[i])
            << hwy::TargetName(target) << " i=" << i;
      }
    }
    prices.push_back(out.f[0]);
  }
  hwy::SetSupportedTargetsForTest(0);
  std::cout << "[          ] targets exercised: " << tried << "\n";
  RecordProperty("targets", tried);
  ASSERT_GE(prices.size(), 1u);
  for (std::size_t t = 1; t < prices.size(); ++t)
    for (std::size_t i = 0; i < n; ++i)
      EXPECT_NEAR(prices[t][i], prices[0][i], 2 * tol[i] * std::fabs(prices[0][i])) << "target #" << t << " i=" << i;
}

}  // namespace
