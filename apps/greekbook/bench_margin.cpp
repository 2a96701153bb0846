#include "bench_margin.hpp"

#include <algorithm>
#include <chrono>
#include <set>
#include <vector>

#include "bench_data.hpp"
#include "greekbook/margin/registry.hpp"
#include "liquidation_levels.hpp"

namespace greekbook::cli {
namespace {
using Clock = std::chrono::steady_clock;

template <class F>
double median_ms(int repeats, F&& body) {
  std::vector<double> t;
  body();
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = Clock::now();
    body();
    t.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

scenario::AccountState bench_account(const market::MarketSnapshot& mkt, std::size_t n, double collateral_btc) {
  book::Book b = synthetic_book(mkt, n);
  b.accounts[0].collateral["BTC"] = collateral_btc;
  return scenario::build_account_states(b, mkt).front();
}
}  // namespace

MarginBench run_margin_bench(int repeats) {
  MarginBench out;
  const market::MarketSnapshot mkt = synthetic_market();
  const io::JsonPath at{"defaults", ""};
  auto pm = margin::make_model("deribit-pm", nullptr, at);
  auto sm = margin::make_model("deribit-sm", nullptr, at);
  if (!pm || !sm) {
    out.error = !pm ? pm.error().message : sm.error().message;
    return out;
  }
  const scenario::AccountState big = bench_account(mkt, 10000, 5000.0);
  std::set<std::string> names;
  for (const auto& p : big.positions) names.insert(p.instrument.name);
  out.pm_10k_instruments = names.size();
  volatile double sink = 0;
  out.pm_10k_ms = median_ms(repeats, [&] {
    auto r = (*pm)->compute(big);
    sink = r ? r->initial_margin : 0.0;
  });
  out.sm_10k_ms = median_ms(repeats, [&] {
    auto r = (*sm)->compute(big);
    sink = r ? r->initial_margin : 0.0;
  });
  // What-if: one order on an instrument the account does not hold (its risk vector is priced).
  const auto before = (*pm)->compute(big);
  auto order = scenario::make_position_state("BTC-" + instruments::format_deribit_expiry(
                                                          mkt.underlyings.at("BTC").futures.front().expiry_ms) +
                                                 "-123000-C",
                                             "deribit", -5.0, mkt);
  if (before && order) {
    const int reps = 2000;
    out.what_if_us = median_ms(repeats, [&] {
                       for (int i = 0; i < reps; ++i) {
                         auto r = (*pm)->what_if(big, *before, {&*order, 1});
                         sink = r ? r->initial_margin : 0.0;
                       }
                     }) * 1000.0 / reps;
  }
  // 1,000 options with collateral set so that maintenance margin is half the equity under SM:
  // liquidation prices exist on both sides (the search brackets and solves; the timing is of that).
  scenario::AccountState small = bench_account(mkt, 1000, 0.0);
  if (auto r0 = (*sm)->compute(small); r0) {
    const double index = small.usd_rate("BTC");
    small.collateral["BTC"] = (2.0 * r0->maintenance_margin - r0->equity) / index;
  }
  out.liq_price_1k_ms = median_ms(repeats, [&] {
    auto r = liquidation_levels(small, **sm, 1.0);
    sink = r && !r->empty() && r->front().down ? *r->front().down : 0.0;
  });
  out.liq_price_1k_pm_ms = median_ms(std::max(1, repeats / 2), [&] {
    auto r = liquidation_levels(small, **pm, 1.0);
    sink = r && !r->empty() && r->front().down ? *r->front().down : 0.0;
  });
  (void)sink;
  return out;
}

}  // namespace greekbook::cli
