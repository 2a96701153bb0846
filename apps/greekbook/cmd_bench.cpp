// greekbook bench: single-core speed of the pricing core on this machine (median of repeats).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <fmt/format.h>

#include "bench_data.hpp"
#include "bench_margin.hpp"
#include "bench_stress.hpp"
#include "bench_var.hpp"
#include "commands.hpp"
#include "greekbook/io/csv.hpp"
#include "greekbook/market/snapshot_io.hpp"
#include "greekbook/valuation/valuation.hpp"
#include "greekbook/pricing/black76.hpp"
#include "greekbook/pricing/black76_batch.hpp"
#include "greekbook/pricing/implied_vol.hpp"

namespace greekbook::cli {
namespace {
using Clock = std::chrono::steady_clock;

template <class F>
double median_ns_per_item(int repeats, std::size_t items, F&& body) {
  std::vector<double> t;
  body();  // warm-up (page faults, dispatch table)
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = Clock::now();
    body();
    const auto t1 = Clock::now();
    t.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(items));
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

struct Row {
  const char* key;
  const char* what;
  double ns;
};
}  // namespace

int run_bench(const BenchOptions& opts) {
  const std::size_t n = static_cast<std::size_t>(std::max(opts.options, 16));
  const int repeats = std::max(opts.repeats, 1);
  // Realistic inputs: T 1 day..2 years, vol 20%..150%, strikes within +-2 sd, calls and puts.
  std::mt19937_64 rng(20261126);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> type(n), fwd(n), strike(n), expiry(n), vol(n), rate(n);
  for (std::size_t i = 0; i < n; ++i) {
    type[i] = u(rng) < 0.5 ? 1.0 : -1.0;
    fwd[i] = 60000.0 + 60000.0 * u(rng);
    expiry[i] = std::exp(std::log(1.0 / 365) + u(rng) * std::log(2.0 * 365));
    vol[i] = 0.2 + 1.3 * u(rng);
    strike[i] = fwd[i] * std::exp((4.0 * u(rng) - 2.0) * vol[i] * std::sqrt(expiry[i]));
    rate[i] = 0.05 * u(rng);
  }
  std::vector<double> out[8];
  for (auto& o : out) o.resize(n);
  const pricing::Black76BatchIn in{type, fwd, strike, expiry, vol, rate};
  const pricing::Black76BatchOut bout{out[0], out[1], out[2], out[3], out[4], out[5], out[6], out[7]};

  volatile double sink = 0;
  const double scalar_ns = median_ns_per_item(repeats, n, [&] {
    double acc = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto g = pricing::black76({type[i] > 0 ? pricing::OptionType::Call : pricing::OptionType::Put,
                                       fwd[i], strike[i], expiry[i], vol[i], rate[i]});
      acc += g.price + g.delta + g.gamma + g.vega + g.theta + g.rho + g.vanna + g.volga;
    }
    sink = acc;
  });
  const double batch_ns = median_ns_per_item(repeats, n, [&] { pricing::black76_batch(in, bout); });

