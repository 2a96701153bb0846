#pragma once
// Stress benchmark of `greekbook bench`: the synthetic 10,000-option Deribit book (bench_data.hpp)
// under every scenario of the built-in crisis library, full revaluation + Greeks + margin after the
// shock, scenarios in parallel (oneTBB, all cores). Medians of `repeats` runs.
#include <cstddef>
#include <string>

namespace greekbook::cli {

struct StressBench {
  double total_ms = 0;         ///< all scenarios (median)
  double per_scenario_ms = 0;  ///< total_ms / scenarios
  std::size_t scenarios = 0, positions = 0;
  std::string error;           ///< non-empty when the book could not be margined or the library not parsed
};

StressBench run_stress_bench(int repeats);

/// run_stress_bench(repeats).total_ms (NaN on error): the `stress_10k_ms` key.
double stress_10k_ms(int repeats);

}  // namespace greekbook::cli
