#include "bench_var.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <vector>

#include <oneapi/tbb/info.h>

#include "greekbook/risk/var.hpp"
#include "greekbook/risk/var_montecarlo.hpp"

namespace greekbook::cli {
namespace {
using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace

VarBench run_var_bench(int repeats) {
  VarBench out;
  repeats = std::max(repeats, 1);
  constexpr std::size_t kOptions = 10000, kPaths = 10000;
  // Book: 70% BTC, 30% ETH options, calls and puts, 1 day to 1 year, strikes within +-2 sd, long and short,
  // coin-settled (scale = quantity x S / F).
  std::mt19937_64 rng(20261126);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  risk::VarBook book;
  for (std::size_t i = 0; i < kOptions; ++i) {
    const bool btc = u(rng) < 0.7;
    const double S = btc ? 96500.0 : 3310.0;
    const double T = std::exp(std::log(1.0 / 365) + u(rng) * std::log(365.0));
    const double F = S * (1.0 + 0.05 * T);
    const double vol = (btc ? 0.45 : 0.6) + 0.3 * u(rng);
    const double K = F * std::exp((4.0 * u(rng) - 2.0) * vol * std::sqrt(T));
    const double q = std::round((u(rng) - 0.5) * 100.0) + 0.5;
    book.add_option("bench", "option", btc ? "BTC" : "ETH", q,
                    u(rng) < 0.5 ? pricing::OptionType::Call : pricing::OptionType::Put, F, K, T, vol, q * S / F);
  }
  book.finalise();
  risk::McModel m;
  m.names = {"BTC", "ETH", "BTC vol", "ETH vol"};
  m.price_factor = {0, 1};
  m.vol_factor = {2, 3};
  m.sigma = {0.025, 0.031, 0.045, 0.05};
  m.correlation = {1.0, 0.8, -0.5, -0.4, 0.8, 1.0, -0.4, -0.5, -0.5, -0.4, 1.0, 0.7, -0.4, -0.5, 0.7, 1.0};
  m.nu = 5.0;
  if (auto ok = m.factorise(); !ok) {
    out.error = ok.error().message;
    return out;
  }
  risk::VarOptions o;
  o.paths = kPaths;
  std::vector<double> whole, reval;
  risk::ScenarioSet sc;
  risk::simulate(m, 1, 1.0, 0, kPaths, sc);
  std::vector<double> pnl(kPaths);
  for (int r = 0; r <= repeats; ++r) {  // run 0 warms up (pages, dispatch, thread pool)
    const auto t0 = Clock::now();
    auto res = risk::run_monte_carlo(book, m, o);
    const auto t1 = Clock::now();
    if (!res) {
      out.error = res.error().message;
      return out;
    }
    book.revalue(sc, 1.0, pnl);
    const auto t2 = Clock::now();
    if (r == 0) continue;
    whole.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    reval.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
  out.mc_var_10k_ms = median(whole);
  out.revalue_only_ms = median(reval);
  out.mc_var_revals_per_s = static_cast<double>(kOptions) * static_cast<double>(kPaths) / (out.mc_var_10k_ms * 1e-3);
  out.threads = static_cast<std::size_t>(tbb::info::default_concurrency());
  return out;
}

}  // namespace greekbook::cli