  const std::vector<double> prices = out[0];
  std::vector<double> iv(n);
  std::vector<pricing::IvStatus> status(n);
  const double iv_ns = median_ns_per_item(repeats, n, [&] {
    double acc = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto r = pricing::implied_vol({type[i] > 0 ? pricing::OptionType::Call : pricing::OptionType::Put,
                                           fwd[i], strike[i], expiry[i], prices[i], rate[i]});
      acc += r ? *r : 0.0;
    }
    sink = acc;
  });
  const double iv_batch_ns = median_ns_per_item(repeats, n, [&] {
    pricing::implied_vol_batch(type, fwd, strike, expiry, prices, rate, iv, status);
  });
  // Portfolio valuation: 10,000 option positions, all Greeks, aggregated (prepare once, run timed).
  const market::MarketSnapshot mkt = synthetic_market();
  const book::Book book10k = synthetic_book(mkt, 10000);
  const auto t_prep0 = Clock::now();
  const valuation::Valuation val = valuation::Valuation::prepare(book10k, mkt);
  const double prepare_ms = std::chrono::duration<double, std::milli>(Clock::now() - t_prep0).count();
  valuation::Report rep10k;
  const double risk_ms = median_ns_per_item(repeats * 3, 1, [&] {
    val.run(rep10k);
    sink = rep10k.portfolio.value_usd;
  }) / 1e6;
  // Surface: parse a Deribit-format chain and fit every expiry (from memory: no disk in the timing).
  std::string chain = synthetic_chain_csv(mkt, 1900);
  std::string chain_source = "synthetic 1,900-option chain";
  if (!opts.chain.empty()) {
    auto text = io::read_text(opts.chain);
    if (!text) {
      fmt::print(stderr, "greekbook bench: {}\n", text.error().message);
      return 2;
    }
    chain = std::move(*text);
    chain_source = opts.chain;
  }
  std::size_t chain_options = 0, chain_smiles = 0;
  const double surface_ms = median_ns_per_item(repeats, 1, [&] {
    auto snap = market::parse_deribit_chain_csv(chain, chain_source, "");
    if (!snap) return;
    market::finalise(*snap);
    chain_options = chain_smiles = 0;
    for (const auto& [n, u] : snap->underlyings) {
      chain_options += u.options.size();
      chain_smiles += u.surface.smiles().size();
    }
  }) / 1e6;
  const MarginBench mb = run_margin_bench(repeats);
  if (!mb.error.empty()) {
    fmt::print(stderr, "greekbook bench: margin: {}\n", mb.error);
    return 1;
  }
  const StressBench sb = run_stress_bench(repeats);
  if (!sb.error.empty()) {
    fmt::print(stderr, "greekbook bench: stress: {}\n", sb.error);
    return 1;
  }
  const VarBench vb = run_var_bench(std::max(1, std::min(repeats, 3)));  // ~1 s per run
  if (!vb.error.empty()) {
    fmt::print(stderr, "greekbook bench: var: {}\n", vb.error);
    return 1;
  }
  (void)sink;
  double max_err = 0;
  std::size_t failed = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (status[i] != pricing::IvStatus::Ok) {
      ++failed;
      continue;
    }
    max_err = std::max(max_err, std::fabs(iv[i] - vol[i]));
  }

  const Row rows[] = {
      {"price_greeks_scalar_ns", "price + 7 Greeks, scalar API (one option per call)", scalar_ns},
      {"price_greeks_batch_ns", "price + 7 Greeks, batch SoA kernel", batch_ns},
      {"implied_vol_ns", "implied vol, scalar API", iv_ns},
      {"implied_vol_batch_ns", "implied vol, batch API", iv_batch_ns},
  };
  if (opts.json) {
    std::string j = "{\n";
    j += fmt::format("  \"simd_target\": \"{}\",\n  \"simd_lanes\": {},\n  \"options\": {},\n  \"repeats\": {},\n",
                     pricing::simd_target_name(), pricing::simd_lanes(), n, repeats);
    for (const auto& r : rows) {
      j += fmt::format("  \"{}\": {:.3f},\n", r.key, r.ns);
      std::string ops = r.key;
      ops.replace(ops.size() - 3, 3, "_options_per_s");
      j += fmt::format("  \"{}\": {:.0f},\n", ops, 1e9 / r.ns);
    }
    j += fmt::format("  \"implied_vol_max_abs_error\": {:.3g},\n  \"implied_vol_failures\": {},\n", max_err, failed);
    j += fmt::format("  \"risk_10k_ms\": {:.4f},\n  \"risk_10k_prepare_ms\": {:.3f},\n", risk_ms, prepare_ms);
    j += fmt::format("  \"surface_fit_ms\": {:.3f},\n  \"surface_fit_options\": {},\n  \"surface_fit_smiles\": {},\n",
                     surface_ms, chain_options, chain_smiles);
    j += fmt::format("  \"pm_10k_ms\": {:.4f},\n  \"pm_10k_instruments\": {},\n  \"sm_10k_ms\": {:.4f},\n", mb.pm_10k_ms,
                     mb.pm_10k_instruments, mb.sm_10k_ms);
    j += fmt::format("  \"what_if_us\": {:.3f},\n  \"liq_price_1k_ms\": {:.4f},\n  \"liq_price_1k_pm_ms\": {:.4f},\n",
                     mb.what_if_us, mb.liq_price_1k_ms, mb.liq_price_1k_pm_ms);
    j += fmt::format("  \"stress_10k_ms\": {:.3f},\n  \"stress_10k_per_scenario_ms\": {:.3f},\n", sb.total_ms,
                     sb.per_scenario_ms);
    j += fmt::format("  \"mc_var_10k_ms\": {:.1f},\n  \"mc_var_revals_per_s\": {:.4g},\n  \"mc_var_threads\": {}\n}}\n",
                     vb.mc_var_10k_ms, vb.mc_var_revals_per_s, vb.threads);
    fmt::print("{}", j);
  } else {
    fmt::print("greekbook bench: {} options, median of {} runs, one core, SIMD target {} ({} double lanes)\n\n",
               n, repeats, pricing::simd_target_name(), pricing::simd_lanes());
    fmt::print("{:<55} {:>12} {:>16}\n", "measure", "ns/option", "options/s");
    for (const auto& r : rows) fmt::print("{:<55} {:>12.2f} {:>16.0f}\n", r.what, r.ns, 1e9 / r.ns);
    fmt::print("\nimplied vol round trip: max |sigma - sigma_true| = {:.3g}, failures {}\n", max_err, failed);
    fmt::print("\nrisk report, 10,000 option positions, all Greeks + aggregation: {:.4f} ms (prepare once: {:.3f} ms)\n",
               risk_ms, prepare_ms);
    fmt::print("surface: load + SVI fit of {} ({} options, {} smiles): {:.3f} ms\n", chain_source, chain_options,
               chain_smiles, surface_ms);
    fmt::print("margin: Deribit PM of 10,000 positions ({} instruments) {:.4f} ms, Deribit SM {:.4f} ms\n",
               mb.pm_10k_instruments, mb.pm_10k_ms, mb.sm_10k_ms);
    fmt::print("margin: what-if of one order (Deribit PM) {:.3f} us\n", mb.what_if_us);
    fmt::print("liquidation price of a 1,000-position options account: {:.4f} ms (Deribit SM), {:.4f} ms (PM)\n",
               mb.liq_price_1k_ms, mb.liq_price_1k_pm_ms);
    fmt::print("stress, 10,000 option positions x the crisis library: {:.3f} ms ({:.3f} ms per scenario)\n", sb.total_ms,
               sb.per_scenario_ms);
    fmt::print("Monte Carlo VaR, 10,000 options x 10,000 paths ({} threads): {:.1f} ms, {:.3g} revaluations/s\n",
               vb.threads, vb.mc_var_10k_ms, vb.mc_var_revals_per_s);
  }
  return 0;
}

}  // namespace greekbook::cli
