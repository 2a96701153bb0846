#include "bench_stress.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <vector>

#include "bench_data.hpp"
#include "greekbook/margin/registry.hpp"
#include "greekbook/risk/stress.hpp"
#include "greekbook/scenario/account_state.hpp"

namespace greekbook::cli {

StressBench run_stress_bench(int repeats) {
  StressBench b;
  const auto market = synthetic_market();
  const auto book = synthetic_book(market, 10000);
  const auto accounts = scenario::build_account_states(book, market);
  auto models = margin::ModelSet::build(accounts, margin::ParamsFile{});
  auto library = risk::crisis_library();
  if (!models || !library) {
    b.error = !models ? models.error().message : library.error().message;
    return b;
  }
  b.scenarios = library->scenarios.size();
  b.positions = accounts.empty() ? 0 : accounts.front().positions.size();
  std::vector<double> ms;
  for (int r = 0; r < std::max(repeats, 1) + 1; ++r) {  // the first run warms caches and thread pools
    const auto t0 = std::chrono::steady_clock::now();
    auto rep = risk::run_stress(accounts, *models, library->scenarios);
    const auto t1 = std::chrono::steady_clock::now();
    if (!rep) {
      b.error = rep.error().message;
      return b;
    }
    if (r > 0) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  b.total_ms = ms[ms.size() / 2];
  b.per_scenario_ms = b.scenarios ? b.total_ms / static_cast<double>(b.scenarios) : 0.0;
  return b;
}

double stress_10k_ms(int repeats) {
  const StressBench b = run_stress_bench(repeats);
  return b.error.empty() ? b.total_ms : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace greekbook::cli
