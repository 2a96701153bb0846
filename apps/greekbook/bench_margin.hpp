#pragma once
// Margin benchmarks of `greekbook bench` (issue targets: pm_10k_ms <= 2, what_if_us <= 5,
// liq_price_1k_ms <= 5; one core, medians).
#include <cstddef>
#include <string>

namespace greekbook::cli {

struct MarginBench {
  double pm_10k_ms = 0;          ///< Deribit PM of a 10,000-position options book (one account)
  std::size_t pm_10k_instruments = 0;  ///< distinct instruments among those positions
  double sm_10k_ms = 0;          ///< Deribit SM of the same book
  double what_if_us = 0;         ///< Deribit PM what-if for one order on a new instrument
  double liq_price_1k_ms = 0;    ///< liquidation price (down and up) of a 1,000-position options account, Deribit SM
  double liq_price_1k_pm_ms = 0; ///< the same under Deribit PM
  std::string error;             ///< non-empty when a model could not be built
};

MarginBench run_margin_bench(int repeats);

}  // namespace greekbook::cli
