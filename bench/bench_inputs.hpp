#pragma once
// Deterministic random option sets shared by bench_pricing and bench_vs_quantlib, so both measure
// the same distribution:
//   type    call or put, 50/50
//   F       uniform in [20'000, 120'000] (a BTC-like forward)
//   T       log-uniform in [1 day, 2 years] (ACT/365), so short expiries are as common as on Deribit
//   sigma   uniform in [20%, 150%]
//   K       F exp(z sigma sqrt T), z uniform in [-2, 2] (strikes within +-2 standard deviations)
//   r       uniform in [0, 5%]
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "greekbook/pricing/black76_batch.hpp"

namespace greekbook::bench {

struct OptionSet {
  std::vector<double> type, forward, strike, expiry, vol, rate;

  std::size_t size() const { return forward.size(); }
  pricing::Black76BatchIn batch_in() const {
    return {type, forward, strike, expiry, vol, rate};
  }
};

/// n options drawn as described above, reproducible from seed.
inline OptionSet make_options(std::size_t n, std::uint64_t seed = 20240611) {
  std::mt19937_64 rng(seed);
  // Own uniform from 53 random bits: std::uniform_real_distribution is implementation-defined.
  auto u01 = [&rng] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  auto uniform = [&](double lo, double hi) { return lo + (hi - lo) * u01(); };
  OptionSet s;
  for (auto* v : {&s.type, &s.forward, &s.strike, &s.expiry, &s.vol, &s.rate}) v->resize(n);
  const double t_lo = std::log(1.0 / 365.0), t_hi = std::log(2.0);
  for (std::size_t i = 0; i < n; ++i) {
    s.type[i] = u01() < 0.5 ? 1.0 : -1.0;
    s.forward[i] = uniform(20'000.0, 120'000.0);
    s.expiry[i] = std::exp(uniform(t_lo, t_hi));
    s.vol[i] = uniform(0.20, 1.50);
    const double z = uniform(-2.0, 2.0);
    s.strike[i] = s.forward[i] * std::exp(z * s.vol[i] * std::sqrt(s.expiry[i]));
    s.rate[i] = uniform(0.0, 0.05);
  }
  return s;
}

/// Structure-of-arrays outputs (price + 7 Greeks).
struct GreeksSoA {
  std::vector<double> price, delta, gamma, vega, theta, rho, vanna, volga;
  explicit GreeksSoA(std::size_t n)
      : price(n), delta(n), gamma(n), vega(n), theta(n), rho(n), vanna(n), volga(n) {}
  pricing::Black76BatchOut all() {
    return {price, delta, gamma, vega, theta, rho, vanna, volga};
  }
};

}  // namespace greekbook::bench
